#include "autoconfig/proto/documents.h"

#include <gtest/gtest.h>

#include "autoconfig/proto/settings.h"
#include "base/config.h"

namespace postamt::autoconfig {
namespace {

Config config_of(std::string_view text) {
  auto config = parse_config(text, "/etc/postamt/postamt.toml");
  EXPECT_TRUE(config) << config.error().message;
  return config ? *config : Config{};
}

constexpr std::string_view kAll =
    "hostname = \"mail.example.org\"\n"
    "[listen]\nsmtp = [\"0.0.0.0:25\"]\nsubmission = [\"0.0.0.0:587\"]\n"
    "submissions = [\"0.0.0.0:465\"]\npop3 = [\"0.0.0.0:110\"]\npop3s = [\"0.0.0.0:995\"]\n"
    "imap = [\"0.0.0.0:143\"]\nimaps = [\"0.0.0.0:993\"]\nhttps = [\"0.0.0.0:443\"]\n";

TEST(PublicServer, FromListenersInPreferenceOrder) {
  PublicServer s = public_server(config_of(kAll));
  EXPECT_EQ(s.hostname, "mail.example.org");
  ASSERT_EQ(s.endpoints.size(), 6u);
  const std::pair<std::string_view, uint16_t> expected[] = {
      {"imaps", 993}, {"imap", 143},        {"pop3s", 995},
      {"pop3", 110},  {"submissions", 465}, {"submission", 587}};
  for (size_t i = 0; i < 6; ++i) {
    EXPECT_EQ(service_name(s.endpoints[i].protocol, s.endpoints[i].security), expected[i].first);
    EXPECT_EQ(s.endpoints[i].port, expected[i].second);
  }
  EXPECT_EQ(s.https_port, std::optional<uint16_t>(443));
  EXPECT_TRUE(s.receives_mail);
}

TEST(PublicServer, OverridesPortZeroAndMissingListeners) {
  PublicServer s = public_server(config_of(
      "hostname = \"internal.example.org\"\n"
      "[listen]\nimaps = [\"10.0.0.5:10993\", \"[::]:993\"]\nimap = [\"127.0.0.1:0\"]\n"
      "submission = [\"0.0.0.0:0\"]\nsubmissions = [\"0.0.0.0:465\"]\nhttp = [\"127.0.0.1:80\"]\n"
      "[autoconfig]\nhostname = \"mail.example.org\"\nimaps_port = 993\nsubmissions_port = 0\n"));
  EXPECT_EQ(s.hostname, "mail.example.org");
  ASSERT_EQ(s.endpoints.size(), 3u);
  EXPECT_EQ(s.endpoints[0].port, 993);  // overridden (NAT)
  EXPECT_EQ(s.endpoints[1].port, 143);  // port 0: the IANA port
  EXPECT_EQ(service_name(s.endpoints[2].protocol, s.endpoints[2].security), "submission");
  EXPECT_EQ(s.endpoints[2].port, 587);
  EXPECT_FALSE(s.https_port);  // http only: no https to advertise
  EXPECT_FALSE(s.receives_mail);
  EXPECT_FALSE(s.preferred(Protocol::pop3));
  EXPECT_TRUE(configures_clients(s));
  EXPECT_FALSE(
      configures_clients(public_server(config_of("[listen]\nimap = [\"0.0.0.0:143\"]\n"))));
}

TEST(Documents, Thunderbird) {
  EXPECT_EQ(thunderbird_config(public_server(config_of(kAll)), "example.org"),
            R"(<?xml version="1.0" encoding="UTF-8"?>
<clientConfig version="1.1">
  <emailProvider id="example.org">
    <domain>example.org</domain>
    <displayName>example.org</displayName>
    <displayShortName>example.org</displayShortName>
    <incomingServer type="imap">
      <hostname>mail.example.org</hostname>
      <port>993</port>
      <socketType>SSL</socketType>
      <username>%EMAILADDRESS%</username>
      <authentication>password-cleartext</authentication>
    </incomingServer>
    <incomingServer type="imap">
      <hostname>mail.example.org</hostname>
      <port>143</port>
      <socketType>STARTTLS</socketType>
      <username>%EMAILADDRESS%</username>
      <authentication>password-cleartext</authentication>
    </incomingServer>
    <incomingServer type="pop3">
      <hostname>mail.example.org</hostname>
      <port>995</port>
      <socketType>SSL</socketType>
      <username>%EMAILADDRESS%</username>
      <authentication>password-cleartext</authentication>
    </incomingServer>
    <incomingServer type="pop3">
      <hostname>mail.example.org</hostname>
      <port>110</port>
      <socketType>STARTTLS</socketType>
      <username>%EMAILADDRESS%</username>
      <authentication>password-cleartext</authentication>
    </incomingServer>
    <outgoingServer type="smtp">
      <hostname>mail.example.org</hostname>
      <port>465</port>
      <socketType>SSL</socketType>
      <username>%EMAILADDRESS%</username>
      <authentication>password-cleartext</authentication>
    </outgoingServer>
    <outgoingServer type="smtp">
      <hostname>mail.example.org</hostname>
      <port>587</port>
      <socketType>STARTTLS</socketType>
      <username>%EMAILADDRESS%</username>
      <authentication>password-cleartext</authentication>
    </outgoingServer>
  </emailProvider>
</clientConfig>
)");
}

TEST(Documents, ThunderbirdEscapesTheDomain) {
  PublicServer s = public_server(config_of(kAll));
  std::string doc = thunderbird_config(s, "a\"<b>&");
  EXPECT_NE(doc.find("<emailProvider id=\"a&quot;&lt;b&gt;&amp;\">"), std::string::npos) << doc;
  EXPECT_NE(doc.find("<domain>a&quot;&lt;b&gt;&amp;</domain>"), std::string::npos) << doc;
}

TEST(Documents, AutodiscoverSettings) {
  PublicServer s = public_server(
      config_of("hostname = \"mail.example.org\"\n"
                "[listen]\nimap = [\"0.0.0.0:143\"]\nsubmissions = [\"0.0.0.0:465\"]\n"
                "submission = [\"0.0.0.0:587\"]\n"));
  EXPECT_EQ(autodiscover_settings(s, "a&b@example.org"),
            R"(<?xml version="1.0" encoding="UTF-8"?>
<Autodiscover xmlns="http://schemas.microsoft.com/exchange/autodiscover/responseschema/2006">
  <Response xmlns="http://schemas.microsoft.com/exchange/autodiscover/outlook/responseschema/2006a">
    <Account>
      <AccountType>email</AccountType>
      <Action>settings</Action>
      <Protocol>
        <Type>IMAP</Type>
        <Server>mail.example.org</Server>
        <Port>143</Port>
        <DomainRequired>off</DomainRequired>
        <LoginName>a&amp;b@example.org</LoginName>
        <SPA>off</SPA>
        <SSL>on</SSL>
        <Encryption>TLS</Encryption>
        <AuthRequired>on</AuthRequired>
      </Protocol>
      <Protocol>
        <Type>SMTP</Type>
        <Server>mail.example.org</Server>
        <Port>465</Port>
        <DomainRequired>off</DomainRequired>
        <LoginName>a&amp;b@example.org</LoginName>
        <SPA>off</SPA>
        <SSL>on</SSL>
        <Encryption>SSL</Encryption>
        <AuthRequired>on</AuthRequired>
      </Protocol>
    </Account>
  </Response>
</Autodiscover>
)");
}

TEST(Documents, AutodiscoverError) {
  EXPECT_EQ(autodiscover_error(600, "Invalid Request", "undeclared entity &x;"),
            R"(<?xml version="1.0" encoding="UTF-8"?>
<Autodiscover xmlns="http://schemas.microsoft.com/exchange/autodiscover/responseschema/2006">
  <Response>
    <Error>
      <ErrorCode>600</ErrorCode>
      <Message>Invalid Request</Message>
      <DebugData>undeclared entity &amp;x;</DebugData>
    </Error>
  </Response>
</Autodiscover>
)");
}

TEST(Documents, AppleProfile) {
  PublicServer s = public_server(config_of(kAll));
  std::string doc = apple_profile(s, "Alice@Example.org");
  const std::string profile_uuid = stable_uuid("profile mail.example.org alice@example.org");
  const std::string mail_uuid = stable_uuid("mail mail.example.org alice@example.org");
  EXPECT_NE(profile_uuid, mail_uuid);
  EXPECT_EQ(doc, R"(<?xml version="1.0" encoding="UTF-8"?>
<!DOCTYPE plist PUBLIC "-//Apple//DTD PLIST 1.0//EN" "http://www.apple.com/DTDs/PropertyList-1.0.dtd">
<plist version="1.0">
  <dict>
    <key>PayloadContent</key>
    <array>
      <dict>
        <key>EmailAccountDescription</key>
        <string>example.org</string>
        <key>EmailAccountType</key>
        <string>EmailTypeIMAP</string>
        <key>EmailAddress</key>
        <string>Alice@Example.org</string>
        <key>IncomingMailServerAuthentication</key>
        <string>EmailAuthPassword</string>
        <key>IncomingMailServerHostName</key>
        <string>mail.example.org</string>
        <key>IncomingMailServerPortNumber</key>
        <integer>993</integer>
        <key>IncomingMailServerUseSSL</key>
        <true/>
        <key>IncomingMailServerUsername</key>
        <string>Alice@Example.org</string>
        <key>OutgoingMailServerAuthentication</key>
        <string>EmailAuthPassword</string>
        <key>OutgoingMailServerHostName</key>
        <string>mail.example.org</string>
        <key>OutgoingMailServerPortNumber</key>
        <integer>465</integer>
        <key>OutgoingMailServerUseSSL</key>
        <true/>
        <key>OutgoingMailServerUsername</key>
        <string>Alice@Example.org</string>
        <key>OutgoingPasswordSameAsIncomingPassword</key>
        <true/>
        <key>PayloadDescription</key>
        <string>Mail account Alice@Example.org</string>
        <key>PayloadDisplayName</key>
        <string>Alice@Example.org</string>
        <key>PayloadIdentifier</key>
        <string>org.example.mail.postamt.mobileconfig.)" +
                     profile_uuid + R"(.mail</string>
        <key>PayloadType</key>
        <string>com.apple.mail.managed</string>
        <key>PayloadUUID</key>
        <string>)" + mail_uuid +
                     R"(</string>
        <key>PayloadVersion</key>
        <integer>1</integer>
      </dict>
    </array>
    <key>PayloadDescription</key>
    <string>Mail settings for Alice@Example.org from mail.example.org</string>
    <key>PayloadDisplayName</key>
    <string>Mail (example.org)</string>
    <key>PayloadIdentifier</key>
    <string>org.example.mail.postamt.mobileconfig.)" +
                     profile_uuid + R"(</string>
    <key>PayloadOrganization</key>
    <string>example.org</string>
    <key>PayloadRemovalDisallowed</key>
    <false/>
    <key>PayloadType</key>
    <string>Configuration</string>
    <key>PayloadUUID</key>
    <string>)" + profile_uuid +
                     R"(</string>
    <key>PayloadVersion</key>
    <integer>1</integer>
  </dict>
</plist>
)");
  // The same address gives the same profile; another address another one.
  EXPECT_EQ(apple_profile(s, "Alice@Example.org"), doc);
  EXPECT_EQ(apple_profile(s, "alice@example.org").find(profile_uuid) != std::string::npos, true);
  EXPECT_EQ(apple_profile(s, "bob@example.org").find(profile_uuid), std::string::npos);
}

TEST(Documents, ApplePop3WithStarttls) {
  PublicServer s = public_server(
      config_of("hostname = \"mail.example.org\"\n"
                "[listen]\npop3 = [\"0.0.0.0:110\"]\nsubmission = [\"0.0.0.0:587\"]\n"));
  std::string doc = apple_profile(s, "bob@example.org");
  EXPECT_NE(doc.find("<key>EmailAccountType</key>\n        <string>EmailTypePOP</string>"),
            std::string::npos);
  EXPECT_NE(doc.find("<key>IncomingMailServerPortNumber</key>\n        <integer>110</integer>\n"
                     "        <key>IncomingMailServerUseSSL</key>\n        <false/>"),
            std::string::npos)
      << doc;
  EXPECT_NE(doc.find("<key>OutgoingMailServerPortNumber</key>\n        <integer>587</integer>\n"
                     "        <key>OutgoingMailServerUseSSL</key>\n        <false/>"),
            std::string::npos)
      << doc;
}

// RFC 9562 Appendix A.4: the DNS namespace and "www.example.com".
TEST(Documents, UuidV5KnownAnswer) {
  const std::array<uint8_t, 16> dns = {0x6b, 0xa7, 0xb8, 0x10, 0x9d, 0xad, 0x11, 0xd1,
                                       0x80, 0xb4, 0x00, 0xc0, 0x4f, 0xd4, 0x30, 0xc8};
  EXPECT_EQ(uuid_v5(dns, "www.example.com"), "2ed6657d-e927-568b-95e1-2665a8aea6a2");
  std::string u = stable_uuid("x");
  EXPECT_EQ(u.size(), 36u);
  EXPECT_EQ(u[14], '5');
  EXPECT_NE(std::string("89ab").find(u[19]), std::string::npos);
}

TEST(Documents, MtaStsPolicyAndId) {
  PublicServer s = public_server(config_of(kAll));
  std::string testing = mta_sts_policy(s, MtaStsMode::testing, std::chrono::seconds(604800));
  EXPECT_EQ(testing,
            "version: STSv1\r\nmode: testing\r\nmx: mail.example.org\r\nmax_age: 604800\r\n");
  EXPECT_EQ(mta_sts_policy(s, MtaStsMode::enforce, std::chrono::seconds(86400)),
            "version: STSv1\r\nmode: enforce\r\nmx: mail.example.org\r\nmax_age: 86400\r\n");
  std::string id = mta_sts_id(testing);
  EXPECT_EQ(id.size(), 20u);
  EXPECT_EQ(id.find_first_not_of("0123456789abcdef"), std::string::npos);
  EXPECT_EQ(mta_sts_id(testing), id);
  EXPECT_NE(mta_sts_id(mta_sts_policy(s, MtaStsMode::enforce, std::chrono::seconds(604800))), id);
}

}  // namespace
}  // namespace postamt::autoconfig
