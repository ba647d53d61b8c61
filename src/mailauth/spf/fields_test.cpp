#include "mailauth/spf/fields.h"

#include <gtest/gtest.h>

namespace postamt::spf {
namespace {

Verdict verdict(Outcome result, std::string identity = "mailfrom") {
  Verdict v;
  v.result = result;
  v.domain = "example.com";
  v.identity = std::move(identity);
  v.sender = "user@example.com";
  return v;
}

TEST(SpfFields, AuthenticationResultsEntry) {
  EXPECT_EQ(authentication_results_entry(verdict(Outcome::pass)),
            "spf=pass smtp.mailfrom=user@example.com");
  Verdict v = verdict(Outcome::permerror);
  v.problem = "more than one SPF record at example.com";
  EXPECT_EQ(authentication_results_entry(v),
            "spf=permerror (more than one SPF record at example.com) "
            "smtp.mailfrom=user@example.com");
  Verdict helo = verdict(Outcome::none, "helo");
  helo.domain = "client.example.net";
  EXPECT_EQ(authentication_results_entry(helo), "spf=none smtp.helo=client.example.net");
}

TEST(SpfFields, HostileValuesAreQuoted) {
  Verdict v = verdict(Outcome::fail);
  v.sender = "\"a b\"@example.com";
  v.problem = "bad term \"x)\\\r\n(y\"";
  EXPECT_EQ(authentication_results_entry(v),
            "spf=fail (bad term \"x\\)\\\\??\\(y\") smtp.mailfrom=\"\\\"a b\\\"@example.com\"");
  Verdict helo = verdict(Outcome::none, "helo");
  helo.domain = "evil; dkim=pass";
  EXPECT_EQ(authentication_results_entry(helo), "spf=none smtp.helo=\"evil; dkim=pass\"");
  v.problem = std::string(kMaxCommentBytes + 10, 'x');
  EXPECT_EQ(authentication_results_entry(v), "spf=fail (" + std::string(kMaxCommentBytes, 'x') +
                                                 "...) smtp.mailfrom=\"\\\"a b\\\"@example.com\"");
}

TEST(SpfFields, ReceivedSpf) {
  Request request{"192.0.2.1", "user@example.com", "client.example.net", "mx.example.org", 1};
  Verdict v = verdict(Outcome::pass);
  v.mechanism = "ip4:192.0.2.0/24";
  EXPECT_EQ(received_spf(v, request),
            "pass (mx.example.org: domain of user@example.com designates 192.0.2.1 as permitted "
            "sender) client-ip=192.0.2.1; envelope-from=\"user@example.com\"; "
            "helo=client.example.net; receiver=mx.example.org; identity=mailfrom; "
            "mechanism=\"ip4:192.0.2.0/24\";");
  Verdict e = verdict(Outcome::temperror, "helo");
  e.problem = "DNS error for example.com: timeout";
  request.receiver.clear();
  EXPECT_EQ(received_spf(e, request),
            "temperror (unknown: error in processing the SPF record of example.com) "
            "client-ip=192.0.2.1; helo=client.example.net; receiver=unknown; identity=helo; "
            "mechanism=default; problem=\"DNS error for example.com: timeout\";");
}

}  // namespace
}  // namespace postamt::spf
