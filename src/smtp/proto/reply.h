// SMTP replies: typed values and their wire form (RFC 5321 §4.2, RFC 2034 §4).
//
// Engines build a Reply and call encode_reply(); they never assemble reply text.
// Pure functions, callable from any thread.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace postamt::smtp::proto {

// class.subject.detail (RFC 3463 §2). class is 2, 4 or 5; subject and detail 0..999.
struct EnhancedCode {
  uint16_t klass = 0;
  uint16_t subject = 0;
  uint16_t detail = 0;

  bool operator==(const EnhancedCode&) const = default;
  // "5.1.1"
  std::string to_string() const;
};

// The enhanced codes the server uses, by meaning (RFC 3463 §3 unless noted). Engines
// name these constants instead of writing codes as strings.
namespace code {
inline constexpr EnhancedCode kOk{2, 0, 0};
inline constexpr EnhancedCode kSenderOk{2, 1, 0};     // MAIL accepted
inline constexpr EnhancedCode kRecipientOk{2, 1, 5};  // RCPT accepted
inline constexpr EnhancedCode kMessageAccepted{2, 6, 0};
inline constexpr EnhancedCode kAuthSucceeded{2, 7, 0};  // RFC 4954 §6
inline constexpr EnhancedCode kCannotVerify{2, 5, 0};   // 252 reply to VRFY

inline constexpr EnhancedCode kTempMailboxFull{4, 2, 2};
inline constexpr EnhancedCode kTempSystem{4, 3, 0};
inline constexpr EnhancedCode kTempSystemFull{4, 3, 1};
inline constexpr EnhancedCode kShuttingDown{4, 3, 2};  // "system not accepting messages"
inline constexpr EnhancedCode kTempNetwork{4, 4, 0};
inline constexpr EnhancedCode kTempTooManyRecipients{4, 5, 3};
inline constexpr EnhancedCode kTempAuthFailure{4, 7, 0};  // RFC 4954 §6: 454 4.7.0
inline constexpr EnhancedCode kTempRateLimited{4, 7, 1};

inline constexpr EnhancedCode kMailboxUnknown{5, 1, 1};
inline constexpr EnhancedCode kBadRecipientSyntax{5, 1, 3};
inline constexpr EnhancedCode kBadSenderSyntax{5, 1, 7};
inline constexpr EnhancedCode kMailboxFull{5, 2, 2};
inline constexpr EnhancedCode kMessageTooBig{5, 3, 4};
inline constexpr EnhancedCode kPermSystem{5, 3, 0};
inline constexpr EnhancedCode kBadCommand{5, 5, 1};  // unknown or out-of-sequence command
inline constexpr EnhancedCode kSyntaxError{5, 5, 2};
inline constexpr EnhancedCode kTooManyRecipients{5, 5, 3};
inline constexpr EnhancedCode kBadArguments{5, 5, 4};     // also 555 for unknown parameters
inline constexpr EnhancedCode kAuthLineTooLong{5, 5, 6};  // RFC 4954 §6
inline constexpr EnhancedCode kMediaError{5, 6, 0};       // bare CR/LF, text line too long
inline constexpr EnhancedCode kConversionNotPossible{5, 6, 3};
inline constexpr EnhancedCode kNonAsciiAddress{5, 6, 7};  // RFC 6531 §3.5
inline constexpr EnhancedCode kPolicyRejected{5, 7, 1};
inline constexpr EnhancedCode kAuthRequired{5, 7, 0};         // RFC 4954 §6: 530 5.7.0
inline constexpr EnhancedCode kMechanismTooWeak{5, 7, 9};     // RFC 4954 §6: 534 5.7.9
inline constexpr EnhancedCode kBadCredentials{5, 7, 8};       // RFC 4954 §6: 535 5.7.8
inline constexpr EnhancedCode kEncryptionRequired{5, 7, 11};  // RFC 4954 §6: 538 5.7.11
}  // namespace code

// One reply. `lines` hold text without CRLF; an empty vector encodes as a bare code
// line. `enhanced` is sent on every line (RFC 2034 §4); leave it empty for 220
// greetings, EHLO/HELO replies and 3xx replies, which must not carry one.
struct Reply {
  int code = 0;  // 200..599
  std::optional<EnhancedCode> enhanced;
  std::vector<std::string> lines;

  bool operator==(const Reply&) const = default;
};

// Convenience: one-line reply with an enhanced code.
Reply make_reply(int code, EnhancedCode enhanced, std::string text);

// Wire form: "250-2.0.0 first\r\n250 2.0.0 last\r\n". CR, LF and NUL inside a text
// line are replaced by spaces so that no text can forge an extra reply line.
std::string encode_reply(const Reply& reply);

// What the server offers after EHLO. Order of the reply lines is fixed (the order of
// the members below) so transcripts are stable.
struct ServerExtensions {
  bool pipelining = true;                    // RFC 2920
  std::optional<uint64_t> size;              // RFC 1870; 0 = "SIZE" without a limit
  bool eight_bit_mime = true;                // RFC 6152
  bool chunking = false;                     // RFC 3030 (BDAT)
  bool binary_mime = false;                  // RFC 3030, requires chunking
  bool smtputf8 = false;                     // RFC 6531
  bool dsn = false;                          // RFC 3461
  bool enhanced_status_codes = true;         // RFC 2034
  bool starttls = false;                     // RFC 3207: only before TLS
  std::vector<std::string> auth_mechanisms;  // RFC 4954; empty = no AUTH line
};

// "250-<domain> <greeting>" followed by one line per offered extension.
Reply ehlo_reply(std::string_view domain, std::string_view greeting,
                 const ServerExtensions& extensions);

}  // namespace postamt::smtp::proto
