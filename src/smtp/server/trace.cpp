#include "smtp/server/trace.h"

#include <fmt/format.h>

#include "base/strings.h"
#include "mime/date.h"
#include "mime/header.h"

namespace postamt::smtp::server {

std::string with_protocol(Greeting greeting, Secured secured, Authenticated authenticated,
                          Utf8Mail utf8) {
  if (greeting == Greeting::helo) return "SMTP";
  std::string p = utf8 == Utf8Mail::yes ? "UTF8SMTP" : "ESMTP";
  if (secured == Secured::tls) p += "S";
  if (authenticated == Authenticated::yes) p += "A";
  return p;
}

std::string received_header(const ReceivedInfo& info) {
  std::string out = fmt::format("Received: from {} (unknown [{}])\r\n",
                                mime::header_safe_text(info.helo), info.remote_ip);
  if (!info.tls_version.empty())
    out += fmt::format("\t(using {} with cipher {} ({} bits))\r\n", info.tls_version,
                       info.tls_cipher, info.tls_bits);
  if (!info.authenticated_user.empty())
    out += fmt::format("\t(Authenticated sender: {})\r\n",
                       mime::header_safe_text(info.authenticated_user));
  out += fmt::format("\tby {} (Postamt) with {} id {}\r\n", info.hostname, info.protocol,
                     info.queue_id);
  const auto seconds =
      std::chrono::duration_cast<std::chrono::seconds>(info.when.time_since_epoch()).count();
  const std::string date = mime::format_rfc5322_date(mime::DateTime{seconds, 0});
  if (!info.recipient.empty())
    out += fmt::format("\tfor <{}>; {}\r\n", mime::header_safe_text(info.recipient), date);
  else
    out += fmt::format("\t; {}\r\n", date);
  return out;
}

size_t count_received(std::string_view message) {
  const auto fields = mime::scan_header_block(message);
  return mime::HeaderView(message, fields).count("Received");
}

BodyScan scan_body(std::string_view message, size_t max_line) {
  BodyScan scan;
  size_t line_start = 0;
  for (size_t i = 0; i < message.size(); ++i) {
    const char c = message[i];
    if (c == '\r') {
      if (i + 1 < message.size() && message[i + 1] == '\n') {
        if (max_line != 0 && i + 2 - line_start > max_line) scan.line_too_long = true;
        ++i;
        line_start = i + 1;
      } else {
        ++scan.bare_line_ends;
      }
    } else if (c == '\n') {
      ++scan.bare_line_ends;
    } else if (c == '\0') {
      ++scan.nul;
    }
  }
  if (max_line != 0 && message.size() - line_start > max_line) scan.line_too_long = true;
  return scan;
}

std::string normalize_line_ends(std::string_view message) {
  std::string out;
  out.reserve(message.size() + message.size() / 64);
  for (size_t i = 0; i < message.size(); ++i) {
    const char c = message[i];
    if (c == '\r' && i + 1 < message.size() && message[i + 1] == '\n') {
      out += "\r\n";
      ++i;
    } else if (c == '\r' || c == '\n') {
      out += "\r\n";
    } else {
      out += c;
    }
  }
  return out;
}

}  // namespace postamt::smtp::server
