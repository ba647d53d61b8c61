#include <algorithm>
#include <chrono>
#include <cstdint>
#include <string>
#include <variant>
#include <vector>

#include "imap/session/commands/catenate.h"
#include "imap/session/commands/commands.h"
#include "imap/session/commands/common.h"
#include "imap/session/error_codes.h"
#include "mail/mailboxes.h"
#include "mail/messages.h"
#include "mime/header.h"
#include "mime/line_endings.h"

namespace postamt::imap::commands {
namespace {

using proto::ResponseCode;
using Kind = proto::ResponseCode::Kind;

// RFC 3501 §6.3.11: the client's date-time, with its zone, as a point in time.
store::InternalDate to_internal_date(const proto::DateTime& dt) {
  using namespace std::chrono;
  sys_days day = year_month_day(year(dt.date.year), month(static_cast<unsigned>(dt.date.month)),
                                std::chrono::day(static_cast<unsigned>(dt.date.day)));
  return store::InternalDate(day) + hours(dt.hour) + minutes(dt.minute) + seconds(dt.second) -
         minutes(dt.zone_minutes);
}

Reply trycreate() {
  return Reply::no(ResponseCode::simple(Kind::trycreate), "Mailbox does not exist");
}

// RFC 6855 §4: whether the message's header block holds an octet above 127.
bool header_has_8bit(std::string_view message) {
  size_t end = 0;
  mime::scan_header_block(message, &end);
  return std::any_of(message.begin(), message.begin() + static_cast<std::ptrdiff_t>(end),
                     [](char c) { return static_cast<unsigned char>(c) >= 0x80; });
}

// RFC 6855 §4: with UTF8=ACCEPT offered and not enabled, a message whose header holds
// 8-bit octets is refused with NO (Services::utf8_accept).
std::optional<Reply> refuse_8bit_header(const CommandContext& ctx, std::string_view message) {
  if (!ctx.utf8_accept || ctx.enabled.utf8_accept || !header_has_8bit(message)) return std::nullopt;
  return Reply::no(std::nullopt, "The message header holds 8-bit octets; ENABLE UTF8=ACCEPT first");
}

}  // namespace

Reply append(CommandContext& ctx, const proto::AppendCmd& cmd) {
  auto name = mail::check_mailbox_name(cmd.mailbox);
  if (!name) return reply_for(name.error());
  std::vector<mail::NewFlags> flags(cmd.messages.size());
  for (size_t i = 0; i < cmd.messages.size(); ++i)
    if (auto refused = parse_flag_list(cmd.messages[i].flags, flags[i].flags, flags[i].keywords))
      return std::move(*refused);
  // Each streamed literal (a message, or a CATENATE TEXT part) shows as "{0}" in the
  // command text, in order. More empty ones than streamed ones means the client sent an
  // empty one; there is no telling which, so the command is refused.
  size_t empty = 0;
  for (const auto& m : cmd.messages) {
    if (!m.catenate) empty += m.message.empty();
    for (const auto& part : m.parts)
      empty += part.kind == proto::CatenatePart::Kind::text && part.text.empty();
  }
  if (empty != ctx.staged_messages.size()) return Reply::no(std::nullopt, "Empty message");
  // RFC 6855 §3, §4: UTF8 data is for a client that enabled UTF8=ACCEPT.
  for (const auto& m : cmd.messages) {
    bool utf8 = m.utf8 || std::any_of(m.parts.begin(), m.parts.end(),
                                      [](const proto::CatenatePart& p) { return p.utf8; });
    if (utf8 && !ctx.enabled.utf8_accept)
      return Reply::bad("UTF8 message data needs ENABLE UTF8=ACCEPT");
  }

  // RFC 3501 §6.3.11: a missing destination is answered with TRYCREATE.
  auto mailbox = ctx.store.find_mailbox(ctx.account.id, *name);
  if (!mailbox) {
    if (mailbox.error().kind == ErrorKind::not_found) return trycreate();
    return reply_for(mailbox.error());
  }
  const store::InternalDate now = mail::internal_date_now();
  const uint64_t limit = ctx.append_limit ? ctx.append_limit : UINT64_MAX;
  std::vector<mail::AppendSource> sources;
  size_t staged = 0;
  for (size_t i = 0; i < cmd.messages.size(); ++i) {
    const proto::AppendMessage& m = cmd.messages[i];
    mail::AppendSource source;
    if (m.catenate) {
      CatenateInput input{&m, {}};
      for (const auto& part : m.parts) {
        bool streamed = part.kind == proto::CatenatePart::Kind::text && part.text.empty();
        input.staged.push_back(streamed ? std::optional<BlobRef>(ctx.staged_messages[staged++])
                                        : std::nullopt);
      }
      auto built = catenate(ctx, input, limit);
      if (auto* refused = std::get_if<Reply>(&built)) return std::move(*refused);
      std::string& bytes = std::get<std::string>(built);
      if (bytes.empty()) return Reply::no(std::nullopt, "Empty message");
      if (auto refused = refuse_8bit_header(ctx, bytes)) return std::move(*refused);
      // Into the blob store now, so that only one built message is held at a time.
      if (mime::has_bare_lf(bytes)) bytes = mime::to_crlf(bytes);
      auto blob = ctx.blobs.put(bytes);
      if (!blob) return reply_for(blob.error());
      source.stored = *blob;
    } else if (m.message.empty()) {
      source.stored = ctx.staged_messages[staged++];
      if (ctx.utf8_accept && !ctx.enabled.utf8_accept) {
        auto view = ctx.blobs.open(*source.stored);
        if (!view) return reply_for(view.error());
        if (auto refused = refuse_8bit_header(ctx, view->bytes())) return std::move(*refused);
      }
    } else {
      if (auto refused = refuse_8bit_header(ctx, m.message)) return std::move(*refused);
      source.bytes = m.message;
    }
    source.flags = flags[i];
    source.internal_date = m.internal_date ? to_internal_date(*m.internal_date) : now;
    sources.push_back(std::move(source));
  }
  // RFC 3502 §6.3.11: all of them or none, in one store transaction.
  auto appended = mail::append_messages(ctx.store, ctx.blobs, mailbox->id, sources);
  if (!appended) {
    // Deleted by another session between the lookup and the append.
    if (appended.error().kind == ErrorKind::not_found) return trycreate();
    return reply_for(appended.error());
  }
  // RFC 4315 §3: APPENDUID <uidvalidity> <uid>, or a uid-set after MULTIAPPEND.
  std::vector<uint32_t> uids;
  for (const auto& a : *appended) uids.push_back(a.uid);
  return Reply::ok(ResponseCode::append_uid(mailbox->uid_validity,
                                            proto::SequenceSet::from_numbers(std::move(uids))),
                   "APPEND completed");
}

}  // namespace postamt::imap::commands
