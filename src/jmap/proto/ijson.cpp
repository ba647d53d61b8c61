#include "jmap/proto/ijson.h"

#include <boost/json/basic_parser_impl.hpp>
#include <boost/json/value_stack.hpp>
#include <cmath>
#include <string>
#include <unordered_set>
#include <vector>

namespace postamt::jmap {
namespace {

// RFC 7493 §2.1: noncharacters are U+FDD0..U+FDEF and the last two code points of every
// plane. `s` is valid UTF-8 (the parser checked it).
bool has_noncharacter(std::string_view s) {
  for (size_t i = 0; i < s.size(); ++i) {
    auto b = static_cast<unsigned char>(s[i]);
    if (b < 0xEF) continue;
    if (b == 0xEF && i + 2 < s.size()) {
      auto b1 = static_cast<unsigned char>(s[i + 1]);
      auto b2 = static_cast<unsigned char>(s[i + 2]);
      if (b1 == 0xB7 && b2 >= 0x90 && b2 <= 0xAF) return true;    // U+FDD0..U+FDEF
      if (b1 == 0xBF && (b2 == 0xBE || b2 == 0xBF)) return true;  // U+FFFE, U+FFFF
    } else if (b >= 0xF0 && i + 3 < s.size()) {
      // U+nFFFE / U+nFFFF: F? ?F BF BE|BF with the low nibble of byte 1 set to F.
      auto b1 = static_cast<unsigned char>(s[i + 1]);
      auto b2 = static_cast<unsigned char>(s[i + 2]);
      auto b3 = static_cast<unsigned char>(s[i + 3]);
      if ((b1 & 0x0F) == 0x0F && b2 == 0xBF && (b3 == 0xBE || b3 == 0xBF)) return true;
    }
  }
  return false;
}

// Builds the value with Boost's value_stack and adds the checks plain JSON lacks. A
// failed check sets `problem` and stops the parser.
class Handler {
 public:
  static constexpr size_t max_object_size = json::object::max_size();
  static constexpr size_t max_array_size = json::array::max_size();
  static constexpr size_t max_key_size = json::string::max_size();
  static constexpr size_t max_string_size = json::string::max_size();

  json::value_stack st;
  std::string problem;

  bool on_document_begin(json::error_code&) {
    st.reset();
    return true;
  }
  bool on_document_end(json::error_code&) { return true; }
  bool on_object_begin(json::error_code&) {
    keys_.emplace_back();
    return true;
  }
  bool on_object_end(size_t n, json::error_code&) {
    keys_.pop_back();
    st.push_object(n);
    return true;
  }
  bool on_array_begin(json::error_code&) { return true; }
  bool on_array_end(size_t n, json::error_code&) {
    st.push_array(n);
    return true;
  }
  bool on_key_part(json::string_view s, size_t, json::error_code&) {
    text_.append(s.data(), s.size());
    return true;
  }
  bool on_key(json::string_view s, size_t, json::error_code& ec) {
    text_.append(s.data(), s.size());
    if (has_noncharacter(text_)) return fail(ec, "a member name holds a Unicode noncharacter");
    // RFC 7493 §2.3: member names MUST be unique.
    if (!keys_.back().insert(text_).second) {
      return fail(ec, "duplicate member name \"" + text_ + "\"");
    }
    st.push_key(text_);
    text_.clear();
    return true;
  }
  bool on_string_part(json::string_view s, size_t, json::error_code&) {
    text_.append(s.data(), s.size());
    return true;
  }
  bool on_string(json::string_view s, size_t, json::error_code& ec) {
    text_.append(s.data(), s.size());
    if (has_noncharacter(text_)) return fail(ec, "a string holds a Unicode noncharacter");
    st.push_string(text_);
    text_.clear();
    return true;
  }
  bool on_number_part(json::string_view s, json::error_code&) {
    text_.append(s.data(), s.size());
    return true;
  }
  bool on_int64(int64_t i, json::string_view, json::error_code& ec) {
    text_.clear();
    if (i > kMaxSafeInteger || i < -kMaxSafeInteger) return out_of_range(ec);
    st.push_int64(i);
    return true;
  }
  bool on_uint64(uint64_t u, json::string_view, json::error_code& ec) {
    text_.clear();
    if (u > static_cast<uint64_t>(kMaxSafeInteger)) return out_of_range(ec);
    st.push_uint64(u);
    return true;
  }
  bool on_double(double d, json::string_view s, json::error_code& ec) {
    text_.append(s.data(), s.size());
    // Boost hands integer literals beyond 64 bits over as doubles: still integers.
    bool integer_literal = text_.find_first_of(".eE") == std::string::npos;
    text_.clear();
    if (integer_literal) return out_of_range(ec);
    if (!std::isfinite(d)) return fail(ec, "a number is too large for a double");
    st.push_double(d);
    return true;
  }
  bool on_bool(bool b, json::error_code&) {
    st.push_bool(b);
    return true;
  }
  bool on_null(json::error_code&) {
    st.push_null();
    return true;
  }
  bool on_comment_part(json::string_view, json::error_code&) { return true; }
  bool on_comment(json::string_view, json::error_code&) { return true; }

 private:
  bool out_of_range(json::error_code& ec) {
    return fail(ec, "an integer is outside -(2^53-1)..2^53-1");
  }
  bool fail(json::error_code& ec, std::string what) {
    problem = std::move(what);
    ec = json::make_error_code(json::error::syntax);
    return false;
  }

  std::string text_;                                   // the key, string or number being read
  std::vector<std::unordered_set<std::string>> keys_;  // member names per open object
};

}  // namespace

Result<json::value> parse_ijson(std::string_view text, size_t max_depth) {
  json::parse_options options;
  options.max_depth = max_depth;
  json::basic_parser<Handler> parser(options);
  json::error_code ec;
  size_t used = parser.write_some(false, text.data(), text.size(), ec);
  if (!ec && used != text.size()) ec = json::make_error_code(json::error::extra_data);
  if (ec) {
    if (!parser.handler().problem.empty()) {
      return Error{ErrorKind::invalid, parser.handler().problem};
    }
    if (ec == json::error::too_deep) {
      return Error{ErrorKind::limit,
                   "arrays and objects nested more than " + std::to_string(max_depth) + " deep"};
    }
    return Error{ErrorKind::invalid, ec.message() + " at octet " + std::to_string(used)};
  }
  return parser.handler().st.release();
}

}  // namespace postamt::jmap
