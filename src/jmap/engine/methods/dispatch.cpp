#include <array>

#include "jmap/engine/methods/methods.h"

namespace postamt::jmap {
namespace {

constexpr std::array kMethods = {
    MethodEntry{"Core/echo", kCoreCapability, &methods::core_echo},
    MethodEntry{"Mailbox/get", kMailCapability, &methods::mailbox_get},
    MethodEntry{"Mailbox/changes", kMailCapability, &methods::mailbox_changes},
    MethodEntry{"Mailbox/query", kMailCapability, &methods::mailbox_query},
    MethodEntry{"Mailbox/queryChanges", kMailCapability, &methods::mailbox_query_changes},
    MethodEntry{"Mailbox/set", kMailCapability, &methods::mailbox_set},
    MethodEntry{"Thread/get", kMailCapability, &methods::thread_get},
    MethodEntry{"Thread/changes", kMailCapability, &methods::thread_changes},
    MethodEntry{"Email/get", kMailCapability, &methods::email_get},
    MethodEntry{"Email/changes", kMailCapability, &methods::email_changes},
    MethodEntry{"Email/query", kMailCapability, &methods::email_query},
    MethodEntry{"Email/queryChanges", kMailCapability, &methods::email_query_changes},
    MethodEntry{"Email/set", kMailCapability, &methods::email_set},
    MethodEntry{"Email/import", kMailCapability, &methods::email_import},
    MethodEntry{"Identity/get", kSubmissionCapability, &methods::identity_get},
    MethodEntry{"Identity/changes", kSubmissionCapability, &methods::identity_changes},
    MethodEntry{"MDN/send", kMdnCapability, &methods::mdn_send},
    MethodEntry{"MDN/parse", kMdnCapability, &methods::mdn_parse},
    MethodEntry{"VacationResponse/get", kVacationCapability, &methods::vacation_response_get},
    MethodEntry{"VacationResponse/set", kVacationCapability, &methods::vacation_response_set},
    MethodEntry{"SearchSnippet/get", kMailCapability, &methods::search_snippet_get},
    MethodEntry{"Email/parse", kMailCapability, &methods::email_parse},
    MethodEntry{"Email/copy", kMailCapability, &methods::email_copy},
    MethodEntry{"Blob/copy", kCoreCapability, &methods::blob_copy},
    MethodEntry{"EmailSubmission/get", kSubmissionCapability, &methods::email_submission_get},
    MethodEntry{"EmailSubmission/changes", kSubmissionCapability,
                &methods::email_submission_changes},
    MethodEntry{"EmailSubmission/query", kSubmissionCapability, &methods::email_submission_query},
    MethodEntry{"EmailSubmission/queryChanges", kSubmissionCapability,
                &methods::email_submission_query_changes},
    MethodEntry{"EmailSubmission/set", kSubmissionCapability, &methods::email_submission_set},
    MethodEntry{"PushSubscription/get", kCoreCapability, &methods::push_subscription_get},
    MethodEntry{"PushSubscription/set", kCoreCapability, &methods::push_subscription_set},
};

}  // namespace

const MethodEntry* find_method(std::string_view name) {
  for (const MethodEntry& m : kMethods)
    if (m.name == name) return &m;
  return nullptr;
}

}  // namespace postamt::jmap
