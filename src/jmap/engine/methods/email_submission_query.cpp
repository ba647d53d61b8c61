#include <algorithm>

#include "jmap/engine/arguments.h"
#include "jmap/engine/methods/methods.h"
#include "jmap/engine/query.h"
#include "jmap/engine/standard.h"
#include "jmap/engine/submission_json.h"
#include "jmap/proto/arguments.h"

namespace postamt::jmap::methods {
namespace {

bool in_list(const json::value& value, std::string_view name, const std::string& id,
             CallContext& context) {
  if (!value.is_array()) fail("unsupportedFilter", std::string(name) + " must be a list of Ids");
  for (const json::value& v : value.get_array()) {
    if (!v.is_string()) fail("unsupportedFilter", std::string(name) + " must be a list of Ids");
    if (context.resolve_id(v.get_string()).value_or(std::string(v.get_string())) == id) return true;
  }
  return false;
}

int64_t read_date(const json::value& value, std::string_view name) {
  auto at = value.is_string() ? parse_utc_date(value.get_string()) : std::nullopt;
  if (!at) fail("unsupportedFilter", std::string(name) + " must be a UTCDate");
  return *at;
}

// RFC 8621 §7.3 FilterCondition.
bool matches(CallContext& context, const store::EmailSubmission& r, const json::object& f) {
  for (const auto& [key, value] : f) {
    if (key == "identityIds") {
      if (!in_list(value, key, r.identity_id, context)) return false;
    } else if (key == "emailIds") {
      if (!in_list(value, key, r.email_id, context)) return false;
    } else if (key == "threadIds") {
      if (!in_list(value, key, r.thread_id, context)) return false;
    } else if (key == "undoStatus") {
      if (!value.is_string()) fail("unsupportedFilter", "undoStatus must be a string");
      if (value.get_string() != "final") return false;  // every submission is final
    } else if (key == "before") {
      if (!(r.send_at < read_date(value, key))) return false;
    } else if (key == "after") {
      if (!(r.send_at >= read_date(value, key))) return false;
    } else {
      fail("unsupportedFilter", "unknown filter property " + std::string(key));
    }
  }
  return true;
}

bool matches_filter(CallContext& context, const store::EmailSubmission& r,
                    const json::value& filter) {
  if (!filter.is_object()) fail_argument("filter", "expected an object");
  const json::object& f = filter.get_object();
  auto op = f.find("operator");
  if (op == f.end()) return matches(context, r, f);
  // RFC 8620 §5.5 FilterOperator.
  auto conditions = f.find("conditions");
  if (!op->value().is_string() || conditions == f.end() || !conditions->value().is_array())
    fail_argument("filter", "a FilterOperator needs AND, OR or NOT and conditions");
  std::string_view name = op->value().get_string();
  const json::array& list = conditions->value().get_array();
  auto one = [&](const json::value& c) { return matches_filter(context, r, c); };
  if (name == "AND") return std::all_of(list.begin(), list.end(), one);
  if (name == "OR") return std::any_of(list.begin(), list.end(), one);
  if (name == "NOT") return std::none_of(list.begin(), list.end(), one);
  fail_argument("filter", "operator must be AND, OR or NOT");
}

}  // namespace

// RFC 8621 §7.3: sort by emailId, threadId or sentAt, then by creation.
json::object email_submission_query(CallContext& context, const json::object& arguments) {
  context.require_account(arguments);
  auto records = context.store().list_email_submissions(context.account().id);
  if (!records) fail_store(records.error(), "the store could not be read");
  std::vector<const store::EmailSubmission*> found;
  auto filter = arguments.find("filter");
  bool has_filter = filter != arguments.end() && !filter->value().is_null();
  for (const store::EmailSubmission& r : *records)
    if (!has_filter || matches_filter(context, r, filter->value())) found.push_back(&r);

  struct Key {
    std::string property;
    bool ascending = true;
  };
  std::vector<Key> keys;
  if (auto sort = arguments.find("sort"); sort != arguments.end() && !sort->value().is_null()) {
    if (!sort->value().is_array()) fail_argument("sort", "expected a list of Comparators");
    for (const json::value& c : sort->value().get_array()) {
      if (!c.is_object()) fail_argument("sort", "expected a list of Comparators");
      auto property = read_string(c.get_object(), "property");
      if (!property) fail_argument("sort", "a Comparator needs a property");
      if (*property != "emailId" && *property != "threadId" && *property != "sentAt")
        fail("unsupportedSort", "cannot sort by " + *property);
      keys.push_back({*property, read_bool(c.get_object(), "isAscending").value_or(true)});
    }
  }
  std::stable_sort(found.begin(), found.end(), [&](const auto* a, const auto* b) {
    for (const Key& k : keys) {
      int c = 0;
      if (k.property == "emailId")
        c = a->email_id.compare(b->email_id);
      else if (k.property == "threadId")
        c = a->thread_id.compare(b->thread_id);
      else
        c = a->send_at < b->send_at ? -1 : a->send_at > b->send_at ? 1 : 0;
      if (c != 0) return k.ascending ? c < 0 : c > 0;
    }
    return a->id < b->id;
  });
  std::vector<std::string> ids;
  for (const auto* r : found) ids.push_back(submission_object_id(r->id));
  return answer_query(context, arguments, ids, context.view().modseq(), false);
}

// RFC 8621 §7.4: not calculated (canCalculateChanges is false in every /query answer).
json::object email_submission_query_changes(CallContext& context, const json::object& arguments) {
  context.require_account(arguments);
  fail("cannotCalculateChanges", "query changes are not kept for EmailSubmission");
}

}  // namespace postamt::jmap::methods
