#include "smtp/proto/command.h"

#include <fmt/format.h>

#include <limits>
#include <vector>

#include "base/strings.h"
#include "smtp/proto/xtext.h"

namespace postamt::smtp::proto {

namespace {

CommandError syntax(std::string detail) {
  return {CommandErrorKind::syntax, std::move(detail)};
}
CommandError bad_value(std::string detail) {
  return {CommandErrorKind::bad_parameter_value, std::move(detail)};
}

bool is_alnum(char c) {
  return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9');
}

// esmtp-keyword = (ALPHA / DIGIT) *(ALPHA / DIGIT / "-")   (RFC 5321 §4.1.2)
bool is_esmtp_keyword(std::string_view s) {
  if (s.empty() || !is_alnum(s.front())) return false;
  for (char c : s)
    if (!is_alnum(c) && c != '-') return false;
  return true;
}

// esmtp-value = 1*(%d33-60 / %d62-126), plus UTF-8 under SMTPUTF8 (RFC 6531 §3.3).
bool is_esmtp_value(std::string_view s, Utf8Addresses utf8) {
  if (s.empty()) return false;
  for (size_t i = 0; i < s.size();) {
    auto c = static_cast<unsigned char>(s[i]);
    if (c >= 0x80) {
      size_t n = utf8 == Utf8Addresses::accepted ? utf8_sequence_length(s, i) : 0;
      if (n == 0) return false;
      i += n;
      continue;
    }
    if (c < 33 || c > 126 || c == '=') return false;
    ++i;
  }
  return true;
}

struct Param {
  std::string name;  // upper-cased
  std::optional<std::string_view> value;
};

// Splits " KEY=VALUE KEY" into parameters. Runs of spaces are tolerated between
// parameters: real clients send them and nothing can be smuggled through them.
Result<std::vector<Param>, CommandError> split_params(std::string_view rest) {
  std::vector<Param> out;
  if (rest.empty()) return out;
  if (rest.front() != ' ') return syntax("Syntax error: expected a space after the path");
  for (auto token : split(rest, ' ')) {
    if (token.empty()) continue;
    size_t eq = token.find('=');
    Param p;
    std::string_view name = token.substr(0, eq);
    if (!is_esmtp_keyword(name)) return syntax("Syntax error in parameter name");
    p.name = ascii_upper(name);
    if (eq != std::string_view::npos) p.value = token.substr(eq + 1);
    out.push_back(std::move(p));
  }
  return out;
}

CommandError unknown_param(const Param& p) {
  return {CommandErrorKind::unknown_parameter, fmt::format("Unsupported parameter {}", p.name)};
}

Result<std::string_view, CommandError> need_value(const Param& p, Utf8Addresses utf8) {
  if (!p.value || !is_esmtp_value(*p.value, utf8))
    return bad_value(fmt::format("Bad value for parameter {}", p.name));
  return *p.value;
}

Result<MailParams, CommandError> parse_mail_params(const std::vector<Param>& params,
                                          const OfferedParams& offered) {
  MailParams out;
  bool utf8 = false;
  for (const auto& p : params)
    if (p.name == "SMTPUTF8" && offered.smtputf8) utf8 = true;
  auto utf8_values = utf8 ? Utf8Addresses::accepted : Utf8Addresses::rejected;
  auto duplicate = [](const Param& p) {
    return bad_value(fmt::format("Duplicate parameter {}", p.name));
  };

  for (const auto& p : params) {
    if (p.name == "SIZE" && offered.size) {
      if (out.size) return duplicate(p);
      auto v = need_value(p, utf8_values);
      if (!v) return v.error();
      // RFC 1870 §3: size-value = 1*20DIGIT; a number beyond uint64 is simply too big.
      if (v->size() > 20) return bad_value("Bad value for parameter SIZE");
      for (char c : *v)
        if (c < '0' || c > '9') return bad_value("Bad value for parameter SIZE");
      auto n = parse_u64(*v);
      out.size = n ? *n : std::numeric_limits<uint64_t>::max();
    } else if (p.name == "BODY" && (offered.body_8bitmime || offered.body_binarymime)) {
      if (out.body) return duplicate(p);
      auto v = need_value(p, utf8_values);
      if (!v) return v.error();
      if (iequals(*v, "7BIT")) {
        out.body = BodyType::seven_bit;
      } else if (iequals(*v, "8BITMIME") && offered.body_8bitmime) {
        out.body = BodyType::eight_bit_mime;
      } else if (iequals(*v, "BINARYMIME") && offered.body_binarymime) {
        out.body = BodyType::binary_mime;
      } else {
        return bad_value("Bad value for parameter BODY");
      }
    } else if (p.name == "SMTPUTF8" && offered.smtputf8) {
      if (out.smtputf8) return duplicate(p);
      if (p.value) return bad_value("Parameter SMTPUTF8 takes no value");
      out.smtputf8 = true;
    } else if (p.name == "RET" && offered.dsn) {
      if (out.ret) return duplicate(p);
      auto v = need_value(p, utf8_values);
      if (!v) return v.error();
      if (iequals(*v, "FULL")) {
        out.ret = DsnReturn::full;
      } else if (iequals(*v, "HDRS")) {
        out.ret = DsnReturn::headers;
      } else {
        return bad_value("Bad value for parameter RET");
      }
    } else if (p.name == "ENVID" && offered.dsn) {
      if (out.envid) return duplicate(p);
      auto v = need_value(p, Utf8Addresses::rejected);
      if (!v) return v.error();
      auto decoded = xtext_decode(*v);
      if (!decoded) return bad_value("Bad xtext in parameter ENVID");
      out.envid = std::move(*decoded);
    } else if (p.name == "AUTH" && offered.auth) {
      if (out.auth) return duplicate(p);
      auto v = need_value(p, utf8_values);
      if (!v) return v.error();
      if (*v == "<>") {
        out.auth = "<>";
      } else {
        auto decoded = xtext_decode(*v);
        if (!decoded) return bad_value("Bad xtext in parameter AUTH");
        out.auth = std::move(*decoded);
      }
    } else {
      return unknown_param(p);
    }
  }
  return out;
}

Result<Notify, CommandError> parse_notify(std::string_view v) {
  Notify n;
  bool any = false;
  for (auto word : split(v, ',')) {
    bool* flag = nullptr;
    if (iequals(word, "NEVER")) {
      flag = &n.never;
    } else if (iequals(word, "SUCCESS")) {
      flag = &n.success;
    } else if (iequals(word, "FAILURE")) {
      flag = &n.failure;
    } else if (iequals(word, "DELAY")) {
      flag = &n.delay;
    } else {
      return bad_value("Bad value for parameter NOTIFY");
    }
    if (*flag) return bad_value("Bad value for parameter NOTIFY");
    *flag = true;
    any = true;
  }
  // RFC 3461 §4.1: NEVER must appear alone.
  if (!any || (n.never && (n.success || n.failure || n.delay)))
    return bad_value("Bad value for parameter NOTIFY");
  return n;
}

Result<RcptParams, CommandError> parse_rcpt_params(const std::vector<Param>& params,
                                          const ParseOptions& options) {
  RcptParams out;
  for (const auto& p : params) {
    if (p.name == "NOTIFY" && options.offered.dsn) {
      if (out.notify) return bad_value("Duplicate parameter NOTIFY");
      auto v = need_value(p, Utf8Addresses::rejected);
      if (!v) return v.error();
      auto n = parse_notify(*v);
      if (!n) return n.error();
      out.notify = *n;
    } else if (p.name == "ORCPT" && options.offered.dsn) {
      if (out.orcpt) return bad_value("Duplicate parameter ORCPT");
      auto v = need_value(p, Utf8Addresses::rejected);
      if (!v) return v.error();
      // RFC 3461 §4.2: original-recipient-address = addr-type ";" xtext
      size_t semi = v->find(';');
      if (semi == std::string_view::npos || semi == 0 ||
          !is_dot_string(v->substr(0, semi), Utf8Addresses::rejected) ||
          v->substr(0, semi).find('.') != std::string_view::npos)
        return bad_value("Bad address type in parameter ORCPT");
      auto decoded = xtext_decode(v->substr(semi + 1));
      if (!decoded || decoded->empty()) return bad_value("Bad xtext in parameter ORCPT");
      out.orcpt = OriginalRecipient{std::string(v->substr(0, semi)), std::move(*decoded)};
    } else {
      return unknown_param(p);
    }
  }
  return out;
}

Result<Command, CommandError> parse_mail(std::string_view args, const ParseOptions& options) {
  if (!istarts_with(args, "FROM:")) return syntax("Syntax error: expected MAIL FROM:<address>");
  args.remove_prefix(5);
  // RFC 5321 has no space after the colon, but many clients send one.
  while (!args.empty() && args.front() == ' ') args.remove_prefix(1);
  auto path = parse_path(args, PathRole::reverse, Utf8Addresses::accepted);
  if (!path) return path.error();
  auto tokens = split_params(args.substr(path->length));
  if (!tokens) return tokens.error();
  auto params = parse_mail_params(*tokens, options.offered);
  if (!params) return params.error();
  if (!params->smtputf8) {
    // Re-check the path as ASCII now that we know SMTPUTF8 is absent (RFC 6531 §3.5).
    auto ascii = parse_path(args, PathRole::reverse, Utf8Addresses::rejected);
    if (!ascii) return ascii.error();
  }
  return Mail{std::move(path->mailbox), std::move(*params)};
}

Result<Command, CommandError> parse_rcpt(std::string_view args, const ParseOptions& options) {
  if (!istarts_with(args, "TO:")) return syntax("Syntax error: expected RCPT TO:<address>");
  args.remove_prefix(3);
  while (!args.empty() && args.front() == ' ') args.remove_prefix(1);
  auto path = parse_path(args, PathRole::forward, options.utf8_recipients);
  if (!path) return path.error();
  auto tokens = split_params(args.substr(path->length));
  if (!tokens) return tokens.error();
  auto params = parse_rcpt_params(*tokens, options);
  if (!params) return params.error();
  return Rcpt{std::move(path->mailbox), std::move(*params)};
}

// RFC 5321 §4.1.1.1: EHLO takes a Domain or an address-literal; HELO is given the
// same treatment because old clients send literals there too.
Result<std::string, CommandError> parse_helo_domain(std::string_view verb, std::string_view args) {
  bool ok = !args.empty() && (args.front() == '[' ? is_address_literal(args)
                                                  : is_domain(args, Utf8Addresses::rejected));
  if (!ok) return syntax(fmt::format("Syntax error: {} requires a valid domain", verb));
  return std::string(args);
}

// String = Atom / Quoted-string (RFC 5321 §4.1.2). VRFY and EXPN take whatever
// follows; a Quoted-string is unquoted.
std::string unquote_string(std::string_view s) {
  if (s.size() < 2 || s.front() != '"' || s.back() != '"') return std::string(s);
  std::string out;
  for (size_t i = 1; i + 1 < s.size(); ++i) {
    if (s[i] == '\\' && i + 2 < s.size()) ++i;
    out.push_back(s[i]);
  }
  return out;
}

// RFC 4954 §4: sasl-mech = 1*20(UPPER-ALPHA / DIGIT / "-" / "_"); accepted in any case.
bool is_sasl_mech(std::string_view s) {
  if (s.empty() || s.size() > 20) return false;
  for (char c : s)
    if (!is_alnum(c) && c != '-' && c != '_') return false;
  return true;
}

bool is_base64_or_equals(std::string_view s) {
  if (s == "=") return true;
  if (s.empty()) return false;
  for (char c : s)
    if (!is_alnum(c) && c != '+' && c != '/' && c != '=') return false;
  return true;
}

Result<Command, CommandError> no_args(std::string_view verb, std::string_view args, Command cmd) {
  if (!args.empty()) return syntax(fmt::format("Syntax error: {} takes no arguments", verb));
  return cmd;
}

}  // namespace

Reply error_reply(const CommandError& error) {
  switch (error.kind) {
    case CommandErrorKind::unknown_command:
      return make_reply(500, code::kBadCommand, error.detail);
    case CommandErrorKind::bad_characters:
      return make_reply(500, code::kSyntaxError, error.detail);
    case CommandErrorKind::syntax:
      return make_reply(501, code::kSyntaxError, error.detail);
    case CommandErrorKind::bad_parameter_value:
      return make_reply(501, code::kBadArguments, error.detail);
    case CommandErrorKind::unknown_parameter:
      return make_reply(555, code::kBadArguments, error.detail);
    case CommandErrorKind::non_ascii_sender:
      return make_reply(550, code::kNonAsciiAddress, error.detail);
    case CommandErrorKind::non_ascii_recipient:
      return make_reply(553, code::kNonAsciiAddress, error.detail);
  }
  return make_reply(501, code::kSyntaxError, error.detail);
}

Error to_error(const CommandError& error) {
  return Error{ErrorKind::invalid, error.detail};
}

Result<Command, CommandError> parse_command(std::string_view line, const ParseOptions& options) {
  // RFC 5321 §2.3.8: CR and LF only ever appear together as the line end.
  if (line.find_first_of(std::string_view("\0\r\n", 3)) != std::string_view::npos)
    return CommandError{CommandErrorKind::bad_characters, "NUL, CR or LF in command line"};
  while (!line.empty() && line.back() == ' ') line.remove_suffix(1);

  size_t space = line.find(' ');
  std::string verb = ascii_upper(line.substr(0, space));
  std::string_view args = space == std::string_view::npos ? "" : line.substr(space + 1);

  if (verb == "EHLO" || verb == "HELO") {
    auto domain = parse_helo_domain(verb, args);
    if (!domain) return domain.error();
    if (verb == "EHLO") return Ehlo{std::move(*domain)};
    return Helo{std::move(*domain)};
  }
  if (verb == "MAIL") return parse_mail(args, options);
  if (verb == "RCPT") return parse_rcpt(args, options);
  if (verb == "DATA") return no_args(verb, args, Data{});
  if (verb == "RSET") return no_args(verb, args, Rset{});
  if (verb == "QUIT") return no_args(verb, args, Quit{});
  if (verb == "STARTTLS") return no_args(verb, args, Starttls{});
  if (verb == "NOOP") return Noop{};
  if (verb == "VRFY" || verb == "EXPN") {
    if (args.empty()) return syntax(fmt::format("Syntax error: {} requires an argument", verb));
    if (verb == "VRFY") return Vrfy{unquote_string(args)};
    return Expn{unquote_string(args)};
  }
  if (verb == "HELP") {
    if (args.empty()) return Help{};
    return Help{std::string(args)};
  }
  if (verb == "BDAT") {
    // RFC 3030 §2: "BDAT" SP chunk-size [ SP end-marker ]
    auto parts = split(args, ' ');
    bool digits = !parts[0].empty();
    for (char c : parts[0]) digits = digits && c >= '0' && c <= '9';
    auto size = digits ? parse_u64(parts[0]) : std::nullopt;
    if (!size || parts.size() > 2 || (parts.size() == 2 && !iequals(parts[1], "LAST")))
      return syntax("Syntax error: expected BDAT <size> [LAST]");
    return Bdat{*size, parts.size() == 2 ? BdatLast::yes : BdatLast::no};
  }
  if (verb == "AUTH") {
    auto parts = split(args, ' ');
    if (!is_sasl_mech(parts[0]) || parts.size() > 2 ||
        (parts.size() == 2 && !is_base64_or_equals(parts[1])))
      return syntax("Syntax error: expected AUTH <mechanism> [initial-response]");
    Auth auth{ascii_upper(parts[0]), std::nullopt};
    if (parts.size() == 2) auth.initial_response = std::string(parts[1]);
    return auth;
  }
  return CommandError{CommandErrorKind::unknown_command, "Unrecognized command"};
}

}  // namespace postamt::smtp::proto
