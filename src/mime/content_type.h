// Content-Type (RFC 2045 §5.1) and Content-Disposition (RFC 2183) values with their
// parameters, RFC 2231 decoded (continuations, charset'language'percent-encoding).
// Pure functions, thread-safe.
#pragma once

#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace postamt::mime {

struct Parameter {
  std::string name;   // lowercased attribute, without any RFC 2231 '*' suffixes
  std::string value;  // unquoted; RFC 2231 values joined and converted to UTF-8
  bool operator==(const Parameter&) const = default;
};

struct ContentType {
  std::string type;     // lowercased
  std::string subtype;  // lowercased
  std::vector<Parameter> params;

  // The value of a parameter by (case-insensitive) name, or nullptr.
  const std::string* param(std::string_view name) const;
};

struct Disposition {
  std::string type;  // lowercased: "inline", "attachment", ...
  std::vector<Parameter> params;
  const std::string* param(std::string_view name) const;
};

// Parses an unfolded Content-Type value. Returns nullopt when there is no valid
// type "/" subtype (the caller then applies the RFC 2045 §5.2 default). Malformed
// parameters are skipped; the ones before and after them are kept.
std::optional<ContentType> parse_content_type(std::string_view value);

// Parses an unfolded Content-Disposition value; nullopt when there is no type token.
std::optional<Disposition> parse_disposition(std::string_view value);

// Parses "; name=value" parameter lists (RFC 2045 §5.1) starting anywhere in `text` and
// applies RFC 2231: name*0=, name*1*=, name*=charset'lang'%XX. Sections are joined in
// number order; an encoded value whose charset ICU does not know keeps its raw bytes.
// When a name appears twice, the first wins, except that an RFC 2231 form wins over a
// plain one. Order of first appearance is kept. Only the first kMaxParameters
// "name=value" items are read, which keeps the work per field linear in practice.
inline constexpr size_t kMaxParameters = 256;
std::vector<Parameter> parse_parameters(std::string_view text);

}  // namespace postamt::mime
