// The JMAP methods (RFC 8620, 8621, 9007), one file each in this folder, and the table
// api.cpp dispatches by name (docs/protocols/jmap.md lists them). A method reads its
// arguments, does its work through the mail core on the calling store thread, and returns
// its response arguments; errors are thrown as MethodFailure (arguments.h).
#pragma once

#include <boost/json/object.hpp>

#include <string_view>

#include "jmap/engine/call_context.h"
#include "jmap/proto/request.h"

namespace postamt::jmap {

using MethodFunction = json::object (*)(CallContext& context, const json::object& arguments);

struct MethodEntry {
  std::string_view name;        // "Email/get"
  std::string_view capability;  // the "using" entry it needs
  MethodFunction run;
};

// nullptr for a name no capability defines.
const MethodEntry* find_method(std::string_view name);

namespace methods {
json::object core_echo(CallContext&, const json::object&);
json::object mailbox_get(CallContext&, const json::object&);
json::object mailbox_changes(CallContext&, const json::object&);
json::object mailbox_query(CallContext&, const json::object&);
json::object mailbox_query_changes(CallContext&, const json::object&);
json::object mailbox_set(CallContext&, const json::object&);
json::object thread_get(CallContext&, const json::object&);
json::object thread_changes(CallContext&, const json::object&);
json::object email_get(CallContext&, const json::object&);
json::object email_changes(CallContext&, const json::object&);
json::object email_query(CallContext&, const json::object&);
json::object email_query_changes(CallContext&, const json::object&);
json::object email_set(CallContext&, const json::object&);
json::object email_import(CallContext&, const json::object&);
json::object identity_get(CallContext&, const json::object&);
json::object identity_changes(CallContext&, const json::object&);
json::object mdn_send(CallContext&, const json::object&);
json::object mdn_parse(CallContext&, const json::object&);
json::object vacation_response_get(CallContext&, const json::object&);
json::object vacation_response_set(CallContext&, const json::object&);
json::object search_snippet_get(CallContext&, const json::object&);
json::object email_parse(CallContext&, const json::object&);
json::object email_copy(CallContext&, const json::object&);
json::object blob_copy(CallContext&, const json::object&);
json::object email_submission_get(CallContext&, const json::object&);
json::object email_submission_changes(CallContext&, const json::object&);
json::object email_submission_query(CallContext&, const json::object&);
json::object email_submission_query_changes(CallContext&, const json::object&);
json::object email_submission_set(CallContext&, const json::object&);
json::object push_subscription_get(CallContext&, const json::object&);
json::object push_subscription_set(CallContext&, const json::object&);
}  // namespace methods

}  // namespace postamt::jmap
