#include "mdn/received.h"

#include "base/log.h"
#include "mdn/parse.h"
#include "metrics/catalog.h"

namespace postamt::mdn {

void ReceivedReceipts::delivered(const delivery::DeliveredMessage& message) {
  if (!is_mdn(message.message)) return;
  auto parsed = parse_submitted_mdn(message.message);
  if (!parsed) {
    log::info("mdn", "received receipt not recorded: {}", parsed.error().message);
    return;
  }
  // Without Original-Message-ID nothing says which sent message it answers.
  if (parsed->original_message_id.empty()) {
    log::info("mdn", "received receipt from {} not recorded: no Original-Message-ID",
              parsed->final_recipient);
    return;
  }
  const auto at = now_();
  for (const delivery::Delivered& d : *message.delivered) {
    store::NewReceivedReceipt r;
    r.account = d.account;
    r.message_id = parsed->original_message_id;
    r.final_recipient = parsed->final_recipient;
    r.disposition = std::string(to_string(parsed->disposition.type));
    r.at = at;
    auto recorded = store_.record_received_receipt(r);
    if (!recorded)
      log::warning("mdn", "account={} message_id={} received receipt not recorded: {}", d.address,
                   r.message_id, recorded.error().message);
    else
      log::info("mdn", "account={} message_id={} from={} disposition={} received receipt recorded",
                d.address, r.message_id, r.final_recipient, r.disposition);
    if (recorded) metrics::catalog().receipts.with({"received"}).inc();
  }
}

}  // namespace postamt::mdn
