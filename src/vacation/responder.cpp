#include "vacation/responder.h"

#include <memory>

#include "base/log.h"
#include "delivery/message_log.h"
#include "mail/senders.h"
#include "model/address.h"
#include "vacation/tracking.h"

namespace postamt::vacation {

std::string_view to_string(Outcome outcome) {
  switch (outcome) {
    case Outcome::sent:
      return "sent";
    case Outcome::inactive:
      return "inactive";
    case Outcome::screened:
      return "screened";
    case Outcome::from_self:
      return "from self";
    case Outcome::not_addressed:
      return "not addressed to the account";
    case Outcome::already_answered:
      return "already answered";
  }
  return "?";
}

void Responder::delivered(const delivery::DeliveredMessage& message) {
  // Mail the MX quarantined failed its sender's DMARC policy: its sender is likely forged,
  // and an automatic reply would go to a victim (RFC 3834 §2, "should not respond" to
  // suspected junk).
  if (message.quarantined) return;
  // The header block is all a reply needs; the bytes live only during this call.
  size_t header_end = 0;
  mime::scan_header_block(message.message, &header_end);
  auto header = std::make_shared<const std::string>(message.message.substr(0, header_end));
  auto sender = std::make_shared<const std::string>(message.envelope_sender);
  for (const delivery::Delivered& d : *message.delivered) {
    deps_.run_blocking([this, header, sender, account = d.account, address = d.address] {
      try {
        auto answered = answer(account, address, *sender, *header);
        if (!answered)
          log::warning("vacation", "account={} to={} reply failed: {}", address, *sender,
                       answered.error().message);
        else if (answered->outcome == Outcome::sent)
          log::info("vacation", "account={} to={} reply sent", address, *sender);
        else
          log::debug("vacation", "account={} from={} no reply: {}{}{}", address, *sender,
                     to_string(answered->outcome),
                     answered->outcome == Outcome::screened ? ": " : "",
                     answered->outcome == Outcome::screened ? to_string(answered->screen) : "");
      } catch (const std::exception& e) {
        log::error("vacation", "account={} reply failed: {}", address, e.what());
      }
    });
  }
}

Result<Answer> Responder::answer(AccountId account, const std::string& address,
                                 const std::string& envelope_sender,
                                 std::string_view header_bytes) {
  std::lock_guard lock(mutex_);
  store::Store& store = *deps_.delivery.store;
  const int64_t now = deps_.now().time_since_epoch().count();
  auto settings = load_settings(store, account);
  if (!settings) return settings.error();
  if (!is_active(*settings, now)) return Answer{Outcome::inactive};

  auto fields = mime::scan_header_block(header_bytes);
  mime::HeaderView header(header_bytes, fields);
  if (Screen s = screen_message(envelope_sender, header); s != Screen::answer)
    return Answer{Outcome::screened, s};
  auto own_sender = mail::owns_address(store, address, envelope_sender);
  if (!own_sender) return own_sender.error();
  if (*own_sender) return Answer{Outcome::from_self};
  // RFC 5230 §4.5.
  bool addressed = false;
  for (const std::string& to : addressed_to(header)) {
    auto owned = mail::owns_address(store, address, to);
    if (!owned) return owned.error();
    if (*owned) {
      addressed = true;
      break;
    }
  }
  if (!addressed) return Answer{Outcome::not_addressed};

  auto key = address_key(envelope_sender);
  std::string sender_key = key ? *key : envelope_sender;
  auto replied = load_replied(store, account);
  if (!replied) return replied.error();
  if (replied->answered_recently(sender_key, now)) return Answer{Outcome::already_answered};
  // Recorded first: a reply lost to a failure is better than a second one.
  replied->remember(sender_key, now);
  if (auto saved = save_replied(store, account, *replied); !saved) return saved.error();

  ReplySpec spec;
  spec.from = address;
  spec.to = envelope_sender;
  spec.now = now;
  spec.message_id = "<" + deps_.random_token() + "@" + deps_.hostname + ">";
  spec.settings = *settings;
  delivery::Transaction reply(deps_.delivery, "");  // RFC 5230 §5.1: MAIL FROM:<>
  delivery::RecipientOptions options;
  options.notify =
      delivery::Notify{.never = true, .success = false, .failure = false, .delay = false};
  if (auto added = reply.add_recipient(envelope_sender, options); !added) return added.error();
  reply.set_body(build_reply(spec, header));
  auto committed = reply.commit();
  if (!committed) return committed.error();
  delivery::log_committed(reply, *committed);
  return Answer{Outcome::sent};
}

}  // namespace postamt::vacation
