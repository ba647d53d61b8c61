// UTF-8 text rules that the mail core's name checks share (mailbox names in
// mail/mailboxes.h, login names in mail/login.h).
//
// Threads: pure functions, any thread (ICU's normalizer instance is immutable).
#pragma once

#include <functional>
#include <string>
#include <string_view>

#include "base/result.h"

namespace postamt::mail {

// Calls `visit(code point)` for each code point of `text` until it returns false.
// Returns false when `text` is not well-formed UTF-8 (RFC 3629: no overlong forms, no
// surrogates, nothing above U+10FFFF, nothing cut short), true otherwise.
bool for_each_code_point(std::string_view text, const std::function<bool(char32_t)>& visit);

// True when `text` is well-formed UTF-8. The empty string is.
bool is_utf8(std::string_view text);

// True when well-formed UTF-8 `text` holds a control character: C0 (U+0000..U+001F),
// DEL (U+007F) or C1 (U+0080..U+009F, NEL U+0085 among them).
bool has_control_character(std::string_view text);

// The Unicode Normalization Form C of well-formed UTF-8 `utf8` (RFC 5198 §2), the input
// itself when it is NFC already. ErrorKind::internal when ICU cannot normalize (its data
// is missing) or the text is longer than ICU takes (2 GiB).
Result<std::string> to_nfc(std::string_view utf8);

}  // namespace postamt::mail
