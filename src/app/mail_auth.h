// The SMTP MX's mail authentication as serve builds it (config [mailauth], [dkim], [arc],
// [dmarc]; docs/mail-authentication.md): the public suffix list, the DMARC aggregate-data
// log under data_dir/dmarc and the mailauth::Checker over the process's one resolver.
//
//   auto checks = app::make_mail_auth(config, ctx.resolver);
//   ctx.mail_auth = (*checks)->checker();      // null when [mailauth] enabled = false
#pragma once

#include <memory>

#include "base/config.h"
#include "base/result.h"
#include "dns/resolver.h"
#include "mailauth/checker.h"

namespace postamt::app {

class MailAuth {
 public:
  // Null when [mailauth] enabled = false.
  const mailauth::Checker* checker() const { return checker_.get(); }

  std::shared_ptr<dns::Resolver> resolver;
  std::unique_ptr<dmarc::PublicSuffixList> suffixes;
  std::unique_ptr<dmarc::AggregateLog> reports;
  std::unique_ptr<mailauth::Checker> checker_;
};

// Errors: the public suffix list cannot be read or parsed ("dmarc.public_suffix_list:
// ..."). `resolver` must not be null when enabled.
Result<std::unique_ptr<MailAuth>> make_mail_auth(const Config& config,
                                                 std::shared_ptr<dns::Resolver> resolver);

}  // namespace postamt::app
