// RFC 2047 encoded words ("=?charset?B|Q?text?=") and unstructured header values.
// Pure functions, thread-safe.
#pragma once

#include <string>
#include <string_view>

namespace postamt::mime {

// Decodes every well-formed encoded word in `text` to UTF-8. Whitespace between two
// adjacent encoded words is dropped (RFC 2047 §6.2); other text is kept as is, so raw
// 8-bit UTF-8 (RFC 6532) passes through. A word in a charset ICU does not know, or a
// malformed word, stays literal. Adjacent words in the same charset are decoded
// together, so a multi-byte character split across two words survives. As most mail
// readers do, words are also recognised when not separated from text by whitespace.
std::string decode_encoded_words(std::string_view text);

// Unfolds a raw unstructured header value (Subject, Content-Description, ...) and
// decodes its encoded words to UTF-8.
std::string decode_unstructured(std::string_view raw_value);

// Encodes UTF-8 text as a sequence of "=?UTF-8?B?...?=" words separated by single spaces,
// each at most 75 characters (RFC 2047 §2), never splitting a UTF-8 sequence.
std::string encode_words_utf8(std::string_view utf8);

}  // namespace postamt::mime
