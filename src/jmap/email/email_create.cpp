#include "jmap/email/email_create.h"

#include <algorithm>
#include <array>
#include <map>
#include <set>

#include "base/strings.h"
#include "jmap/email/header_forms.h"
#include "jmap/email/message_writer.h"
#include "mime/address.h"
#include "mime/date.h"
#include "mime/encoded_word.h"

namespace postamt::jmap {

namespace {

using Form = HeaderProperty::Form;

struct Field {
  std::string name;
  std::string value;  // what follows the colon
};

struct FieldGroup {
  std::string lower;
  std::vector<Field> lines;
};

struct PartSpec {
  std::string type;  // lowercase
  std::optional<std::string> charset, name, disposition, cid, location;
  std::vector<std::string> language;
  std::vector<Field> extra;  // header:* properties, in order
  bool has_content_type_header = false;
  std::vector<PartSpec> sub_parts;
  std::string part_id;  // a bodyValues key, or ""
  std::string blob_id;  // or ""
  std::string content;  // the bytes, once resolved
  bool is_multipart() const { return type.starts_with("multipart/"); }
};

struct Convenience {
  std::string_view property;
  std::string_view field;
  Form form;
};

constexpr std::array<Convenience, 11> kConvenience = {{
    {"from", "From", Form::addresses},
    {"sender", "Sender", Form::addresses},
    {"replyTo", "Reply-To", Form::addresses},
    {"to", "To", Form::addresses},
    {"cc", "Cc", Form::addresses},
    {"bcc", "Bcc", Form::addresses},
    {"subject", "Subject", Form::text},
    {"sentAt", "Date", Form::date},
    {"messageId", "Message-ID", Form::message_ids},
    {"inReplyTo", "In-Reply-To", Form::message_ids},
    {"references", "References", Form::message_ids},
}};

// The order standard fields are written in; others follow in the object's order.
int field_rank(std::string_view lower) {
  for (size_t i = 0; i < kConvenience.size(); ++i)
    if (iequals(kConvenience[i].field, lower)) return static_cast<int>(i);
  return static_cast<int>(kConvenience.size());
}

constexpr std::array<std::string_view, 4> kCallerProperties = {"keywords", "mailboxIds",
                                                               "receivedAt", "id"};

bool has_control(std::string_view s) {
  for (char c : s)
    if ((c >= 0 && c < 32) || c == 127) return true;
  return false;
}

bool is_atom_phrase(std::string_view s) {
  if (s.empty()) return false;
  for (char c : s)
    if (c != ' ' && !is_ascii_atext(c)) return false;
  return true;
}

// A display name or group name as an RFC 5322 phrase.
std::string phrase(std::string_view name) {
  for (char c : name)
    if (static_cast<unsigned char>(c) >= 128) return mime::encode_words_utf8(name);
  if (is_atom_phrase(name)) return std::string(name);
  std::string out = "\"";
  for (char c : name) {
    if (c == '"' || c == '\\') out.push_back('\\');
    out.push_back(c);
  }
  out.push_back('"');
  return out;
}

std::optional<std::string> format_address(const json::value& v) {
  const json::object* o = v.if_object();
  if (!o) return std::nullopt;
  const json::value* email = o->if_contains("email");
  const json::value* name = o->if_contains("name");
  if (!email || !email->is_string()) return std::nullopt;
  if (name && !name->is_string() && !name->is_null()) return std::nullopt;
  std::string addr(email->get_string());
  std::string display = name && name->is_string() ? std::string(name->get_string()) : "";
  if (addr.empty() || has_control(addr) || has_control(display) ||
      addr.find_first_of("<> ") != std::string::npos)
    return std::nullopt;
  mime::Mailbox m;
  m.name = display;
  size_t at = addr.rfind('@');
  if (at != std::string::npos) {
    m.local_part = addr.substr(0, at);
    m.domain = addr.substr(at + 1);
  }
  if (auto formatted = mime::format_mailbox(m)) return *formatted;
  // §4.6: a draft may hold an address that is not one yet; keep it as the client wrote it.
  if (display.empty()) return addr;
  return phrase(display) + " <" + addr + ">";
}

std::optional<std::string> format_address_list(const json::value& v) {
  const json::array* a = v.if_array();
  if (!a) return std::nullopt;
  std::string out;
  for (const auto& item : *a) {
    auto one = format_address(item);
    if (!one) return std::nullopt;
    out += out.empty() ? " " : ", ";
    out += *one;
  }
  return out;
}

std::optional<std::string> format_groups(const json::value& v) {
  const json::array* a = v.if_array();
  if (!a) return std::nullopt;
  std::string out;
  for (const auto& item : *a) {
    const json::object* g = item.if_object();
    if (!g) return std::nullopt;
    const json::value* name = g->if_contains("name");
    const json::value* addresses = g->if_contains("addresses");
    if (!addresses || (name && !name->is_null() && !name->is_string())) return std::nullopt;
    auto list = format_address_list(*addresses);
    if (!list) return std::nullopt;
    out += out.empty() ? " " : ", ";
    if (name && name->is_string()) {
      if (has_control(name->get_string())) return std::nullopt;
      // RFC 5322 §3.4 group: display-name ":" [group-list] ";"
      out += phrase(name->get_string()) + ":" + *list + ";";
    } else {
      if (list->empty()) continue;
      out += list->substr(1);
    }
  }
  return out;
}

bool valid_raw(std::string_view v) {
  for (size_t i = 0; i < v.size(); ++i) {
    if (v[i] == '\0') return false;
    if (v[i] == '\r') {
      // Only folding (CRLF WSP) may break the line: anything else would start a new field.
      if (i + 2 >= v.size() || v[i + 1] != '\n' || (v[i + 2] != ' ' && v[i + 2] != '\t'))
        return false;
      ++i;
    } else if (v[i] == '\n') {
      return false;
    }
  }
  return true;
}

bool valid_token_list_item(std::string_view s) {
  return !s.empty() && !has_control(s) && s.find_first_of("<> ") == std::string_view::npos;
}

// The value after the colon for one instance; nullopt when it does not fit the form.
std::optional<std::string> encode_form(Form form, const json::value& v) {
  switch (form) {
    case Form::raw:
      if (!v.is_string() || !valid_raw(v.get_string())) return std::nullopt;
      return std::string(v.get_string());
    case Form::text:
      if (!v.is_string()) return std::nullopt;
      return " " + encode_unstructured(v.get_string());
    case Form::addresses:
      return format_address_list(v);
    case Form::grouped_addresses:
      return format_groups(v);
    case Form::message_ids: {
      const json::array* a = v.if_array();
      if (!a) return std::nullopt;
      std::string out;
      for (const auto& id : *a) {
        if (!id.is_string()) return std::nullopt;
        std::string_view s = id.get_string();
        if (!valid_token_list_item(s) || s.find('@') == std::string_view::npos) return std::nullopt;
        out += " <" + std::string(s) + ">";
      }
      return out;
    }
    case Form::date: {
      if (!v.is_string()) return std::nullopt;
      auto d = parse_rfc3339(v.get_string());
      if (!d) return std::nullopt;
      return " " + mime::format_rfc5322_date({d->utc_seconds, d->offset_minutes});
    }
    case Form::urls: {
      const json::array* a = v.if_array();
      if (!a) return std::nullopt;
      std::string out;
      for (const auto& url : *a) {
        if (!url.is_string() || !valid_token_list_item(url.get_string())) return std::nullopt;
        out += out.empty() ? " <" : ", <";
        out += std::string(url.get_string()) + ">";
      }
      return out;
    }
  }
  return std::nullopt;
}

// Every instance of a header property; nullopt when a value does not fit.
std::optional<std::vector<Field>> encode_property(std::string_view field, Form form, bool all,
                                                  const json::value& v) {
  std::vector<Field> out;
  if (v.is_null()) return out;
  if (!all) {
    auto one = encode_form(form, v);
    if (!one) return std::nullopt;
    out.push_back({std::string(field), std::move(*one)});
    return out;
  }
  const json::array* a = v.if_array();
  if (!a) return std::nullopt;
  for (const auto& item : *a) {
    auto one = encode_form(form, item);
    if (!one) return std::nullopt;
    out.push_back({std::string(field), std::move(*one)});
  }
  return out;
}

// The header field a body part property stands for (§4.6 "two properties that
// represent the same header field").
std::string_view part_property_field(std::string_view property) {
  if (property == "type" || property == "charset") return "content-type";
  if (property == "disposition" || property == "name") return "content-disposition";
  if (property == "cid") return "content-id";
  if (property == "language") return "content-language";
  if (property == "location") return "content-location";
  return "";
}

class Builder {
 public:
  Builder(const json::object& create, const CreateContext& context)
      : create_(create), context_(context) {}

  std::variant<std::string, SetErrorLite> run() {
    read_header_properties();
    read_body_values();
    std::optional<PartSpec> root = read_body();
    if (!bad_.empty() || !root) return invalid_properties();
    std::vector<std::string> missing;
    resolve_blobs(*root, missing);
    if (!missing.empty()) {
      SetErrorLite e;
      e.type = "blobNotFound";
      e.description = "a body part names a blob that does not exist";
      e.not_found = std::move(missing);
      return e;
    }
    return write_message(*root);
  }

 private:
  SetErrorLite invalid_properties() {
    SetErrorLite e;
    e.type = "invalidProperties";
    e.description = "the Email cannot be created as given (RFC 8621 section 4.6)";
    std::set<std::string> seen;
    for (auto& p : bad_)
      if (seen.insert(p).second) e.properties.push_back(p);
    return e;
  }

  void note_field(std::string lower, const std::string& property, std::vector<Field> lines) {
    auto [it, inserted] = field_property_.emplace(lower, property);
    if (!inserted) {
      // §4.6: no two properties for the same header field.
      bad_.push_back(it->second);
      bad_.push_back(property);
      return;
    }
    groups_.push_back({std::move(lower), std::move(lines)});
  }

  void read_header_properties() {
    for (const auto& [key_view, value] : create_) {
      std::string key(key_view);
      if (std::find(kCallerProperties.begin(), kCallerProperties.end(), key) !=
          kCallerProperties.end())
        continue;
      if (key == "bodyStructure" || key == "textBody" || key == "htmlBody" ||
          key == "attachments" || key == "bodyValues")
        continue;
      const Convenience* c = nullptr;
      for (const auto& conv : kConvenience)
        if (conv.property == key) c = &conv;
      if (c) {
        auto lines = encode_property(c->field, c->form, false, value);
        if (!lines) {
          bad_.push_back(key);
          continue;
        }
        note_field(ascii_lower(c->field), key, std::move(*lines));
        continue;
      }
      auto hp = key.starts_with("header:") ? parse_header_property(key) : std::nullopt;
      // §4.6: "headers" is never given; Content-* fields belong to body parts.
      if (!hp || istarts_with(hp->name, "content-")) {
        bad_.push_back(key);
        continue;
      }
      auto lines = encode_property(hp->name, hp->form, hp->all, value);
      if (!lines) {
        bad_.push_back(key);
        continue;
      }
      note_field(ascii_lower(hp->name), key, std::move(*lines));
    }
  }

  void read_body_values() {
    const json::value* v = create_.if_contains("bodyValues");
    if (!v) return;
    const json::object* o = v->if_object();
    if (!o) {
      bad_.push_back("bodyValues");
      return;
    }
    for (const auto& [id, bv] : *o) {
      std::string path = "bodyValues/" + std::string(id);
      const json::object* b = bv.if_object();
      const json::value* value = b ? b->if_contains("value") : nullptr;
      // Known even when broken, so that the part naming it is not blamed as well.
      body_values_[std::string(id)];
      if (!value || !value->is_string()) {
        bad_.push_back(path);
        continue;
      }
      bool ok = true;
      for (const auto& [k, flag] : *b) {
        // §4.6: isEncodingProblem and isTruncated are false or absent.
        if (k == "value") continue;
        if ((k != "isEncodingProblem" && k != "isTruncated") || !flag.is_bool() ||
            flag.get_bool()) {
          bad_.push_back(path + "/" + std::string(k));
          ok = false;
        }
      }
      if (ok) body_values_[std::string(id)] = std::string(value->get_string());
    }
  }

  std::optional<PartSpec> read_body() {
    const json::value* structure = create_.if_contains("bodyStructure");
    const json::value* text = create_.if_contains("textBody");
    const json::value* html = create_.if_contains("htmlBody");
    const json::value* attachments = create_.if_contains("attachments");
    if (structure) {
      if (text || html || attachments) {
        bad_.push_back("bodyStructure");
        return std::nullopt;
      }
      auto root = read_part(*structure, "bodyStructure", "");
      if (root) {
        // §4.6: bodyStructure repeats no header field of the Email itself.
        for (const auto& f : root->extra)
          if (field_property_.count(ascii_lower(f.name)))
            bad_.push_back("bodyStructure/header:" + f.name);
      }
      return root;
    }
    std::optional<PartSpec> text_part, html_part;
    if (text) text_part = read_single(*text, "textBody", "text/plain");
    if (html) html_part = read_single(*html, "htmlBody", "text/html");
    std::vector<PartSpec> inline_parts, attached;
    if (attachments) {
      const json::array* a = attachments->if_array();
      if (!a) {
        bad_.push_back("attachments");
        return std::nullopt;
      }
      for (size_t i = 0; i < a->size(); ++i) {
        std::string path = "attachments/" + std::to_string(i);
        auto part = read_part((*a)[i], path, "");
        if (!part) continue;
        if (part->is_multipart()) {
          bad_.push_back(path + "/type");
          continue;
        }
        bool related =
            html_part && part->cid && part->disposition.value_or("inline") != "attachment";
        if (!part->disposition) part->disposition = related ? "inline" : "attachment";
        (related ? inline_parts : attached).push_back(std::move(*part));
      }
    }
    if (!bad_.empty()) return std::nullopt;
    std::optional<PartSpec> html_node = std::move(html_part);
    if (html_node && !inline_parts.empty()) {
      // RFC 2387: the html and the images it shows by cid.
      PartSpec related = multipart("multipart/related");
      related.sub_parts.push_back(std::move(*html_node));
      for (auto& p : inline_parts) related.sub_parts.push_back(std::move(p));
      html_node = std::move(related);
    }
    std::optional<PartSpec> body;
    if (text_part && html_node) {
      body = multipart("multipart/alternative");
      body->sub_parts.push_back(std::move(*text_part));
      body->sub_parts.push_back(std::move(*html_node));
    } else if (text_part) {
      body = std::move(text_part);
    } else if (html_node) {
      body = std::move(html_node);
    }
    if (attached.empty()) {
      if (body) return body;
      PartSpec empty;
      empty.type = "text/plain";
      return empty;
    }
    PartSpec mixed = multipart("multipart/mixed");
    if (body) mixed.sub_parts.push_back(std::move(*body));
    for (auto& p : attached) mixed.sub_parts.push_back(std::move(p));
    return mixed;
  }

  static PartSpec multipart(std::string type) {
    PartSpec p;
    p.type = std::move(type);
    return p;
  }

  // textBody / htmlBody: exactly one part of the given type (§4.6).
  std::optional<PartSpec> read_single(const json::value& v, const std::string& path,
                                      std::string_view type) {
    const json::array* a = v.if_array();
    if (!a || a->size() != 1) {
      bad_.push_back(path);
      return std::nullopt;
    }
    auto part = read_part((*a)[0], path + "/0", type);
    if (part && part->type != type) {
      bad_.push_back(path + "/0/type");
      return std::nullopt;
    }
    return part;
  }

  std::optional<std::string> string_or_null(const json::value& v, const std::string& path) {
    if (v.is_null()) return std::nullopt;
    if (!v.is_string() || has_control(v.get_string())) {
      bad_.push_back(path);
      return std::nullopt;
    }
    return std::string(v.get_string());
  }

  std::optional<PartSpec> read_part(const json::value& v, const std::string& path,
                                    std::string_view default_type) {
    const json::object* o = v.if_object();
    if (!o) {
      bad_.push_back(path);
      return std::nullopt;
    }
    size_t bad_before = bad_.size();
    PartSpec part;
    std::map<std::string, std::string> fields;  // header field (lowercase) -> property
    const json::value* sub_parts = nullptr;
    bool has_size = false;
    std::optional<std::string> type;
    for (const auto& [key_view, value] : *o) {
      std::string key(key_view);
      std::string at = path + "/" + key;
      if (key == "partId" || key == "blobId") {
        if (!value.is_string() || value.get_string().empty()) {
          bad_.push_back(at);
          continue;
        }
        (key == "partId" ? part.part_id : part.blob_id) = std::string(value.get_string());
      } else if (key == "size") {
        has_size = !value.is_null();
      } else if (key == "type") {
        type = string_or_null(value, at);
      } else if (key == "charset") {
        part.charset = string_or_null(value, at);
      } else if (key == "name") {
        part.name = string_or_null(value, at);
      } else if (key == "disposition") {
        part.disposition = string_or_null(value, at);
      } else if (key == "cid") {
        part.cid = string_or_null(value, at);
      } else if (key == "location") {
        part.location = string_or_null(value, at);
      } else if (key == "language") {
        if (value.is_null()) continue;
        const json::array* langs = value.if_array();
        if (!langs) {
          bad_.push_back(at);
          continue;
        }
        for (const auto& l : *langs) {
          if (!l.is_string() || !valid_token_list_item(l.get_string()) ||
              l.get_string().find(',') != json::string::npos)
            bad_.push_back(at);
          else
            part.language.push_back(std::string(l.get_string()));
        }
      } else if (key == "subParts") {
        sub_parts = &value;
      } else if (auto hp = key.starts_with("header:") ? parse_header_property(key) : std::nullopt) {
        std::string lower = ascii_lower(hp->name);
        // §4.6: the server chooses the transfer encoding.
        if (lower == "content-transfer-encoding") {
          bad_.push_back(at);
          continue;
        }
        auto lines = encode_property(hp->name, hp->form, hp->all, value);
        if (!lines) {
          bad_.push_back(at);
          continue;
        }
        if (fields.count(lower)) {
          bad_.push_back(at);
          bad_.push_back(path + "/" + fields[lower]);
          continue;
        }
        fields[lower] = key;
        if (lower == "content-type" && !lines->empty()) part.has_content_type_header = true;
        for (auto& f : *lines) part.extra.push_back(std::move(f));
      } else {
        // "headers" (§4.6) and anything that is no EmailBodyPart property.
        bad_.push_back(at);
      }
    }
    // A header:Content-* beside the property for the same field (§4.6).
    for (const auto& [lower, property] : fields)
      if (property.starts_with("header:"))
        for (std::string_view p :
             {"type", "charset", "disposition", "name", "cid", "language", "location"})
          if (part_property_field(p) == lower && o->contains(p) && !o->at(p).is_null())
            bad_.push_back(path + "/" + property);

    if (!type)
      type = !default_type.empty()  ? std::string(default_type)
             : part.part_id.empty() ? "application/octet-stream"
                                    : "text/plain";
    part.type = ascii_lower(*type);
    if (part.type.find('/') == std::string::npos ||
        part.type.find_first_of(" ;\"") != std::string::npos)
      bad_.push_back(path + "/type");
    if (part.is_multipart()) {
      const json::array* subs = sub_parts ? sub_parts->if_array() : nullptr;
      if (!subs) bad_.push_back(path + "/subParts");
      if (!part.part_id.empty()) bad_.push_back(path + "/partId");
      if (!part.blob_id.empty()) bad_.push_back(path + "/blobId");
      if (part.charset) bad_.push_back(path + "/charset");
      if (part.has_content_type_header) bad_.push_back(path + "/" + fields["content-type"]);
      if (subs)
        for (size_t i = 0; i < subs->size(); ++i) {
          auto child = read_part((*subs)[i], path + "/subParts/" + std::to_string(i), "");
          if (child) part.sub_parts.push_back(std::move(*child));
        }
    } else {
      if (sub_parts && !sub_parts->is_null()) bad_.push_back(path + "/subParts");
      // §4.6: a partId or a blobId, not both; a partId is in bodyValues and comes
      // without charset and size.
      if (part.part_id.empty() == part.blob_id.empty()) bad_.push_back(path + "/partId");
      if (!part.part_id.empty()) {
        if (!body_values_.count(part.part_id)) bad_.push_back(path + "/partId");
        if (part.charset) bad_.push_back(path + "/charset");
        if (has_size) bad_.push_back(path + "/size");
      }
    }
    if (bad_.size() != bad_before) return std::nullopt;
    return part;
  }

  void resolve_blobs(PartSpec& part, std::vector<std::string>& missing) {
    for (auto& child : part.sub_parts) resolve_blobs(child, missing);
    if (part.is_multipart()) return;
    if (!part.part_id.empty()) {
      part.content = to_crlf(body_values_[part.part_id]);
      return;
    }
    if (part.blob_id.empty()) return;  // the empty body of an Email without one
    std::optional<std::string> bytes;
    if (auto ref = parse_blob_id(part.blob_id)) bytes = context_.fetch_blob(*ref);
    if (!bytes) {
      if (std::find(missing.begin(), missing.end(), part.blob_id) == missing.end())
        missing.push_back(part.blob_id);
      return;
    }
    part.content = std::move(*bytes);
  }

  std::string boundary(const std::vector<std::string>& children) {
    std::string token;
    for (char c : context_.random_token ? context_.random_token() : std::string())
      if (std::isalnum(static_cast<unsigned char>(c)) && token.size() < 40) token.push_back(c);
    // "=_" never occurs in quoted-printable or base64 output (RFC 2045 §6.7 and §6.8).
    std::string b = "=_" + token;
    for (int n = 0;; ++n) {
      std::string candidate = n == 0 ? b : b + "_" + std::to_string(n);
      bool clash = false;
      for (const auto& c : children)
        if (c.find("--" + candidate) != std::string::npos) clash = true;
      if (!clash) return candidate;
    }
  }

  // The part's header fields and body (RFC 2045, RFC 2046).
  std::pair<std::string, std::string> write_part(const PartSpec& part) {
    std::string headers, body;
    std::string content_type = " " + part.type;
    std::string encoding;
    if (part.is_multipart()) {
      std::vector<std::string> children;
      for (const auto& child : part.sub_parts) {
        auto [h, b] = write_part(child);
        children.push_back(h + "\r\n" + b);
      }
      std::string b = boundary(children);
      for (const auto& child : children) body += "--" + b + "\r\n" + child + "\r\n";
      body += "--" + b + "--\r\n";
      content_type += "; boundary=\"" + b + "\"";
    } else {
      body = part.content;
      const bool text = part.type.starts_with("text/");
      if (!part.part_id.empty()) {
        if (text) content_type += "; charset=utf-8";
        if (is_seven_bit_clean(body)) {
          encoding = "7bit";
        } else if (text) {
          encoding = "quoted-printable";
          body = encode_quoted_printable(body);
        } else {
          encoding = "base64";
          body = encode_base64_lines(body);
        }
      } else {
        if (part.charset) content_type += "; charset=" + *part.charset;
        if (is_seven_bit_clean(body)) {
          encoding = "7bit";
        } else if (part.type.starts_with("message/")) {
          // RFC 2046 §5.2.1: no base64 or quoted-printable for message/*.
          encoding = "8bit";
        } else {
          encoding = "base64";
          body = encode_base64_lines(body);
        }
      }
      if (part.name && !part.disposition)
        content_type += content_type_name_param("name", *part.name);
    }
    if (!part.has_content_type_header) headers += header_line("Content-Type", content_type);
    if (part.disposition) {
      std::string d = " " + *part.disposition;
      if (part.name) d += rfc2231_param("filename", *part.name);
      headers += header_line("Content-Disposition", d);
    }
    if (part.cid) headers += header_line("Content-ID", " <" + *part.cid + ">");
    if (!part.language.empty()) {
      std::string l;
      for (const auto& tag : part.language) l += (l.empty() ? " " : ", ") + tag;
      headers += header_line("Content-Language", l);
    }
    if (part.location) headers += header_line("Content-Location", " " + *part.location);
    if (!encoding.empty()) headers += header_line("Content-Transfer-Encoding", " " + encoding);
    for (const auto& f : part.extra) headers += header_line(f.name, f.value);
    return {std::move(headers), std::move(body)};
  }

  std::string write_message(const PartSpec& root) {
    // §4.6: the server adds Date and Message-ID when the client gave none.
    if (!field_property_.count("date"))
      groups_.push_back({"date", {{"Date", " " + mime::format_rfc5322_date({context_.now, 0})}}});
    if (!field_property_.count("message-id")) {
      std::string token = context_.random_token ? context_.random_token() : std::string("0");
      groups_.push_back(
          {"message-id", {{"Message-ID", " <" + token + "@" + context_.hostname + ">"}}});
    }
    std::stable_sort(groups_.begin(), groups_.end(), [](const FieldGroup& a, const FieldGroup& b) {
      return field_rank(a.lower) < field_rank(b.lower);
    });
    std::string out;
    for (const auto& g : groups_)
      for (const auto& f : g.lines) out += header_line(f.name, f.value);
    if (!field_property_.count("mime-version")) out += "MIME-Version: 1.0\r\n";
    auto [headers, body] = write_part(root);
    out += headers;
    out += "\r\n";
    out += body;
    return out;
  }

  const json::object& create_;
  const CreateContext& context_;
  std::vector<std::string> bad_;
  std::map<std::string, std::string> field_property_;  // header field (lowercase) -> property
  std::vector<FieldGroup> groups_;
  std::map<std::string, std::string> body_values_;
};

}  // namespace

std::variant<std::string, SetErrorLite> build_email(const json::object& create,
                                                    const CreateContext& context) {
  return Builder(create, context).run();
}

}  // namespace postamt::jmap
