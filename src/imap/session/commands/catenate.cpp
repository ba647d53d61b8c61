#include "imap/session/commands/catenate.h"

#include "imap/session/commands/fetch_items.h"
#include "imap/session/error_codes.h"
#include "mail/mailboxes.h"
#include "mime/message.h"

namespace postamt::imap::commands {
namespace {

using proto::ResponseCode;
using Kind = proto::ResponseCode::Kind;

Reply bad_url(const std::string& url, std::string_view why) {
  return Reply::no(ResponseCode::with_words(Kind::badurl, {url}), "Bad URL: " + std::string(why));
}

// The octets a URL names, or the refusal.
std::variant<std::string, Reply> resolve(CommandContext& ctx, const proto::CatenatePart& part) {
  if (!part.url) return bad_url(part.text, "not a URL to a message here");
  const proto::ImapUrl& url = *part.url;
  MailboxId mailbox{0};
  UidValidity validity = 0;
  if (url.mailbox) {
    auto name = mail::check_mailbox_name(*url.mailbox);
    if (!name) return bad_url(part.text, "no such mailbox");
    auto found = ctx.store.find_mailbox(ctx.account.id, *name);
    if (!found) {
      if (found.error().kind == ErrorKind::not_found) return bad_url(part.text, "no such mailbox");
      return reply_for(found.error());
    }
    mailbox = found->id;
    validity = found->uid_validity;
  } else {
    if (!ctx.selected) return bad_url(part.text, "no mailbox is selected");
    mailbox = ctx.selected->id();
    validity = ctx.selected->uid_validity();
  }
  if (url.uid_validity && *url.uid_validity != validity)
    return bad_url(part.text, "UIDVALIDITY differs");
  auto record = ctx.store.get_message(mailbox, url.uid);
  if (!record) {
    if (record.error().kind == ErrorKind::not_found) return bad_url(part.text, "no such message");
    return reply_for(record.error());
  }
  auto view = ctx.blobs.open(record->blob);
  if (!view) return reply_for(view.error());
  std::string bytes;
  if (url.section) {
    mime::Message message = mime::parse(view->bytes());
    auto section = section_bytes(message, *url.section);
    if (!section) return bad_url(part.text, "no such part");
    bytes = std::move(*section);
  } else {
    bytes.assign(view->bytes());
  }
  // RFC 5092 §6 ipartial: as FETCH <offset.length>: past the end is empty.
  if (url.partial) {
    uint64_t offset = std::min<uint64_t>(url.partial->offset, bytes.size());
    uint64_t length = url.partial->length ? url.partial->length : bytes.size();
    bytes = bytes.substr(offset, std::min<uint64_t>(length, bytes.size() - offset));
  }
  return bytes;
}

}  // namespace

std::variant<std::string, Reply> catenate(CommandContext& ctx, const CatenateInput& input,
                                          uint64_t limit) {
  auto too_big = [] { return Reply::no(ResponseCode::simple(Kind::toobig), "Message too large"); };
  std::string out;
  const auto& parts = input.message->parts;
  for (size_t i = 0; i < parts.size(); ++i) {
    const proto::CatenatePart& part = parts[i];
    if (part.kind == proto::CatenatePart::Kind::url) {
      auto bytes = resolve(ctx, part);
      if (auto* refused = std::get_if<Reply>(&bytes)) return std::move(*refused);
      const std::string& got = std::get<std::string>(bytes);
      if (got.size() > limit - out.size()) return too_big();
      out += got;
    } else if (input.staged[i]) {
      auto view = ctx.blobs.open(*input.staged[i]);
      if (!view) return reply_for(view.error());
      if (view->bytes().size() > limit - out.size()) return too_big();
      out.append(view->bytes());
    } else {
      if (part.text.size() > limit - out.size()) return too_big();
      out += part.text;
    }
  }
  return out;
}

}  // namespace postamt::imap::commands
