#include "jmap/engine/email_search.h"

#include <algorithm>
#include <memory>
#include <unordered_map>
#include <unordered_set>

#include "base/log.h"
#include "jmap/engine/arguments.h"
#include "jmap/engine/email_filter.h"
#include "jmap/engine/keywords.h"
#include "mail/sort.h"

namespace postamt::jmap {
namespace {

namespace json = boost::json;

struct Comparator {
  std::string property;
  bool ascending = true;
  std::string keyword;
};

std::vector<Comparator> read_sort(const json::object& arguments) {
  std::vector<Comparator> out;
  auto sort = arguments.find("sort");
  if (sort == arguments.end() || sort->value().is_null()) return out;
  if (!sort->value().is_array()) fail_argument("sort", "expected a list of Comparators");
  for (const json::value& v : sort->value().get_array()) {
    if (!v.is_object()) fail_argument("sort", "expected a list of Comparators");
    const json::object& c = v.get_object();
    Comparator comparator;
    auto property = read_string(c, "property");
    if (!property) fail_argument("sort", "a Comparator needs a property");
    comparator.property = *property;
    comparator.ascending = read_bool(c, "isAscending").value_or(true);
    if (auto collation = read_string(c, "collation");
        collation && *collation != "i;unicode-casemap")
      fail("unsupportedSort", "only the i;unicode-casemap collation is offered");
    static constexpr std::string_view kKeywordSorts[] = {"hasKeyword", "allInThreadHaveKeyword",
                                                         "someInThreadHaveKeyword"};
    if (std::find(std::begin(kKeywordSorts), std::end(kKeywordSorts), comparator.property) !=
        std::end(kKeywordSorts)) {
      auto keyword = read_string(c, "keyword");
      if (!keyword) fail_argument("sort", comparator.property + " needs a keyword");
      comparator.keyword = *keyword;
    } else if (comparator.property != "receivedAt" && comparator.property != "size" &&
               comparator.property != "from" && comparator.property != "to" &&
               comparator.property != "subject" && comparator.property != "sentAt") {
      fail("unsupportedSort", "cannot sort by " + comparator.property);
    }
    out.push_back(std::move(comparator));
  }
  return out;
}

// The mail core's sort key for a header property (mail/sort.h).
std::optional<mail::SortKey> header_key(std::string_view property) {
  if (property == "from") return mail::SortKey::from;
  if (property == "to") return mail::SortKey::to;
  if (property == "subject") return mail::SortKey::subject;
  if (property == "sentAt") return mail::SortKey::date;
  return std::nullopt;
}

// Every Email's value under one header criterion, from its first copy, computed by the
// mail core's sort over each mailbox (mail/sort.h: the stored envelope lines, the
// i;unicode-casemap collation), comparable across mailboxes.
class HeaderValues {
 public:
  HeaderValues(CallContext& context, const std::vector<const EmailEntry*>& emails,
               mail::SortKey key) {
    std::unordered_map<const store::Mailbox*, std::vector<const EmailEntry*>> by_mailbox;
    for (const EmailEntry* e : emails) by_mailbox[e->copies.front().mailbox].push_back(e);
    for (auto& [mailbox, list] : by_mailbox) {
      std::sort(list.begin(), list.end(), [](const EmailEntry* a, const EmailEntry* b) {
        return a->copies.front().record->uid < b->copies.front().record->uid;
      });
      std::vector<const store::MessageRecord*> records;
      for (const EmailEntry* e : list) records.push_back(e->copies.front().record);
      auto values = mail::sort_values(context.store(), context.blobs(), mailbox->id, records, key);
      if (!values) {
        log::warning("jmap", "Email/query cannot sort: {}", values.error().message);
        fail_store(values.error(), "the messages could not be sorted");
      }
      columns_.push_back(std::make_unique<mail::SortValues>(std::move(*values)));
      for (size_t i = 0; i < list.size(); ++i) at_[list[i]] = {columns_.back().get(), i};
    }
  }
  int compare(const EmailEntry* a, const EmailEntry* b) const {
    const auto& [va, ia] = at_.at(a);
    const auto& [vb, ib] = at_.at(b);
    return va->compare(ia, *vb, ib);
  }

 private:
  std::vector<std::unique_ptr<mail::SortValues>> columns_;
  std::unordered_map<const EmailEntry*, std::pair<const mail::SortValues*, size_t>> at_;
};

}  // namespace

std::vector<std::string> query_email_ids(CallContext& context, const json::object& arguments) {
  const AccountView& view = context.view();
  std::vector<Comparator> sort = read_sort(arguments);
  bool collapse = read_bool(arguments, "collapseThreads").value_or(false);

  std::vector<const EmailEntry*> matched;
  auto filter = arguments.find("filter");
  if (filter != arguments.end() && !filter->value().is_null()) {
    EmailFilter compiled = EmailFilter::compile(view, filter->value());
    for (const EmailEntry& e : view.emails())
      if (compiled.matches(e, context.blobs())) matched.push_back(&e);
  } else {
    for (const EmailEntry& e : view.emails()) matched.push_back(&e);
  }

  std::vector<std::unique_ptr<HeaderValues>> headers(sort.size());
  for (size_t i = 0; i < sort.size(); ++i)
    if (auto key = header_key(sort[i].property))
      headers[i] = std::make_unique<HeaderValues>(context, matched, *key);
  auto thread_has = [&](const EmailEntry* e, const std::string& k, bool all) {
    auto thread = view.thread(e->thread());
    return all ? std::all_of(thread.begin(), thread.end(),
                             [&](const EmailEntry* t) { return has_keyword(t->latest(), k); })
               : std::any_of(thread.begin(), thread.end(),
                             [&](const EmailEntry* t) { return has_keyword(t->latest(), k); });
  };
  auto compare = [&](const EmailEntry* a, const EmailEntry* b, size_t i) -> int64_t {
    const Comparator& c = sort[i];
    if (c.property == "receivedAt") return a->received_at() - b->received_at();
    if (c.property == "size")
      return static_cast<int64_t>(a->latest().size) - static_cast<int64_t>(b->latest().size);
    if (c.property == "hasKeyword")
      return int64_t{has_keyword(a->latest(), c.keyword)} - has_keyword(b->latest(), c.keyword);
    if (c.property == "allInThreadHaveKeyword")
      return int64_t{thread_has(a, c.keyword, true)} - thread_has(b, c.keyword, true);
    if (c.property == "someInThreadHaveKeyword")
      return int64_t{thread_has(a, c.keyword, false)} - thread_has(b, c.keyword, false);
    return headers[i]->compare(a, b);
  };
  std::stable_sort(matched.begin(), matched.end(), [&](const EmailEntry* a, const EmailEntry* b) {
    for (size_t i = 0; i < sort.size(); ++i) {
      int64_t c = compare(a, b, i);
      if (c != 0) return sort[i].ascending ? c < 0 : c > 0;
    }
    return false;
  });

  std::vector<std::string> ids;
  std::unordered_set<uint64_t> seen_threads;
  for (const EmailEntry* e : matched) {
    // §4.4.2 collapseThreads: only the first Email of each thread in the sorted list.
    if (collapse && !seen_threads.insert(e->thread()).second) continue;
    ids.push_back(e->id);
  }
  return ids;
}

}  // namespace postamt::jmap
