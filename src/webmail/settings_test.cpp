#include "webmail/settings.h"

#include <gtest/gtest.h>

#include <boost/json/serialize.hpp>

namespace postamt::webmail {
namespace {

namespace json = boost::json;

TEST(WebmailSettings, DefaultsAskAndFollowTheBrowser) {
  mdn::Policy policy;
  EXPECT_EQ(json::serialize(settings_json(settings_from({}), policy)),
            R"({"language":null,"receipts":{"choice":"ask","locked":false,"lockedBy":null,)"
            R"("lockedReason":null,"serverOnDownload":"off","onePerRecipient":true}})");
}

TEST(WebmailSettings, StoredRowsAreReadAndUnknownOnesIgnored) {
  Settings s = settings_from({{"language", "de"},
                              {"receipt_choice", "never"},
                              {"theme", "dark"},
                              {"receipt_choice", "sometimes"}});
  EXPECT_EQ(s.language, "de");
  EXPECT_EQ(s.receipt_choice, ReceiptChoice::never);
  EXPECT_EQ(settings_from({{"language", "fr"}}).language, std::nullopt);
}

TEST(WebmailSettings, AServerReceiptOnDownloadLocksTheChoice) {
  mdn::Policy policy;
  policy.on_download = ReceiptOnDownload::displayed;
  policy.on_download_from = mdn::PolicySource::domain;
  policy.one_per_recipient = false;
  json::object o = settings_json(Settings{"en", ReceiptChoice::always}, policy);
  EXPECT_EQ(o.at("language"), "en");
  const json::object& r = o.at("receipts").as_object();
  EXPECT_EQ(r.at("choice"), "always");
  EXPECT_EQ(r.at("locked"), true);
  EXPECT_EQ(r.at("lockedBy"), "domain");
  EXPECT_EQ(r.at("lockedReason"),
            "The server sends a read receipt itself when a message is first downloaded, so the "
            "webmail never asks.");
  EXPECT_EQ(r.at("serverOnDownload"), "displayed");
  EXPECT_EQ(r.at("onePerRecipient"), false);
}

TEST(WebmailSettings, UpdatesAreCheckedMemberByMember) {
  auto rows = parse_settings_update(R"({"language":"de","receiptChoice":"never"})");
  ASSERT_TRUE(rows);
  EXPECT_EQ(*rows,
            (std::vector<store::WebSetting>{{"language", "de"}, {"receipt_choice", "never"}}));
  EXPECT_EQ(*parse_settings_update(R"({"language":null})"),
            (std::vector<store::WebSetting>{{"language", ""}}));
  EXPECT_TRUE(parse_settings_update("{}")->empty());
  auto error = [](std::string_view body) {
    auto r = parse_settings_update(body);
    return r ? std::string("accepted") : r.error().message;
  };
  EXPECT_EQ(error(R"({"language":"fr"})"), "language must be \"en\", \"de\" or null");
  EXPECT_EQ(error(R"({"receiptChoice":"sometimes"})"),
            "receiptChoice must be \"ask\", \"always\" or \"never\"");
  EXPECT_EQ(error(R"({"receiptChoice":null})"),
            "receiptChoice must be \"ask\", \"always\" or \"never\"");
  EXPECT_EQ(error(R"({"theme":"dark"})"), "unknown setting \"theme\"");
  EXPECT_EQ(error("[]"), "the body must be a JSON object");
  EXPECT_EQ(error("{\"language\":"), "the body must be a JSON object");
  EXPECT_EQ(error(""), "the body must be a JSON object");
}

}  // namespace
}  // namespace postamt::webmail
