#include "mail/envelope_lines.h"

#include <algorithm>

namespace postamt::mail {

Result<EnvelopeLines> EnvelopeLines::load(store::Store& store, MailboxId mailbox,
                                          std::span<const Uid> uids) {
  EnvelopeLines out;
  size_t i = 0;
  while (i < uids.size()) {
    size_t run_end = i + 1;
    while (run_end < uids.size() && uids[run_end] - uids[run_end - 1] <= kRunGap) ++run_end;
    auto found = store.envelope_headers(mailbox, uids[i], uids[run_end - 1]);
    if (!found) return found.error();
    for (auto& header : *found)
      if (std::binary_search(uids.begin() + static_cast<std::ptrdiff_t>(i),
                             uids.begin() + static_cast<std::ptrdiff_t>(run_end), header.uid))
        out.lines_.push_back(std::move(header));
    i = run_end;
  }
  return out;
}

const std::string* EnvelopeLines::find(Uid uid) const {
  const store::EnvelopeHeader* found = entry(uid);
  return found ? &found->lines : nullptr;
}

const store::EnvelopeHeader* EnvelopeLines::entry(Uid uid) const {
  auto it =
      std::lower_bound(lines_.begin(), lines_.end(), uid,
                       [](const store::EnvelopeHeader& header, Uid u) { return header.uid < u; });
  if (it == lines_.end() || it->uid != uid) return nullptr;
  return &*it;
}

}  // namespace postamt::mail
