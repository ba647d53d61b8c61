#include "jmap/proto/errors.h"

#include <gtest/gtest.h>

#include <boost/json/serialize.hpp>

namespace postamt::jmap {
namespace {

std::string js(const json::object& o) {
  return json::serialize(o);
}

TEST(JmapErrors, MethodErrorArguments) {
  EXPECT_EQ(js(unknown_method("Foo/bar").to_arguments()),
            R"({"type":"unknownMethod","description":"unknown method \"Foo/bar\""})");
  EXPECT_EQ(js(account_not_found().to_arguments()), R"({"type":"accountNotFound"})");
  EXPECT_EQ(js(invalid_arguments("bad").to_arguments()),
            R"({"type":"invalidArguments","description":"bad"})");
  EXPECT_EQ(js(invalid_arguments("bad", "ids").to_arguments()),
            R"({"type":"invalidArguments","description":"bad","arguments":["ids"]})");
  MethodError e = state_mismatch();
  e.extra["type"] = "hijack";
  e.extra["newState"] = "s2";
  EXPECT_EQ(js(e.to_arguments()), R"({"type":"stateMismatch","newState":"s2"})");
}

TEST(JmapErrors, FactoriesUseRegisteredNames) {
  EXPECT_EQ(server_fail().type, "serverFail");
  EXPECT_EQ(server_unavailable().type, "serverUnavailable");
  EXPECT_EQ(forbidden().type, "forbidden");
  EXPECT_EQ(account_not_supported_by_method().type, "accountNotSupportedByMethod");
  EXPECT_EQ(account_read_only().type, "accountReadOnly");
  EXPECT_EQ(request_too_large().type, "requestTooLarge");
  EXPECT_EQ(cannot_calculate_changes().type, "cannotCalculateChanges");
  EXPECT_EQ(anchor_not_found().type, "anchorNotFound");
  EXPECT_EQ(unsupported_sort().type, "unsupportedSort");
  EXPECT_EQ(unsupported_filter().type, "unsupportedFilter");
  EXPECT_EQ(too_many_changes().type, "tooManyChanges");
  EXPECT_EQ(from_account_not_found().type, "fromAccountNotFound");
  EXPECT_EQ(from_account_not_supported_by_method().type, "fromAccountNotSupportedByMethod");
  EXPECT_EQ(invalid_result_reference("x").type, "invalidResultReference");
  EXPECT_EQ(method_failure(method_error::kServerPartialFail).type, "serverPartialFail");
  EXPECT_EQ(method_error::kUnknownDataType, "unknownDataType");
}

TEST(JmapErrors, SetErrorJson) {
  EXPECT_EQ(js(not_found().to_json()), R"({"type":"notFound"})");
  EXPECT_EQ(js(invalid_properties({"name", "parentId"}, "bad name").to_json()),
            R"({"type":"invalidProperties","description":"bad name",)"
            R"("properties":["name","parentId"]})");
  EXPECT_EQ(js(invalid_patch("p").to_json()), R"({"type":"invalidPatch","description":"p"})");
  EXPECT_EQ(js(already_exists("M7").to_json()), R"({"type":"alreadyExists","existingId":"M7"})");
  EXPECT_EQ(js(blob_not_found({"B1", "B2"}).to_json()),
            R"({"type":"blobNotFound","notFound":["B1","B2"]})");
  SetError e = set_failure(set_error::kTooManyRecipients, "limit");
  e.extra["maxRecipients"] = 100;
  e.extra["description"] = "dropped";
  EXPECT_EQ(js(e.to_json()),
            R"({"type":"tooManyRecipients","description":"limit","maxRecipients":100})");
  EXPECT_EQ(set_error::kMdnAlreadySent, "mdnAlreadySent");
  EXPECT_EQ(set_error::kCannotUnsend, "cannotUnsend");
}

}  // namespace
}  // namespace postamt::jmap
