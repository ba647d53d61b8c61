#include "app/mail_auth.h"

#include <fmt/format.h>

#include "base/log.h"
#include "mailauth/dkim/verify.h"

namespace postamt::app {

Result<std::unique_ptr<MailAuth>> make_mail_auth(const Config& config,
                                                 std::shared_ptr<dns::Resolver> resolver) {
  auto out = std::make_unique<MailAuth>();
  if (!config.mailauth.enabled) {
    log::info("master", "mail authentication checks are off ([mailauth] enabled = false)");
    return out;
  }
  if (!resolver) return Error(ErrorKind::internal, "mail authentication needs the resolver");
  auto suffixes = dmarc::PublicSuffixList::load(config.dmarc.public_suffix_list.string());
  if (!suffixes)
    return Error(suffixes.error().kind,
                 fmt::format("dmarc.public_suffix_list: {}", suffixes.error().message));
  out->resolver = std::move(resolver);
  out->suffixes = std::make_unique<dmarc::PublicSuffixList>(std::move(*suffixes));
  out->reports =
      std::make_unique<dmarc::AggregateLog>(config.data_dir / "dmarc", config.dmarc.report_days);

  mailauth::Settings settings;
  settings.authserv_id = config.hostname;
  settings.enforce_dmarc = config.mailauth.enforce_dmarc;
  settings.trusted_arc_sealers = config.mailauth.trusted_arc_sealers;
  settings.max_time = config.mailauth.check_timeout;
  settings.max_header_bytes = config.mailauth.max_header_bytes;
  settings.dkim = dkim::verify_limits(config.dkim);
  settings.arc.max_instances = static_cast<int>(config.arc.max_instances);
  // ARC's AMS is a DKIM signature: the same key and header limits
  // (docs/mail-authentication/arc.md).
  settings.arc.min_rsa_bits = settings.dkim.min_rsa_bits;
  settings.arc.max_signed_fields = static_cast<unsigned>(settings.dkim.max_signed_fields);
  out->checker_ = std::make_unique<mailauth::Checker>(*out->resolver, *out->suffixes,
                                                      out->reports.get(), std::move(settings));
  return out;
}

}  // namespace postamt::app
