#include "jmap/email/body_parts.h"

#include "base/strings.h"
#include "jmap/email/header_forms.h"
#include "mime/charset.h"
#include "mime/encoded_word.h"
#include "mime/transfer_encoding.h"

namespace postamt::jmap {

namespace {

void add_part(const mime::Message& message, uint32_t index, std::string part_id, BodyTree& tree) {
  const mime::Part& part = message.part(index);
  size_t slot = tree.parts.size();
  tree.parts.push_back({});
  BodyPartInfo& info = tree.parts.back();
  info.index = index;
  info.type = part.content_type.type + "/" + part.content_type.subtype;
  info.name = part_name(part);
  if (part.disposition) info.disposition = part.disposition->type;
  if (!part.is_multipart()) {
    info.part_id = std::move(part_id);
    return;
  }
  // §4.1.4 bodyStructure: subParts of multiparts only, message/* is not entered.
  std::vector<uint32_t> children = message.children(part);
  for (size_t i = 0; i < children.size(); ++i) {
    std::string child_id =
        part_id.empty() ? std::to_string(i + 1) : part_id + "." + std::to_string(i + 1);
    size_t child_slot = tree.parts.size();
    add_part(message, children[i], std::move(child_id), tree);
    tree.parts[slot].sub_parts.push_back(child_slot);
  }
  tree.parts[slot].part_id.clear();
}

bool is_inline_media_type(const std::string& type) {
  return type.starts_with("image/") || type.starts_with("audio/") || type.starts_with("video/");
}

// RFC 8621 §4.1.4 parseStructure(), step for step. A null list of the pseudo-code is a
// null pointer here; like the JavaScript, nulling one affects only this call's copy.
void parse_structure(const BodyTree& tree, const std::vector<size_t>& parts,
                     std::string_view multipart_type, bool in_alternative,
                     std::vector<size_t>* html_body, std::vector<size_t>* text_body,
                     std::vector<size_t>& attachments) {
  const long text_length = text_body ? static_cast<long>(text_body->size()) : -1;
  const long html_length = html_body ? static_cast<long>(html_body->size()) : -1;

  for (size_t i = 0; i < parts.size(); ++i) {
    const BodyPartInfo& part = tree.parts[parts[i]];
    const bool is_multipart = part.type.starts_with("multipart/");
    const bool is_inline = part.disposition != "attachment" &&
                           (part.type == "text/plain" || part.type == "text/html" ||
                            is_inline_media_type(part.type)) &&
                           (i == 0 || (multipart_type != "related" &&
                                       (is_inline_media_type(part.type) || !part.name)));

    if (is_multipart) {
      std::string sub_multi_type = part.type.substr(part.type.find('/') + 1);
      parse_structure(tree, part.sub_parts, sub_multi_type,
                      in_alternative || sub_multi_type == "alternative", html_body, text_body,
                      attachments);
    } else if (is_inline) {
      if (multipart_type == "alternative") {
        if (part.type == "text/plain") {
          text_body->push_back(parts[i]);
        } else if (part.type == "text/html") {
          html_body->push_back(parts[i]);
        } else {
          attachments.push_back(parts[i]);
        }
        continue;
      } else if (in_alternative) {
        if (part.type == "text/plain") html_body = nullptr;
        if (part.type == "text/html") text_body = nullptr;
      }
      if (text_body) text_body->push_back(parts[i]);
      if (html_body) html_body->push_back(parts[i]);
      if ((!text_body || !html_body) && is_inline_media_type(part.type))
        attachments.push_back(parts[i]);
    } else {
      attachments.push_back(parts[i]);
    }
  }

  if (multipart_type == "alternative" && text_body && html_body) {
    // Found HTML part only
    if (text_length == static_cast<long>(text_body->size()) &&
        html_length != static_cast<long>(html_body->size())) {
      for (size_t k = static_cast<size_t>(html_length); k < html_body->size(); ++k)
        text_body->push_back((*html_body)[k]);
    }
    // Found plaintext part only
    if (html_length == static_cast<long>(html_body->size()) &&
        text_length != static_cast<long>(text_body->size())) {
      for (size_t k = static_cast<size_t>(text_length); k < text_body->size(); ++k)
        html_body->push_back((*text_body)[k]);
    }
  }
}

bool is_utf8_or_ascii(std::string_view charset) {
  return iequals(charset, "utf-8") || iequals(charset, "utf8") || iequals(charset, "us-ascii") ||
         iequals(charset, "ascii");
}

}  // namespace

BodyTree body_tree(const mime::Message& message) {
  BodyTree tree;
  if (message.parts().empty()) return tree;
  // The root multipart's children are "1", "2", ...; a single-part root is "1".
  add_part(message, 0, message.root().is_multipart() ? "" : "1", tree);
  return tree;
}

BodyLists flatten_body(const BodyTree& tree) {
  BodyLists lists;
  if (tree.parts.empty()) return lists;
  std::vector<size_t> root = {0};
  parse_structure(tree, root, "mixed", false, &lists.html_body, &lists.text_body,
                  lists.attachments);
  return lists;
}

std::optional<std::string> part_name(const mime::Part& part) {
  const std::string* name = part.disposition ? part.disposition->param("filename") : nullptr;
  if (!name) name = part.content_type.param("name");
  if (!name) return std::nullopt;
  // Many mailers put RFC 2047 words in quoted parameters although RFC 2047 §5 forbids it.
  return sanitize_utf8(mime::decode_encoded_words(*name));
}

std::string decoded_body(const mime::Message& message, const mime::Part& part) {
  std::string_view body = message.buffer().substr(part.body_start, part.body_size());
  return mime::decode_body(body, part.encoding);
}

BodyValue body_value(const mime::Message& message, const mime::Part& part, uint64_t max_bytes) {
  BodyValue out;
  std::string bytes = decoded_body(message, part);
  out.is_encoding_problem = part.encoding == mime::TransferEncoding::other;
  const std::string* charset_param = part.content_type.param("charset");
  std::string charset = charset_param ? *charset_param : "us-ascii";
  std::string text;
  if (is_utf8_or_ascii(charset)) {
    // 8-bit UTF-8 under us-ascii is common and harmless: §4.1.4 lets us guess.
    if (mime::is_valid_utf8(bytes)) {
      text = std::move(bytes);
    } else {
      text = sanitize_utf8(bytes);
      out.is_encoding_problem = true;
    }
  } else if (auto converted = mime::to_utf8(charset, bytes)) {
    // ICU writes U+FFFD for each malformed sequence.
    if (converted->find("\xEF\xBF\xBD") != std::string::npos) out.is_encoding_problem = true;
    text = std::move(*converted);
  } else {
    text = sanitize_utf8(bytes);
    out.is_encoding_problem = true;
  }
  // §4.1.4 value: "with any CRLF replaced with a single LF".
  std::string value;
  value.reserve(text.size());
  for (size_t i = 0; i < text.size(); ++i) {
    if (text[i] == '\r' && i + 1 < text.size() && text[i + 1] == '\n') continue;
    value.push_back(text[i]);
  }
  bool html = part.content_type.type == "text" && part.content_type.subtype == "html";
  out.is_truncated = truncate_utf8(value, max_bytes, html);
  out.value = std::move(value);
  return out;
}

bool truncate_utf8(std::string& text, uint64_t max_bytes, bool html) {
  if (max_bytes == 0 || text.size() <= max_bytes) return false;
  size_t cut = static_cast<size_t>(max_bytes);
  // Back up over continuation bytes so no character is split (§4.2 maxBodyValueBytes).
  while (cut > 0 && (static_cast<unsigned char>(text[cut]) & 0xC0) == 0x80) --cut;
  if (html) {
    // §4.2: SHOULD NOT truncate inside an HTML tag.
    size_t open = text.rfind('<', cut == 0 ? 0 : cut - 1);
    if (open != std::string::npos && open < cut) {
      size_t close = text.find('>', open);
      if (close == std::string::npos || close >= cut) cut = open;
    }
  }
  text.resize(cut);
  return true;
}

}  // namespace postamt::jmap
