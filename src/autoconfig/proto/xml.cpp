#include "autoconfig/proto/xml.h"

namespace postamt::autoconfig {

XmlWriter::XmlWriter() : out_("<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n") {}

void XmlWriter::indent() {
  out_.append(2 * open_.size(), ' ');
}

void XmlWriter::raw_line(std::string_view line) {
  indent();
  out_ += line;
  out_ += '\n';
}

namespace {
void start_tag(std::string& out, std::string_view name, XmlAttributes attributes) {
  out += '<';
  out += name;
  for (const auto& [attribute, value] : attributes) {
    out += ' ';
    out += attribute;
    out += "=\"";
    out += xml_escape(value);
    out += '"';
  }
}
}  // namespace

void XmlWriter::open(std::string_view name, XmlAttributes attributes) {
  indent();
  start_tag(out_, name, attributes);
  out_ += ">\n";
  open_.emplace_back(name);
}

void XmlWriter::element(std::string_view name, std::string_view text, XmlAttributes attributes) {
  indent();
  start_tag(out_, name, attributes);
  if (text.empty()) {
    out_ += "/>\n";
    return;
  }
  out_ += '>';
  out_ += xml_escape(text);
  out_ += "</";
  out_ += name;
  out_ += ">\n";
}

void XmlWriter::close() {
  if (open_.empty()) return;
  std::string name = std::move(open_.back());
  open_.pop_back();
  indent();
  out_ += "</" + name + ">\n";
}

std::string XmlWriter::finish() {
  while (!open_.empty()) close();
  return std::move(out_);
}

void plist_key(XmlWriter& xml, std::string_view key) {
  xml.element("key", key);
}

void plist_string(XmlWriter& xml, std::string_view key, std::string_view value) {
  plist_key(xml, key);
  // <string/> is an empty string in a plist as well; element() writes that for "".
  xml.element("string", value);
}

void plist_integer(XmlWriter& xml, std::string_view key, long long value) {
  plist_key(xml, key);
  xml.element("integer", std::to_string(value));
}

void plist_bool(XmlWriter& xml, std::string_view key, bool value) {
  plist_key(xml, key);
  xml.element(value ? "true" : "false", "");
}

}  // namespace postamt::autoconfig
