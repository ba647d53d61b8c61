#include "jmap/engine/email_filter.h"

#include <algorithm>

#include "base/log.h"
#include "base/strings.h"
#include "jmap/email/email_view.h"
#include "jmap/engine/arguments.h"
#include "jmap/engine/keywords.h"
#include "jmap/proto/arguments.h"
#include "mail/search.h"
#include "mime/message.h"
#include "model/flags.h"

namespace postamt::jmap {

namespace json = boost::json;

struct EmailFilter::Node {
  enum class Op { all_of, any_of, none_of, condition } op = Op::condition;
  std::vector<std::unique_ptr<Node>> children;
  // A condition: what is judged on the Email, then the compiled message conditions.
  std::vector<const store::Mailbox*> in_mailbox;        // every one must hold the Email
  std::vector<const store::Mailbox*> not_in_mailboxes;  // inMailboxOtherThan
  bool has_in_mailbox = false, in_mailbox_missing = false, has_other_than = false;
  std::vector<std::string> all_in_thread, some_in_thread, none_in_thread;
  std::optional<bool> has_attachment;
  std::optional<mail::SearchProgram> program;
};

namespace {

using Node = EmailFilter::Node;

[[noreturn]] void unsupported(std::string_view what) {
  fail("unsupportedFilter", std::string(what));
}

std::string text_of(const json::value& v, std::string_view name) {
  if (!v.is_string()) unsupported(std::string(name) + " must be a string");
  return std::string(v.get_string());
}

SearchQuery keyword_query(std::string_view keyword, bool has) {
  SearchQuery q;
  static constexpr std::pair<std::string_view, SystemFlag> kFlags[] = {
      {"$seen", SystemFlag::seen},
      {"$answered", SystemFlag::answered},
      {"$flagged", SystemFlag::flagged},
      {"$draft", SystemFlag::draft}};
  for (const auto& [name, flag] : kFlags) {
    if (iequals(name, keyword)) {
      q.kind = has ? SearchQuery::Kind::has_flag : SearchQuery::Kind::lacks_flag;
      q.flag = flag;
      return q;
    }
  }
  q.kind = has ? SearchQuery::Kind::has_keyword : SearchQuery::Kind::lacks_keyword;
  q.text = std::string(keyword);
  return q;
}

SearchQuery text_query(SearchQuery::Kind kind, std::string text) {
  SearchQuery q;
  q.kind = kind;
  q.text = std::move(text);
  return q;
}

std::unique_ptr<Node> compile_condition(const AccountView& view, const json::object& c) {
  auto node = std::make_unique<Node>();
  SearchQuery all;
  all.kind = SearchQuery::Kind::all_of;
  auto date = [&](const json::value& v, std::string_view name) {
    if (!v.is_string()) unsupported(std::string(name) + " must be a UTCDate");
    auto seconds = parse_utc_date(v.get_string());
    if (!seconds) unsupported(std::string(name) + " must be a UTCDate");
    return *seconds;
  };
  auto size = [&](const json::value& v, std::string_view name) {
    auto n = as_unsigned(v);
    if (!n) unsupported(std::string(name) + " must be an UnsignedInt");
    return *n;
  };
  for (const auto& [key, value] : c) {
    std::string_view k = key;
    if (k == "inMailbox") {
      node->has_in_mailbox = true;
      const store::Mailbox* m = view.mailbox(text_of(value, k));
      if (!m)
        node->in_mailbox_missing = true;
      else
        node->in_mailbox.push_back(m);
    } else if (k == "inMailboxOtherThan") {
      if (!value.is_array()) unsupported("inMailboxOtherThan must be a list of Ids");
      node->has_other_than = true;
      for (const json::value& id : value.get_array())
        if (const store::Mailbox* m = view.mailbox(text_of(id, k)))
          node->not_in_mailboxes.push_back(m);
    } else if (k == "before" || k == "after") {
      SearchQuery q;
      q.kind = SearchQuery::Kind::received;
      // §4.4.1: before is receivedAt < date, after is receivedAt >= date.
      (k == "before" ? q.until : q.from) = date(value, k);
      all.children.push_back(std::move(q));
    } else if (k == "minSize") {
      uint64_t n = size(value, k);
      if (n > 0) {
        SearchQuery q;
        q.kind = SearchQuery::Kind::size_above;
        q.number = n - 1;
        all.children.push_back(std::move(q));
      }
    } else if (k == "maxSize") {
      SearchQuery q;
      q.kind = SearchQuery::Kind::size_below;
      q.number = size(value, k);
      all.children.push_back(std::move(q));
    } else if (k == "allInThreadHaveKeyword") {
      node->all_in_thread.push_back(text_of(value, k));
    } else if (k == "someInThreadHaveKeyword") {
      node->some_in_thread.push_back(text_of(value, k));
    } else if (k == "noneInThreadHaveKeyword") {
      node->none_in_thread.push_back(text_of(value, k));
    } else if (k == "hasKeyword") {
      all.children.push_back(keyword_query(text_of(value, k), true));
    } else if (k == "notKeyword") {
      all.children.push_back(keyword_query(text_of(value, k), false));
    } else if (k == "hasAttachment") {
      if (!value.is_bool()) unsupported("hasAttachment must be true or false");
      node->has_attachment = value.get_bool();
    } else if (k == "text") {
      all.children.push_back(text_query(SearchQuery::Kind::text, text_of(value, k)));
    } else if (k == "from") {
      all.children.push_back(text_query(SearchQuery::Kind::from, text_of(value, k)));
    } else if (k == "to") {
      all.children.push_back(text_query(SearchQuery::Kind::to, text_of(value, k)));
    } else if (k == "cc") {
      all.children.push_back(text_query(SearchQuery::Kind::cc, text_of(value, k)));
    } else if (k == "bcc") {
      all.children.push_back(text_query(SearchQuery::Kind::bcc, text_of(value, k)));
    } else if (k == "subject") {
      all.children.push_back(text_query(SearchQuery::Kind::subject, text_of(value, k)));
    } else if (k == "body") {
      all.children.push_back(text_query(SearchQuery::Kind::body, text_of(value, k)));
    } else if (k == "header") {
      // §4.4.1: [name] matches when the field exists, [name, value] when it contains value.
      if (!value.is_array() || value.get_array().empty() || value.get_array().size() > 2)
        unsupported("header must be [name] or [name, value]");
      SearchQuery q;
      q.kind = SearchQuery::Kind::header;
      q.header_name = text_of(value.get_array()[0], k);
      if (value.get_array().size() == 2) q.text = text_of(value.get_array()[1], k);
      all.children.push_back(std::move(q));
    } else {
      unsupported("unknown filter condition " + std::string(k));
    }
  }
  auto program = mail::SearchProgram::compile(all);
  if (!program) unsupported(program.error().message);
  node->program.emplace(std::move(*program));
  return node;
}

std::unique_ptr<Node> compile_node(const AccountView& view, const json::value& filter, int depth) {
  if (depth > 50) fail_argument("filter", "nested too deeply");
  if (!filter.is_object()) fail_argument("filter", "expected a FilterOperator or FilterCondition");
  const json::object& f = filter.get_object();
  auto op = f.find("operator");
  if (op == f.end()) return compile_condition(view, f);
  auto node = std::make_unique<Node>();
  std::string_view name = op->value().is_string() ? std::string_view(op->value().get_string()) : "";
  if (name == "AND")
    node->op = Node::Op::all_of;
  else if (name == "OR")
    node->op = Node::Op::any_of;
  else if (name == "NOT")
    node->op = Node::Op::none_of;
  else
    fail_argument("filter", "operator must be AND, OR or NOT");
  auto conditions = f.find("conditions");
  if (conditions == f.end() || !conditions->value().is_array())
    fail_argument("filter", "a FilterOperator needs conditions");
  for (const auto& [key, value] : f)
    if (key != "operator" && key != "conditions")
      fail_argument("filter", "a FilterOperator has only operator and conditions");
  for (const json::value& c : conditions->value().get_array())
    node->children.push_back(compile_node(view, c, depth + 1));
  return node;
}

bool in_mailbox(const EmailEntry& e, const store::Mailbox* m) {
  return std::any_of(e.copies.begin(), e.copies.end(),
                     [m](const EmailCopy& c) { return c.mailbox == m; });
}

// RFC 8621 §4.1.4 hasAttachment, as Email/get computes it.
bool has_attachment(const EmailEntry& e, blob::BlobStore& blobs) {
  const store::MessageRecord& record = e.latest();
  auto bytes = blobs.get(record.blob);
  if (!bytes) {
    log::warning("jmap", "Email/query cannot read message {}: {}", record.blob.hex(),
                 bytes.error().message);
    fail_store(bytes.error(), "a message could not be read");
  }
  mime::Message parsed = mime::parse(*bytes);
  json::object out;
  static const std::string kProperty[] = {"hasAttachment"};
  render_email(*bytes, parsed, record.blob, kProperty, {}, BodyValueOptions{}, out);
  auto it = out.find("hasAttachment");
  return it != out.end() && it->value().is_bool() && it->value().get_bool();
}

bool evaluate(const Node& node, const AccountView& view, const EmailEntry& e,
              blob::BlobStore& blobs) {
  switch (node.op) {
    case Node::Op::all_of:
      for (const auto& c : node.children)
        if (!evaluate(*c, view, e, blobs)) return false;
      return true;
    case Node::Op::any_of:
      for (const auto& c : node.children)
        if (evaluate(*c, view, e, blobs)) return true;
      return false;
    case Node::Op::none_of:
      for (const auto& c : node.children)
        if (evaluate(*c, view, e, blobs)) return false;
      return true;
    case Node::Op::condition:
      break;
  }
  if (node.in_mailbox_missing) return false;
  for (const store::Mailbox* m : node.in_mailbox)
    if (!in_mailbox(e, m)) return false;
  // §4.4.1 inMailboxOtherThan: in at least one mailbox not listed.
  if (node.has_other_than && std::all_of(e.copies.begin(), e.copies.end(), [&](const EmailCopy& c) {
        return std::find(node.not_in_mailboxes.begin(), node.not_in_mailboxes.end(), c.mailbox) !=
               node.not_in_mailboxes.end();
      }))
    return false;
  if (!node.all_in_thread.empty() || !node.some_in_thread.empty() || !node.none_in_thread.empty()) {
    std::vector<const EmailEntry*> thread = view.thread(e.thread());
    for (const std::string& k : node.all_in_thread)
      if (!std::all_of(thread.begin(), thread.end(),
                       [&](const EmailEntry* t) { return has_keyword(t->latest(), k); }))
        return false;
    for (const std::string& k : node.some_in_thread)
      if (!std::any_of(thread.begin(), thread.end(),
                       [&](const EmailEntry* t) { return has_keyword(t->latest(), k); }))
        return false;
    for (const std::string& k : node.none_in_thread)
      if (std::any_of(thread.begin(), thread.end(),
                      [&](const EmailEntry* t) { return has_keyword(t->latest(), k); }))
        return false;
  }
  auto matched = node.program->matches(e.latest(), blobs);
  if (!matched) {
    log::warning("jmap", "Email/query cannot read message {}: {}", e.latest().blob.hex(),
                 matched.error().message);
    fail_store(matched.error(), "a message could not be read");
  }
  if (!*matched) return false;
  if (node.has_attachment && has_attachment(e, blobs) != *node.has_attachment) return false;
  return true;
}

}  // namespace

EmailFilter::EmailFilter(std::unique_ptr<Node> root) : root_(std::move(root)) {}
EmailFilter::EmailFilter(EmailFilter&&) noexcept = default;
EmailFilter::~EmailFilter() = default;

EmailFilter EmailFilter::compile(const AccountView& view, const json::value& filter) {
  EmailFilter f(compile_node(view, filter, 0));
  f.view_ = &view;
  return f;
}

bool EmailFilter::matches(const EmailEntry& email, blob::BlobStore& blobs) const {
  return evaluate(*root_, *view_, email, blobs);
}

}  // namespace postamt::jmap
