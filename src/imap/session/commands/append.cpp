#include <chrono>
#include <string>

#include "imap/session/commands/commands.h"
#include "imap/session/commands/common.h"
#include "imap/session/commands/mailbox_rules.h"
#include "imap/session/error_codes.h"
#include "mime/imap_data.h"
#include "mime/message_id.h"

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
  if (auto valid = check_mailbox_name(cmd.mailbox); !valid) return reply_for(valid.error());
  store::NewMessage message;
  if (auto refused = parse_flag_list(cmd.flags, message.flags, message.keywords))
    return std::move(*refused);
  if (cmd.message.empty()) return Reply::no(std::nullopt, "Empty message");

  // RFC 3501 §6.3.11: a missing destination is answered with TRYCREATE.
  auto mailbox = ctx.store.find_mailbox(ctx.account.id, cmd.mailbox);
  if (!mailbox) {
    if (mailbox.error().kind == ErrorKind::not_found) return trycreate();
    return reply_for(mailbox.error());
  }
  // DESIGN.md §4.5: the bytes are durable before the record that makes them findable.
  auto blob = ctx.blobs.put(cmd.message);
  if (!blob) return reply_for(blob.error());
  message.blob = *blob;
  message.size = cmd.message.size();
  message.envelope_header = mime::envelope_header_to_store(cmd.message);
  message.internal_date =
      cmd.internal_date
          ? to_internal_date(*cmd.internal_date)
          : std::chrono::floor<std::chrono::seconds>(std::chrono::system_clock::now());
  message.message_id = mime::message_id_of_message(cmd.message);
  auto appended = ctx.store.append(mailbox->id, message);
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
