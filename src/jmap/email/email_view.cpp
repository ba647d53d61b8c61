#include "jmap/email/email_view.h"

#include <array>
#include <vector>

#include "base/strings.h"
#include "jmap/email/body_parts.h"
#include "mail/preview.h"

namespace postamt::jmap {

namespace {

using Form = HeaderProperty::Form;

struct Convenience {
  std::string_view property;
  std::string_view field;
  Form form;
};

// §4.1.3: each is identical to a header:{field}:as{form} property.
constexpr std::array<Convenience, 11> kConvenience = {{
    {"messageId", "Message-ID", Form::message_ids},
    {"inReplyTo", "In-Reply-To", Form::message_ids},
    {"references", "References", Form::message_ids},
    {"sender", "Sender", Form::addresses},
    {"from", "From", Form::addresses},
    {"to", "To", Form::addresses},
    {"cc", "Cc", Form::addresses},
    {"bcc", "Bcc", Form::addresses},
    {"replyTo", "Reply-To", Form::addresses},
    {"subject", "Subject", Form::text},
    {"sentAt", "Date", Form::date},
}};

constexpr std::array<std::string_view, 10> kOtherEmailProperties = {
    "headers",     "bodyStructure", "bodyValues", "textBody", "htmlBody",
    "attachments", "hasAttachment", "preview",    "size",     "receivedAt"};
constexpr std::array<std::string_view, 6> kMetadataProperties = {
    "id", "blobId", "threadId", "mailboxIds", "keywords", "size"};
constexpr std::array<std::string_view, 12> kBodyPartProperties = {
    "partId",  "blobId",      "size", "headers",  "name",     "type",
    "charset", "disposition", "cid",  "language", "location", "subParts"};

const std::array<std::string, 10> kDefaultBodyProperties = {
    "partId",  "blobId",      "size", "name",     "type",
    "charset", "disposition", "cid",  "language", "location"};

template <size_t N>
bool contains(const std::array<std::string_view, N>& list, std::string_view name) {
  for (std::string_view item : list)
    if (item == name) return true;
  return false;
}

json::value nullable(const std::string& s) {
  if (s.empty()) return nullptr;
  return json::string(sanitize_utf8(s));
}

// "<id@host>" -> "id@host"; CFWS around it dropped (§4.1.4 cid).
std::string strip_cid(std::string_view value) {
  std::string_view v = trim(value);
  size_t open = v.find('<');
  size_t close = v.rfind('>');
  if (open != std::string_view::npos && close != std::string_view::npos && open < close)
    return std::string(trim(v.substr(open + 1, close - open - 1)));
  return std::string(v);
}

class Renderer {
 public:
  Renderer(const mime::Message& message, const BlobRef& blob,
           std::span<const std::string> body_properties)
      : message_(message),
        blob_(blob),
        body_properties_(body_properties),
        tree_(body_tree(message)) {
    if (body_properties_.empty()) body_properties_ = default_body_properties();
  }

  const BodyTree& tree() const { return tree_; }
  const BodyLists& lists() {
    if (!lists_) lists_ = flatten_body(tree_);
    return *lists_;
  }

  json::object part(size_t slot, bool with_sub_parts) const {
    const BodyPartInfo& info = tree_.parts[slot];
    const mime::Part& p = message_.part(info.index);
    const bool multipart = p.is_multipart();
    json::object o;
    for (const std::string& name : body_properties_) {
      if (name == "partId") {
        o[name] = multipart ? json::value(nullptr) : json::value(json::string(info.part_id));
      } else if (name == "blobId") {
        o[name] = multipart ? json::value(nullptr)
                            : json::value(json::string(part_blob_id(blob_, info.part_id)));
      } else if (name == "size") {
        // §4.1.4 size: octets after transfer decoding, what a download delivers.
        o[name] = multipart ? p.body_size() : decoded_body(message_, p).size();
      } else if (name == "headers") {
        o[name] = raw_headers(message_.header(p));
      } else if (name == "name") {
        o[name] = info.name ? json::value(json::string(*info.name)) : json::value(nullptr);
      } else if (name == "type") {
        o[name] = info.type;
      } else if (name == "charset") {
        o[name] = charset(p);
      } else if (name == "disposition") {
        o[name] = nullable(info.disposition);
      } else if (name == "cid") {
        o[name] = nullable(strip_cid(p.content_id));
      } else if (name == "language") {
        if (p.content_language.empty()) {
          o[name] = nullptr;
        } else {
          json::array langs;
          for (const auto& l : p.content_language) langs.push_back(json::string(sanitize_utf8(l)));
          o[name] = std::move(langs);
        }
      } else if (name == "location") {
        o[name] = nullable(p.content_location);
      } else if (name == "subParts") {
        if (multipart && with_sub_parts) {
          json::array subs;
          for (size_t s : info.sub_parts) subs.push_back(part(s, with_sub_parts));
          o[name] = std::move(subs);
        } else {
          o[name] = nullptr;
        }
      } else if (auto hp = parse_header_property(name)) {
        o[name] = header_property_value(message_.header(p), *hp);
      }
    }
    return o;
  }

  json::array part_list(const std::vector<size_t>& slots) const {
    json::array out;
    for (size_t s : slots) out.push_back(part(s, false));
    return out;
  }

 private:
  // §4.1.4 charset: the parameter; else "us-ascii" for text/* or when there is no
  // Content-Type field at all; else null.
  json::value charset(const mime::Part& p) const {
    if (const std::string* c = p.content_type.param("charset"))
      return json::string(sanitize_utf8(*c));
    if (p.content_type.type == "text" || !message_.header(p).find_first("Content-Type"))
      return json::string("us-ascii");
    return nullptr;
  }

  const mime::Message& message_;
  const BlobRef& blob_;
  std::span<const std::string> body_properties_;
  BodyTree tree_;
  std::optional<BodyLists> lists_;
};

bool is_text_part(const BodyTree& tree, size_t slot) {
  return tree.parts[slot].type.starts_with("text/");
}

json::object body_values(const mime::Message& message, Renderer& r,
                         const BodyValueOptions& options) {
  std::vector<size_t> slots;
  auto add = [&](const std::vector<size_t>& list) {
    for (size_t s : list)
      if (is_text_part(r.tree(), s) && std::find(slots.begin(), slots.end(), s) == slots.end())
        slots.push_back(s);
  };
  if (options.fetch_all) {
    std::vector<size_t> all;
    for (size_t s = 0; s < r.tree().parts.size(); ++s)
      if (r.tree().parts[s].sub_parts.empty() && !r.tree().parts[s].type.starts_with("multipart/"))
        all.push_back(s);
    add(all);
  }
  if (options.fetch_text) add(r.lists().text_body);
  if (options.fetch_html) add(r.lists().html_body);
  json::object out;
  for (size_t s : slots) {
    const BodyPartInfo& info = r.tree().parts[s];
    BodyValue v = body_value(message, message.part(info.index), options.max_body_value_bytes);
    json::object o;
    o["value"] = std::move(v.value);
    o["isEncodingProblem"] = v.is_encoding_problem;
    o["isTruncated"] = v.is_truncated;
    out[info.part_id] = std::move(o);
  }
  return out;
}

const Convenience* convenience(std::string_view property) {
  for (const auto& c : kConvenience)
    if (c.property == property) return &c;
  return nullptr;
}

}  // namespace

std::span<const std::string> default_body_properties() {
  return kDefaultBodyProperties;
}

void render_email(std::string_view bytes, const mime::Message& parsed, const BlobRef& message_blob,
                  std::span<const std::string> properties,
                  std::span<const std::string> body_properties, const BodyValueOptions& options,
                  json::object& out) {
  (void)bytes;  // the parse holds a view of the same buffer
  Renderer r(parsed, message_blob, body_properties);
  const mime::HeaderView header = parsed.header(parsed.root());
  for (const std::string& property : properties) {
    if (const Convenience* c = convenience(property)) {
      HeaderProperty hp{std::string(c->field), c->form, false, property};
      out[property] = header_property_value(header, hp);
    } else if (property.starts_with("header:")) {
      if (auto hp = parse_header_property(property))
        out[property] = header_property_value(header, *hp);
    } else if (property == "headers") {
      out[property] = raw_headers(header);
    } else if (property == "bodyStructure") {
      out[property] = r.part(0, true);
    } else if (property == "bodyValues") {
      out[property] = body_values(parsed, r, options);
    } else if (property == "textBody") {
      out[property] = r.part_list(r.lists().text_body);
    } else if (property == "htmlBody") {
      out[property] = r.part_list(r.lists().html_body);
    } else if (property == "attachments") {
      out[property] = r.part_list(r.lists().attachments);
    } else if (property == "hasAttachment") {
      // §4.1.4: true when an attachment is not marked Content-Disposition: inline.
      bool any = false;
      for (size_t s : r.lists().attachments)
        if (r.tree().parts[s].disposition != "inline") any = true;
      out[property] = any;
    } else if (property == "preview") {
      out[property] = mail::message_preview(parsed);
    }
  }
}

bool is_email_property(std::string_view property) {
  if (convenience(property) || contains(kOtherEmailProperties, property) ||
      contains(kMetadataProperties, property))
    return true;
  return parse_header_property(property).has_value();
}

bool is_body_part_property(std::string_view property) {
  return contains(kBodyPartProperties, property) || parse_header_property(property).has_value();
}

std::optional<PartContent> extract_part(std::string_view bytes, const mime::Message& parsed,
                                        std::string_view part_id) {
  (void)bytes;
  if (!is_valid_part_id(part_id)) return std::nullopt;
  std::vector<uint32_t> path;
  for (std::string_view n : split(part_id, '.'))
    path.push_back(static_cast<uint32_t>(*parse_u64(n)));
  const mime::Part* p = parsed.find_section(path);
  if (!p || p->is_multipart()) return std::nullopt;
  PartContent out;
  out.bytes = decoded_body(parsed, *p);
  out.type = p->content_type.type + "/" + p->content_type.subtype;
  out.name = part_name(*p).value_or("");
  return out;
}

}  // namespace postamt::jmap
