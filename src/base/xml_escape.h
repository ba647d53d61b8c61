// XML escaping shared by every XML writer (autoconfiguration documents, DMARC reports).
// Pure; any thread.
#pragma once

#include <string>
#include <string_view>

namespace postamt {

// `text` as XML character data or an attribute value (XML 1.0 §2.4, §3.3.3): '&', '<',
// '>', '"' and '\'' become entity references; octets that are not well-formed UTF-8 and
// characters XML 1.0 does not allow (§2.2: C0 controls other than TAB, LF and CR; U+FFFE,
// U+FFFF) become U+FFFD, so that the result is always a well-formed document's text.
std::string xml_escape(std::string_view text);

}  // namespace postamt
