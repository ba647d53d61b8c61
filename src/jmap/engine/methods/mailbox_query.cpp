#include <algorithm>

#include "jmap/engine/arguments.h"
#include "jmap/engine/mailbox_json.h"
#include "jmap/engine/methods/methods.h"
#include "jmap/engine/query.h"
#include "model/mailbox_role.h"

namespace postamt::jmap::methods {
namespace {

// RFC 8621 §2.3 FilterCondition: parentId, name, role, hasAnyRole, isSubscribed.
bool matches(const AccountView& view, const store::Mailbox& m, const json::object& filter);

bool matches_filter(const AccountView& view, const store::Mailbox& m, const json::value& filter) {
  if (!filter.is_object()) fail_argument("filter", "expected an object");
  const json::object& f = filter.get_object();
  auto op = f.find("operator");
  if (op == f.end()) return matches(view, m, f);
  // RFC 8620 §5.5 FilterOperator.
  if (!op->value().is_string()) fail_argument("filter", "operator must be AND, OR or NOT");
  auto conditions = f.find("conditions");
  if (conditions == f.end() || !conditions->value().is_array())
    fail_argument("filter", "a FilterOperator needs conditions");
  std::string_view name = op->value().get_string();
  const json::array& list = conditions->value().get_array();
  if (name == "AND")
    return std::all_of(list.begin(), list.end(),
                       [&](const json::value& c) { return matches_filter(view, m, c); });
  if (name == "OR")
    return std::any_of(list.begin(), list.end(),
                       [&](const json::value& c) { return matches_filter(view, m, c); });
  if (name == "NOT")
    return std::none_of(list.begin(), list.end(),
                        [&](const json::value& c) { return matches_filter(view, m, c); });
  fail_argument("filter", "operator must be AND, OR or NOT");
}

bool matches(const AccountView& view, const store::Mailbox& m, const json::object& f) {
  for (const auto& [key, value] : f) {
    if (key == "parentId") {
      const store::Mailbox* parent = parent_of(view, m);
      if (value.is_null()) {
        if (parent) return false;
      } else if (!value.is_string()) {
        fail("unsupportedFilter", "parentId must be an Id or null");
      } else if (!parent || AccountView::mailbox_id(*parent) != value.get_string()) {
        return false;
      }
    } else if (key == "name") {
      if (!value.is_string()) fail("unsupportedFilter", "name must be a string");
      if (leaf_name(view, m).find(std::string_view(value.get_string())) == std::string::npos)
        return false;
    } else if (key == "role") {
      std::string_view role = role_name(m.role);
      if (value.is_null()) {
        if (!role.empty()) return false;
      } else if (!value.is_string()) {
        fail("unsupportedFilter", "role must be a string or null");
      } else if (role != value.get_string()) {
        return false;
      }
    } else if (key == "hasAnyRole") {
      if (!value.is_bool()) fail("unsupportedFilter", "hasAnyRole must be true or false");
      if ((m.role != MailboxRole::none) != value.get_bool()) return false;
    } else if (key == "isSubscribed") {
      if (!value.is_bool()) fail("unsupportedFilter", "isSubscribed must be true or false");
      if ((m.subscription == store::Subscription::subscribed) != value.get_bool()) return false;
    } else {
      fail("unsupportedFilter", "unknown filter property " + std::string(key));
    }
  }
  return true;
}

int sort_order(const store::Mailbox& m) {
  return m.role == MailboxRole::none ? 100 : static_cast<int>(m.role);
}

}  // namespace

// RFC 8621 §2.3; sortAsTree and filterAsTree as §2.3 describes.
json::object mailbox_query(CallContext& context, const json::object& arguments) {
  context.require_account(arguments);
  const AccountView& view = context.view();
  std::vector<const store::Mailbox*> boxes;
  auto filter = arguments.find("filter");
  bool has_filter = filter != arguments.end() && !filter->value().is_null();
  for (const store::Mailbox& m : view.mailboxes())
    if (!has_filter || matches_filter(view, m, filter->value())) boxes.push_back(&m);

  // Sort: name and sortOrder (§2.3); anything else is unsupportedSort.
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
      if (*property != "name" && *property != "sortOrder")
        fail("unsupportedSort", "cannot sort by " + *property);
      keys.push_back({*property, read_bool(c.get_object(), "isAscending").value_or(true)});
    }
  }
  auto less = [&](const store::Mailbox* a, const store::Mailbox* b) {
    for (const Key& k : keys) {
      int c = 0;
      if (k.property == "name")
        c = leaf_name(view, *a).compare(leaf_name(view, *b));
      else
        c = sort_order(*a) - sort_order(*b);
      if (c != 0) return k.ascending ? c < 0 : c > 0;
    }
    return a->id.value() < b->id.value();
  };
  bool as_tree = read_bool(arguments, "sortAsTree").value_or(false);
  bool filter_as_tree = read_bool(arguments, "filterAsTree").value_or(false);
  if (filter_as_tree) {
    // A mailbox whose parent did not match is left out too (§2.3 filterAsTree).
    std::vector<const store::Mailbox*> kept;
    for (const store::Mailbox* m : boxes) {
      bool ok = true;
      for (const store::Mailbox* p = parent_of(view, *m); p && ok; p = parent_of(view, *p))
        ok = std::find(boxes.begin(), boxes.end(), p) != boxes.end();
      if (ok) kept.push_back(m);
    }
    boxes = std::move(kept);
  }
  std::vector<std::string> ids;
  if (as_tree) {
    // Each parent before its children, siblings in sort order (§2.3 sortAsTree).
    auto add_level = [&](auto& self, const store::Mailbox* parent) -> void {
      std::vector<const store::Mailbox*> level;
      for (const store::Mailbox* m : boxes)
        if (parent_of(view, *m) == parent ||
            (parent == nullptr &&
             std::find(boxes.begin(), boxes.end(), parent_of(view, *m)) == boxes.end() &&
             parent_of(view, *m) != nullptr))
          level.push_back(m);
      std::sort(level.begin(), level.end(), less);
      for (const store::Mailbox* m : level) {
        ids.push_back(AccountView::mailbox_id(*m));
        self(self, m);
      }
    };
    add_level(add_level, nullptr);
  } else {
    std::sort(boxes.begin(), boxes.end(), less);
    for (const store::Mailbox* m : boxes) ids.push_back(AccountView::mailbox_id(*m));
  }
  return answer_query(context, arguments, ids, view.modseq(), false);
}

// RFC 8620 §5.6: Postamt keeps no history of mailbox query results; the client queries
// again (there are few mailboxes).
json::object mailbox_query_changes(CallContext& context, const json::object& arguments) {
  context.require_account(arguments);
  fail("cannotCalculateChanges", "query again: mailbox lists are small");
}

}  // namespace postamt::jmap::methods
