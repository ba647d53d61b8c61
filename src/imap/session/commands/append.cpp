#include <chrono>
#include <string>

#include "imap/session/commands/commands.h"
#include "imap/session/commands/common.h"
#include "imap/session/error_codes.h"
#include "mail/mailboxes.h"
#include "mail/messages.h"

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

}  // namespace

Reply append(CommandContext& ctx, const proto::AppendCmd& cmd) {
  auto name = mail::check_mailbox_name(cmd.mailbox);
  if (!name) return reply_for(name.error());
  mail::NewFlags flags;
  if (auto refused = parse_flag_list(cmd.flags, flags.flags, flags.keywords))
    return std::move(*refused);
  if (cmd.message.empty() && !ctx.staged_message) return Reply::no(std::nullopt, "Empty message");

  // RFC 3501 §6.3.11: a missing destination is answered with TRYCREATE.
  auto mailbox = ctx.store.find_mailbox(ctx.account.id, *name);
  if (!mailbox) {
    if (mailbox.error().kind == ErrorKind::not_found) return trycreate();
    return reply_for(mailbox.error());
  }
  const store::InternalDate date =
      cmd.internal_date ? to_internal_date(*cmd.internal_date) : mail::internal_date_now();
  // A message too large for memory was streamed into the blob store as it arrived.
  auto appended =
      ctx.staged_message
          ? mail::append_stored_message(ctx.store, ctx.blobs, mailbox->id, *ctx.staged_message,
                                        flags, date)
          : mail::append_message(ctx.store, ctx.blobs, mailbox->id, cmd.message, flags, date);
  if (!appended) {
    // Deleted by another session between the lookup and the append.
    if (appended.error().kind == ErrorKind::not_found) return trycreate();
    return reply_for(appended.error());
  }
  // RFC 4315 §3: APPENDUID <uidvalidity> <uid>.
  return Reply::ok(
      ResponseCode::append_uid(mailbox->uid_validity, proto::SequenceSet::single(appended->uid)),
      "APPEND completed");
}

}  // namespace postamt::imap::commands
