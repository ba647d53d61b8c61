// Text for case-insensitive searching (IMAP SEARCH, RFC 9051 §6.4.4: "[MIME-IMB] content
// transfer encodings and [MIME-HDRS] strings ... MUST be decoded before comparing text"):
// Unicode case folding, and the decoded UTF-8 text of a message's text parts.
// Pure functions, thread-safe.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "mime/message.h"

namespace postamt::mime {

// Unicode simple case folding (ICU u_foldCase, default mappings) of every code point of
// `utf8`; ill-formed sequences become U+FFFD. Simple folding maps one code point to one,
// so "ÉTÉ" folds like "été" and "K" (Kelvin sign) like "k", but "ß" does not become "ss".
std::string fold_case(std::string_view utf8);

// True when `folded_needle` (already passed through fold_case) occurs in `haystack`
// after folding it. The empty needle occurs in every haystack.
bool contains_folded(std::string_view haystack, std::string_view folded_needle);

// The leaf parts whose content type is text/* (the root of a single-part message
// included), in pre-order, including those inside enclosed message/rfc822 parts.
std::vector<uint32_t> text_parts(const Message& message);

// The body of `part` as UTF-8: transfer encoding undone (base64, quoted-printable), then
// converted from the part's charset parameter (us-ascii when absent). A charset ICU does
// not know leaves the decoded bytes unchanged.
std::string decoded_text(const Message& message, const Part& part);

}  // namespace postamt::mime
