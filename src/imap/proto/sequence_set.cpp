#include "imap/proto/sequence_set.h"

#include <algorithm>

#include "base/strings.h"

namespace postamt::imap::proto {

SequenceSet SequenceSet::saved() {
  SequenceSet s;
  s.saved_ = true;
  return s;
}

std::vector<UidInterval> SequenceSet::resolve(uint32_t largest) const {
  std::vector<UidInterval> out;
  out.reserve(ranges_.size());
  for (const SeqRange& r : ranges_) {
    uint32_t a = r.first == kStar ? largest : r.first;
    uint32_t b = r.last == kStar ? largest : r.last;
    if (a > b) std::swap(a, b);
    out.push_back({a, b});
  }
  std::sort(out.begin(), out.end(),
            [](const UidInterval& x, const UidInterval& y) { return x.first < y.first; });
  std::vector<UidInterval> merged;
  for (const UidInterval& iv : out) {
    // Widen to 64 bits so that last == UINT32_MAX does not wrap when testing adjacency.
    if (!merged.empty() && uint64_t{iv.first} <= uint64_t{merged.back().last} + 1) {
      merged.back().last = std::max(merged.back().last, iv.last);
    } else {
      merged.push_back(iv);
    }
  }
  return merged;
}

namespace {
void append_number(std::string& out, uint32_t n) {
  if (n == kStar)
    out += '*';
  else
    out += std::to_string(n);
}
}  // namespace

std::string SequenceSet::to_string() const {
  if (saved_) return "$";
  std::string out;
  for (size_t i = 0; i < ranges_.size(); ++i) {
    if (i) out += ',';
    append_number(out, ranges_[i].first);
    if (ranges_[i].last != ranges_[i].first) {
      out += ':';
      append_number(out, ranges_[i].last);
    }
  }
  return out;
}

namespace {
Result<uint32_t> parse_seq_number(std::string_view s) {
  if (s == "*") return kStar;
  // RFC 9051 §9: nz-number = digit-nz *DIGIT, so no leading zero.
  if (s.empty() || s[0] == '0') return Error{ErrorKind::invalid, "bad sequence number"};
  auto v = parse_u64(s);
  if (!v || *v > 0xFFFFFFFFull) return Error{ErrorKind::invalid, "bad sequence number"};
  return static_cast<uint32_t>(*v);
}
}  // namespace

Result<SequenceSet> parse_sequence_set(std::string_view text, AllowSaved allow_saved) {
  if (text == "$") {
    if (allow_saved == AllowSaved::no) return Error{ErrorKind::invalid, "$ not allowed here"};
    return SequenceSet::saved();
  }
  if (text.empty()) return Error{ErrorKind::invalid, "empty sequence set"};
  std::vector<SeqRange> ranges;
  for (std::string_view item : split(text, ',')) {
    size_t colon = item.find(':');
    SeqRange r;
    if (colon == std::string_view::npos) {
      auto n = parse_seq_number(item);
      if (!n) return n.error();
      r = {*n, *n};
    } else {
      auto a = parse_seq_number(item.substr(0, colon));
      if (!a) return a.error();
      auto b = parse_seq_number(item.substr(colon + 1));
      if (!b) return b.error();
      r = {*a, *b};
    }
    ranges.push_back(r);
  }
  return SequenceSet(std::move(ranges));
}

SequenceSet SequenceSet::from_numbers(std::vector<uint32_t> numbers) {
  std::sort(numbers.begin(), numbers.end());
  numbers.erase(std::unique(numbers.begin(), numbers.end()), numbers.end());
  if (!numbers.empty() && numbers.front() == 0) numbers.erase(numbers.begin());
  std::vector<SeqRange> ranges;
  for (uint32_t n : numbers) {
    if (!ranges.empty() && ranges.back().last + 1 == n)
      ranges.back().last = n;
    else
      ranges.push_back({n, n});
  }
  return SequenceSet(std::move(ranges));
}

SequenceSet SequenceSet::in_order(const std::vector<uint32_t>& numbers) {
  std::vector<SeqRange> ranges;
  for (uint32_t n : numbers) {
    if (n == 0) continue;
    if (!ranges.empty() && ranges.back().last + 1 == n)
      ranges.back().last = n;
    else
      ranges.push_back({n, n});
  }
  return SequenceSet(std::move(ranges));
}

}  // namespace postamt::imap::proto
