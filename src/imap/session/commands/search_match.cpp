#include "imap/session/commands/search_match.h"

#include <algorithm>
#include <chrono>
#include <optional>

#include "base/strings.h"
#include "mime/address.h"
#include "mime/date.h"
#include "mime/encoded_word.h"
#include "mime/header.h"
#include "mime/imap_data.h"
#include "mime/message.h"
#include "mime/text_search.h"

namespace postamt::imap::commands {
namespace {

using K = proto::SearchKey::Kind;
using Node = SearchProgram::Node;

int64_t day_number(const proto::Date& date) {
  std::chrono::year_month_day ymd{std::chrono::year(date.year),
                                  std::chrono::month(static_cast<unsigned>(date.month)),
                                  std::chrono::day(static_cast<unsigned>(date.day))};
  return std::chrono::sys_days(ymd).time_since_epoch().count();
}

int64_t floor_div(int64_t a, int64_t b) {
  int64_t q = a / b;
  return (a % b != 0 && (a < 0) != (b < 0)) ? q - 1 : q;
}

SearchInput input_of(K kind) {
  switch (kind) {
    case K::bcc:
    case K::cc:
    case K::from:
    case K::to:
    case K::subject:
    case K::header:
    case K::sent_before:
    case K::sent_on:
    case K::sent_since:
      return SearchInput::header;
    case K::body:
    case K::text:
      return SearchInput::body;
    default:
      return SearchInput::record;
  }
}

std::string_view field_name_of(const Node& node) {
  switch (node.kind) {
    case K::bcc:
      return "Bcc";
    case K::cc:
      return "Cc";
    case K::from:
      return "From";
    case K::to:
      return "To";
    case K::subject:
      return "Subject";
    case K::header:
      return node.header_name;
    default:
      return "Date";
  }
}

// The addresses of an address field the way a mail reader shows them.
std::string displayed_addresses(std::string_view unfolded) {
  std::string out;
  auto add = [&out](const mime::Mailbox& m) {
    if (!out.empty() && out.back() != ':') out += ", ";
    if (!m.name.empty())
      out += m.name + " <" + m.addr_spec() + ">";
    else
      out += m.addr_spec();
  };
  for (const auto& entry : mime::parse_address_list(unfolded, mime::NameDecoding::rfc2047)) {
    if (const auto* m = std::get_if<mime::Mailbox>(&entry)) {
      add(*m);
      continue;
    }
    const auto& group = std::get<mime::Group>(entry);
    if (!out.empty()) out += ", ";
    out += group.name + ":";
    for (const auto& m : group.members) add(m);
    out += ";";
  }
  return out;
}

// The message's bytes, loaded only as far as the keys being evaluated need them. A
// failure to open the blob is kept in `error` and makes content keys fail to match;
// the caller reports it instead of the answer.
class Content {
 public:
  Content(const store::MessageRecord& record, blob::BlobStore& blobs, EnvelopeSource* envelopes)
      : record_(record), blobs_(blobs), envelopes_(envelopes) {}

  std::optional<Error> error;

  // A header with at least the field `name`: the store's envelope header lines when
  // they hold that field's kind (mime::kEnvelopeFields), else the message's header.
  const mime::HeaderView* header_with(std::string_view name) {
    if (envelope_header_ && mime::is_envelope_field(name)) return &*envelope_header_;
    if (!envelopes_ || !mime::is_envelope_field(name)) return header();
    auto lines = envelopes_->lines(record_.uid);
    if (!lines) {
      error = lines.error();
      return nullptr;
    }
    if (!*lines) {
      envelopes_ = nullptr;  // none kept: the file answers every field
      return header();
    }
    envelope_fields_ = mime::scan_header_block(**lines);
    envelope_header_ = mime::HeaderView(**lines, envelope_fields_);
    return &*envelope_header_;
  }

  const mime::HeaderView* header() {
    if (header_) return &*header_;
    if (!open()) return nullptr;
    if (message_) {
      header_ = message_->header(message_->root());
    } else {
      fields_ = mime::scan_header_block(view_->bytes());
      header_ = mime::HeaderView(view_->bytes(), fields_);
    }
    return &*header_;
  }

  // The decoded text of every text part, one string each.
  const std::vector<std::string>* bodies() {
    if (bodies_) return &*bodies_;
    if (!open()) return nullptr;
    if (!message_) {
      message_.emplace(mime::parse(view_->bytes()));
      header_ = message_->header(message_->root());
    }
    bodies_.emplace();
    for (uint32_t index : mime::text_parts(*message_))
      bodies_->push_back(mime::decoded_text(*message_, message_->part(index)));
    return &*bodies_;
  }

 private:
  bool open() {
    if (view_) return true;
    if (error) return false;
    auto opened = blobs_.open(record_.blob);
    if (!opened) {
      error = opened.error();
      return false;
    }
    view_.emplace(std::move(*opened));
    return true;
  }

  const store::MessageRecord& record_;
  blob::BlobStore& blobs_;
  EnvelopeSource* envelopes_;
  std::vector<mime::HeaderField> envelope_fields_;
  std::optional<mime::HeaderView> envelope_header_;
  std::optional<blob::BlobView> view_;
  std::vector<mime::HeaderField> fields_;
  std::optional<mime::Message> message_;
  std::optional<mime::HeaderView> header_;
  std::optional<std::vector<std::string>> bodies_;
};

bool in_set(const std::vector<uint32_t>& sorted, uint32_t n) {
  return std::binary_search(sorted.begin(), sorted.end(), n);
}

bool header_matches(const Node& node, Content& content) {
  const mime::HeaderView* header = content.header_with(field_name_of(node));
  if (!header) return false;
  bool addresses =
      node.kind == K::from || node.kind == K::to || node.kind == K::cc || node.kind == K::bcc;
  for (const mime::HeaderField* field : header->find_all(field_name_of(node))) {
    std::string unfolded = mime::unfold(field->raw_value(header->buffer()));
    if (node.text.empty()) return true;
    if (mime::contains_folded(mime::decode_encoded_words(unfolded), node.text)) return true;
    if (addresses && mime::contains_folded(displayed_addresses(unfolded), node.text)) return true;
  }
  return false;
}

// RFC 9051 §6.4.4: the Date header "disregarding time and timezone", so the day as the
// sender wrote it.
std::optional<int64_t> sent_day(Content& content) {
  const mime::HeaderView* header = content.header_with("Date");
  if (!header) return std::nullopt;
  auto value = header->value("Date");
  if (!value) return std::nullopt;
  auto date = mime::parse_date(*value);
  if (!date) return std::nullopt;
  return floor_div(date->utc_seconds + int64_t{date->offset_minutes} * 60, 86400);
}

bool body_matches(const Node& node, Content& content) {
  const std::vector<std::string>* bodies = content.bodies();
  if (!bodies) return false;
  return std::any_of(bodies->begin(), bodies->end(), [&](const std::string& text) {
    return mime::contains_folded(text, node.text);
  });
}

bool text_matches(const Node& node, Content& content) {
  if (body_matches(node, content)) return true;
  const mime::HeaderView* header = content.header();
  if (!header) return false;
  std::string lines;
  for (const auto& field : header->fields()) {
    lines += field.name(header->buffer());
    lines += ": ";
    lines += mime::decode_encoded_words(mime::unfold(field.raw_value(header->buffer())));
    lines += '\n';
  }
  return mime::contains_folded(lines, node.text);
}

bool evaluate(const Node& node, uint32_t seq, const store::MessageRecord& r, Content& content) {
  const SystemFlags flags = r.flags;
  switch (node.kind) {
    case K::and_:
      return std::all_of(node.children.begin(), node.children.end(),
                         [&](const Node& c) { return evaluate(c, seq, r, content); });
    case K::or_:
      return std::any_of(node.children.begin(), node.children.end(),
                         [&](const Node& c) { return evaluate(c, seq, r, content); });
    case K::not_:
      return !evaluate(node.children.front(), seq, r, content);
    case K::all:
    case K::old:
      return true;
    case K::new_:
    case K::recent:
      return false;
    case K::answered:
      return flags.has(SystemFlag::answered);
    case K::deleted:
      return flags.has(SystemFlag::deleted);
    case K::draft:
      return flags.has(SystemFlag::draft);
    case K::flagged:
      return flags.has(SystemFlag::flagged);
    case K::seen:
      return flags.has(SystemFlag::seen);
    case K::unanswered:
      return !flags.has(SystemFlag::answered);
    case K::undeleted:
      return !flags.has(SystemFlag::deleted);
    case K::undraft:
      return !flags.has(SystemFlag::draft);
    case K::unflagged:
      return !flags.has(SystemFlag::flagged);
    case K::unseen:
      return !flags.has(SystemFlag::seen);
    case K::keyword:
      return r.keywords.contains(node.text);
    case K::unkeyword:
      return !r.keywords.contains(node.text);
    case K::before:
    case K::on:
    case K::since: {
      int64_t day =
          std::chrono::floor<std::chrono::days>(r.internal_date).time_since_epoch().count();
      return node.kind == K::before ? day < node.day
             : node.kind == K::on   ? day == node.day
                                    : day >= node.day;
    }
    case K::sent_before:
    case K::sent_on:
    case K::sent_since: {
      auto day = sent_day(content);
      if (!day) return false;
      return node.kind == K::sent_before ? *day < node.day
             : node.kind == K::sent_on   ? *day == node.day
                                         : *day >= node.day;
    }
    case K::larger:
      return r.size > node.number;
    case K::smaller:
      return r.size < node.number;
    case K::mod_seq:
      return r.modseq >= node.number;
    case K::sequence_set:
      return in_set(node.members, seq);
    case K::uid:
      return in_set(node.members, r.uid);
    case K::bcc:
    case K::cc:
    case K::from:
    case K::to:
    case K::subject:
    case K::header:
      return header_matches(node, content);
    case K::body:
      return body_matches(node, content);
    case K::text:
      return text_matches(node, content);
  }
  return false;
}

Result<Node> compile_node(const proto::SearchKey& key, const SelectedMailbox& selected,
                          bool& uses_mod_seq, bool& reads_envelope_fields) {
  Node node;
  node.kind = key.kind;
  node.input = input_of(key.kind);
  if (node.input == SearchInput::header &&
      (key.kind != K::header || mime::is_envelope_field(key.header_name)))
    reads_envelope_fields = true;
  switch (key.kind) {
    case K::keyword:
    case K::unkeyword:
      node.text = key.text;
      break;
    case K::header:
      node.header_name = key.header_name;
      node.text = mime::fold_case(key.text);
      break;
    case K::bcc:
    case K::cc:
    case K::from:
    case K::to:
    case K::subject:
    case K::body:
    case K::text:
      node.text = mime::fold_case(key.text);
      break;
    case K::before:
    case K::on:
    case K::since:
    case K::sent_before:
    case K::sent_on:
    case K::sent_since:
      node.day = day_number(key.date);
      break;
    case K::mod_seq:
      uses_mod_seq = true;
      node.number = key.number;
      break;
    case K::larger:
    case K::smaller:
      node.number = key.number;
      break;
    case K::sequence_set:
    case K::uid: {
      auto kind = key.kind == K::uid ? proto::NumberKind::uid : proto::NumberKind::sequence;
      auto targets = selected.resolve(key.set, kind);
      if (!targets) return targets.error();
      // "$" resolves to both numbers whatever the kind; keep the one this node tests.
      for (const auto& t : *targets) node.members.push_back(key.kind == K::uid ? t.uid : t.seq);
      std::sort(node.members.begin(), node.members.end());
      break;
    }
    default:
      break;
  }
  for (const auto& child : key.children) {
    auto compiled = compile_node(child, selected, uses_mod_seq, reads_envelope_fields);
    if (!compiled) return compiled.error();
    node.input = std::max(node.input, compiled->input);
    node.children.push_back(std::move(*compiled));
  }
  // Cheapest first: AND and OR stop early, so costly keys run on fewer messages.
  if (key.kind == K::and_ || key.kind == K::or_)
    std::stable_sort(node.children.begin(), node.children.end(),
                     [](const Node& a, const Node& b) { return a.input < b.input; });
  return node;
}

}  // namespace

namespace {

struct KeyCount {
  size_t keys = 0;
  size_t sets = 0;
};

void count_keys(const proto::SearchKey& key, KeyCount& count) {
  ++count.keys;
  if (key.kind == proto::SearchKey::Kind::sequence_set || key.kind == proto::SearchKey::Kind::uid)
    ++count.sets;
  for (const auto& child : key.children) count_keys(child, count);
}

}  // namespace

Result<SearchProgram> SearchProgram::compile(const proto::SearchKey& key,
                                             const SelectedMailbox& selected) {
  // Each key costs work per message and each set key memory per message, so one
  // command line cannot ask for more than these (the parser already bounds nesting).
  KeyCount count;
  count_keys(key, count);
  if (count.keys > kMaxSearchKeys)
    return Error{ErrorKind::limit,
                 "SEARCH has more than " + std::to_string(kMaxSearchKeys) + " keys"};
  if (count.sets > kMaxSearchSets)
    return Error{ErrorKind::limit,
                 "SEARCH has more than " + std::to_string(kMaxSearchSets) + " message sets"};
  SearchProgram program;
  auto root = compile_node(key, selected, program.uses_mod_seq_, program.reads_envelope_fields_);
  if (!root) return root.error();
  program.root_ = std::move(*root);
  return program;
}

Result<bool> SearchProgram::matches(uint32_t seq, const store::MessageRecord& record,
                                    blob::BlobStore& blobs, EnvelopeSource* envelopes) const {
  Content content(record, blobs, envelopes);
  bool matched = evaluate(root_, seq, record, content);
  if (content.error) return *content.error;
  return matched;
}

}  // namespace postamt::imap::commands
