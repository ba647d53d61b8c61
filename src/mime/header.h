// Header fields of one header block (RFC 5322 §2.2), as byte offsets into the message
// buffer, plus unfolding and case-insensitive lookup.
//
// All functions are pure and thread-safe; they never allocate except where they return
// a std::string or std::vector.
#pragma once

#include <cstddef>
#include <cstdint>
#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <vector>

namespace postamt::mime {

// One field. Offsets index the buffer the message was parsed from.
//   start       first byte of the field name
//   name_end    end of the name (whitespace before the colon, RFC 5322 §4.5.8, excluded)
//   value_start first byte after the colon
//   value_end   end of the raw value, excluding the field's final line end (CRLF or LF);
//               folding line ends inside the value are included
//   end         end of the field including its final line end
struct HeaderField {
  size_t start = 0;
  size_t name_end = 0;
  size_t value_start = 0;
  size_t value_end = 0;
  size_t end = 0;

  std::string_view name(std::string_view buffer) const {
    return buffer.substr(start, name_end - start);
  }
  // The raw value: folded, with its leading whitespace, exactly as in the buffer.
  std::string_view raw_value(std::string_view buffer) const {
    return buffer.substr(value_start, value_end - value_start);
  }
  // The whole field as in the buffer, including its final line end.
  std::string_view raw_field(std::string_view buffer) const {
    return buffer.substr(start, end - start);
  }
};

// RFC 5322 §2.2.3 unfolding: removes every CR and LF, then trims leading and trailing
// spaces and tabs. Whitespace after a fold is kept (it is part of the value).
std::string unfold(std::string_view raw_value);

// Text from a client, fit to stand inside a header field we write (Received,
// Return-Path, Original-Recipient): every control character, CR and LF included,
// becomes a space, so it can neither end the field nor start another.
std::string header_safe_text(std::string_view text);

// A read-only view of one header block: the fields in their order of appearance plus
// the buffer they index. Cheap to copy; valid as long as both referents live.
class HeaderView {
 public:
  HeaderView() = default;
  HeaderView(std::string_view buffer, std::span<const HeaderField> fields)
      : buffer_(buffer), fields_(fields) {}

  std::span<const HeaderField> fields() const { return fields_; }
  std::string_view buffer() const { return buffer_; }
  size_t size() const { return fields_.size(); }

  // The first field whose name equals `name` ignoring ASCII case, or nullptr.
  const HeaderField* find_first(std::string_view name) const;
  // Every field with that name, in order.
  std::vector<const HeaderField*> find_all(std::string_view name) const;
  size_t count(std::string_view name) const;
  // The unfolded value of the first field with that name; nullopt if there is none.
  std::optional<std::string> value(std::string_view name) const;

 private:
  std::string_view buffer_;
  std::span<const HeaderField> fields_;
};

// Scans a standalone header block (for example the headers SMTP received, or a part of a
// message) starting at `buffer[0]`. Stops at the blank line, at a line that is neither a
// field nor a continuation, or at the end. Returns the fields; `*header_end` (if given)
// receives the offset after the blank line, or where scanning stopped.
std::vector<HeaderField> scan_header_block(std::string_view buffer, size_t* header_end = nullptr);

}  // namespace postamt::mime
