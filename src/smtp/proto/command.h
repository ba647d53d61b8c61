// SMTP commands as typed values (RFC 5321 §4.1.1 and the extensions the server
// offers: RFC 1870 SIZE, 6152 8BITMIME, 3030 CHUNKING/BINARYMIME, 3461 DSN,
// 4954 AUTH, 6531 SMTPUTF8, 3207 STARTTLS).
//
// The session engine reads one line, strips its CRLF, enforces
// kMaxCommandLineOctets itself (answering 500 5.5.2 "Line too long"), then calls
// parse_command() and dispatches on the variant. Pure functions, any thread.
#pragma once

#include <cstddef>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <variant>

#include "smtp/proto/address.h"
#include "smtp/proto/command_error.h"

namespace postamt::smtp::proto {

// RFC 5321 §4.5.3.1.4: a command line is at most 512 octets including CRLF. The
// caller enforces it before parsing; parameters of SIZE/DSN/AUTH only lengthen MAIL
// and RCPT lines a little (RFC 1870 §3 et al. add their own allowances), so a server
// may choose a somewhat larger limit for MAIL/RCPT.
inline constexpr size_t kMaxCommandLineOctets = 512;

enum class BodyType { seven_bit, eight_bit_mime, binary_mime };  // RFC 6152, RFC 3030 §3
enum class DsnReturn { full, headers };                          // RFC 3461 §4.3 RET=FULL|HDRS

struct MailParams {
  std::optional<uint64_t> size;  // RFC 1870; values above uint64 saturate to UINT64_MAX
  std::optional<BodyType> body;
  bool smtputf8 = false;
  std::optional<DsnReturn> ret;
  std::optional<std::string> envid;  // xtext-decoded (RFC 3461 §4.4)
  // RFC 4954 §5: xtext-decoded mailbox, or "<>" exactly when the client said AUTH=<>.
  std::optional<std::string> auth;

  bool operator==(const MailParams&) const = default;
};

// RFC 3461 §4.1. `never` excludes the others; an absent NOTIFY is std::nullopt.
struct Notify {
  bool never = false;
  bool success = false;
  bool failure = false;
  bool delay = false;

  bool operator==(const Notify&) const = default;
};

// RFC 3461 §4.2: ORCPT=addr-type;xtext.
struct OriginalRecipient {
  std::string addr_type;  // as sent, e.g. "rfc822"
  std::string address;    // xtext-decoded

  bool operator==(const OriginalRecipient&) const = default;
};

struct RcptParams {
  std::optional<Notify> notify;
  std::optional<OriginalRecipient> orcpt;

  bool operator==(const RcptParams&) const = default;
};

struct Ehlo {
  std::string domain;  // a domain or an address literal with brackets
  bool operator==(const Ehlo&) const = default;
};
struct Helo {
  std::string domain;
  bool operator==(const Helo&) const = default;
};
struct Mail {
  Mailbox reverse_path;  // is_null() for "<>"
  MailParams params;
  bool operator==(const Mail&) const = default;
};
struct Rcpt {
  Mailbox forward_path;  // domain empty for "<postmaster>"
  RcptParams params;
  bool operator==(const Rcpt&) const = default;
};
struct Data {
  bool operator==(const Data&) const = default;
};
enum class BdatLast { no, yes };
struct Bdat {  // RFC 3030 §2
  uint64_t size = 0;
  BdatLast last = BdatLast::no;
  bool operator==(const Bdat&) const = default;
};
struct Rset {
  bool operator==(const Rset&) const = default;
};
struct Noop {  // the optional String argument is ignored (RFC 5321 §4.1.1.9)
  bool operator==(const Noop&) const = default;
};
struct Quit {
  bool operator==(const Quit&) const = default;
};
struct Vrfy {
  std::string arg;  // the String, unquoted
  bool operator==(const Vrfy&) const = default;
};
struct Expn {
  std::string arg;
  bool operator==(const Expn&) const = default;
};
struct Help {
  std::optional<std::string> arg;
  bool operator==(const Help&) const = default;
};
struct Starttls {
  bool operator==(const Starttls&) const = default;
};
struct Auth {             // RFC 4954 §4
  std::string mechanism;  // upper-cased
  // Still base64 (decoding is the SASL layer's job); "=" means an empty response.
  std::optional<std::string> initial_response;
  bool operator==(const Auth&) const = default;
};

using Command = std::variant<Ehlo, Helo, Mail, Rcpt, Data, Bdat, Rset, Noop, Quit, Vrfy, Expn, Help,
                             Starttls, Auth>;

// MAIL/RCPT parameters of the extensions the server advertised; a parameter of an
// extension not listed here is an unknown parameter (555 5.5.4).
struct OfferedParams {
  bool size = true;
  bool body_8bitmime = true;
  bool body_binarymime = false;
  bool smtputf8 = false;
  bool dsn = false;
  bool auth = false;
};

struct ParseOptions {
  OfferedParams offered;
  // For RCPT: the current transaction's MAIL carried SMTPUTF8. A MAIL line's own
  // SMTPUTF8 parameter (when offered) is what allows UTF-8 in its reverse-path.
  Utf8Addresses utf8_recipients = Utf8Addresses::rejected;
};

// Parses one command line without its CRLF. Verbs and parameter names are
// case-insensitive; trailing spaces are ignored. Fails with:
//   bad_characters       NUL, CR or LF anywhere in the line;
//   unknown_command      a verb not listed above;
//   syntax               arguments missing, extra or malformed, path limits exceeded;
//   bad_parameter_value  a known parameter with a malformed or duplicated value;
//   unknown_parameter    a parameter not known or not offered;
//   non_ascii_sender / non_ascii_recipient   UTF-8 in a path without SMTPUTF8.
Result<Command, CommandError> parse_command(std::string_view line, const ParseOptions& options = {});

}  // namespace postamt::smtp::proto
