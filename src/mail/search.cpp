#include "mail/search.h"

#include <algorithm>
#include <chrono>
#include <optional>

#include "mime/address.h"
#include "mime/date.h"
#include "mime/encoded_word.h"
#include "mime/header.h"
#include "mime/imap_data.h"
#include "mime/message.h"
#include "mime/text_search.h"
#include "model/object_ids.h"

namespace postamt::mail {
namespace {

using K = SearchQuery::Kind;
using Node = SearchProgram::Node;

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
    case K::sent_day:
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

bool within(const Node& node, int64_t value) {
  return (!node.from || value >= *node.from) && (!node.until || value < *node.until);
}

bool evaluate(const Node& node, const store::MessageRecord& r, Content& content) {
  switch (node.kind) {
    case K::all_of:
      return std::all_of(node.children.begin(), node.children.end(),
                         [&](const Node& c) { return evaluate(c, r, content); });
    case K::any_of:
      return std::any_of(node.children.begin(), node.children.end(),
                         [&](const Node& c) { return evaluate(c, r, content); });
    case K::not_:
      return !evaluate(node.children.front(), r, content);
    case K::nothing:
      return false;
    case K::has_flag:
      return r.flags.has(node.flag);
    case K::lacks_flag:
      return !r.flags.has(node.flag);
    case K::has_keyword:
      return r.keywords.contains(node.text);
    case K::lacks_keyword:
      return !r.keywords.contains(node.text);
    case K::received:
      return within(node, r.internal_date.time_since_epoch().count());
    case K::saved:
      return within(node, r.save_date.value_or(r.internal_date).time_since_epoch().count());
    case K::sent_day: {
      auto day = sent_day(content);
      return day && within(node, *day);
    }
    case K::size_above:
      return r.size > node.number;
    case K::size_below:
      return r.size < node.number;
    case K::modseq_at_least:
      return r.modseq >= node.number;
    case K::uid_in:
      return std::binary_search(node.uids.begin(), node.uids.end(), r.uid);
    case K::email_id:
      return is_email_object_id_of(node.text, r.blob);
    case K::thread_in:
      return r.thread == node.number;
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

struct Counts {
  size_t keys = 0;
  size_t sets = 0;
};

void count(const SearchQuery& query, Counts& counts) {
  ++counts.keys;
  if (query.kind == K::uid_in) ++counts.sets;
  for (const auto& child : query.children) count(child, counts);
}

Result<Node> compile_node(const SearchQuery& query, bool& reads_envelope_fields) {
  Node node;
  node.kind = query.kind;
  node.input = input_of(query.kind);
  if (node.input == SearchInput::header &&
      (query.kind != K::header || mime::is_envelope_field(query.header_name)))
    reads_envelope_fields = true;
  switch (query.kind) {
    case K::not_:
      if (query.children.size() != 1)
        return Error{ErrorKind::invalid, "a negation needs exactly one condition"};
      break;
    case K::has_flag:
    case K::lacks_flag:
      node.flag = query.flag;
      break;
    case K::has_keyword:
    case K::lacks_keyword:
    case K::email_id:
      node.text = query.text;
      break;
    case K::header:
      node.header_name = query.header_name;
      node.text = mime::fold_case(query.text);
      break;
    case K::bcc:
    case K::cc:
    case K::from:
    case K::to:
    case K::subject:
    case K::body:
    case K::text:
      node.text = mime::fold_case(query.text);
      break;
    case K::received:
    case K::saved:
    case K::sent_day:
      node.from = query.from;
      node.until = query.until;
      break;
    case K::size_above:
    case K::size_below:
    case K::modseq_at_least:
    case K::thread_in:
      node.number = query.number;
      break;
    case K::uid_in:
      node.uids = query.uids;
      std::sort(node.uids.begin(), node.uids.end());
      break;
    default:
      break;
  }
  for (const auto& child : query.children) {
    auto compiled = compile_node(child, reads_envelope_fields);
    POSTAMT_TRY(compiled);
    node.input = std::max(node.input, compiled->input);
    node.children.push_back(std::move(*compiled));
  }
  // Cheapest first: all_of and any_of stop early, so costly keys run on fewer messages.
  if (query.kind == K::all_of || query.kind == K::any_of)
    std::stable_sort(node.children.begin(), node.children.end(),
                     [](const Node& a, const Node& b) { return a.input < b.input; });
  return node;
}

}  // namespace

Result<void> check_search_size(size_t keys, size_t sets) {
  if (keys > kMaxSearchKeys)
    return Error{ErrorKind::limit,
                 "The search has more than " + std::to_string(kMaxSearchKeys) + " keys"};
  if (sets > kMaxSearchSets)
    return Error{ErrorKind::limit,
                 "The search has more than " + std::to_string(kMaxSearchSets) + " message sets"};
  return {};
}

Result<SearchProgram> SearchProgram::compile(const SearchQuery& query) {
  Counts counts;
  count(query, counts);
  POSTAMT_TRY(check_search_size(counts.keys, counts.sets));
  SearchProgram program;
  auto root = compile_node(query, program.reads_envelope_fields_);
  POSTAMT_TRY(root);
  program.root_ = std::move(*root);
  return program;
}

Result<bool> SearchProgram::matches(const store::MessageRecord& record, blob::BlobStore& blobs,
                                    EnvelopeSource* envelopes) const {
  Content content(record, blobs, envelopes);
  bool matched = evaluate(root_, record, content);
  if (content.error) return *content.error;
  return matched;
}

}  // namespace postamt::mail
