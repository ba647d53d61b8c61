// A small XML 1.0 writer for the autoconfiguration documents (documents.h): elements,
// attributes and text, every value escaped. A codec: pure, any thread.
#pragma once

#include <initializer_list>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "base/xml_escape.h"

namespace postamt::autoconfig {

using XmlAttributes = std::initializer_list<std::pair<std::string_view, std::string_view>>;

// Writes one document, indented by two spaces per level. Element and attribute names are
// the caller's constants (not checked); attribute values and text are escaped.
class XmlWriter {
 public:
  // Starts with the declaration: <?xml version="1.0" encoding="UTF-8"?>
  XmlWriter();
  // A line written as it is (a DOCTYPE of a fixed public identifier), at the current level.
  void raw_line(std::string_view line);
  void open(std::string_view name, XmlAttributes attributes = {});
  // <name>text</name>, or <name/> when text is empty.
  void element(std::string_view name, std::string_view text, XmlAttributes attributes = {});
  // Closes the innermost open element.
  void close();
  // Closes every open element and returns the document (ending in a line feed).
  std::string finish();

 private:
  void indent();
  std::string out_;
  std::vector<std::string> open_;
};

// Apple property list values (the XML form of plist, "PropertyList-1.0.dtd") on an
// XmlWriter: <key>, <string>, <integer>, <true/>/<false/>.
void plist_key(XmlWriter& xml, std::string_view key);
void plist_string(XmlWriter& xml, std::string_view key, std::string_view value);
void plist_integer(XmlWriter& xml, std::string_view key, long long value);
void plist_bool(XmlWriter& xml, std::string_view key, bool value);

}  // namespace postamt::autoconfig
