// Pure helpers of the SMTP server: the Received field it prepends (RFC 5321 §4.4; the
// delivery transaction adds Return-Path at final delivery) and checks on a received
// message (loops, BDAT line rules). No I/O; any thread.
#pragma once

#include <chrono>
#include <cstddef>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace postamt::smtp::server {

enum class Greeting { helo, ehlo };
enum class Secured { no, tls };
enum class Authenticated { no, yes };
enum class Utf8Mail { no, yes };

// The WITH keyword: RFC 3848 (SMTP, ESMTP, ESMTPA, ESMTPS, ESMTPSA) and RFC 6531 §4.3
// (UTF8SMTP, UTF8SMTPA, UTF8SMTPS, UTF8SMTPSA when the transaction used SMTPUTF8).
std::string with_protocol(Greeting greeting, Secured secured, Authenticated authenticated,
                          Utf8Mail utf8);

struct ReceivedInfo {
  std::string helo;       // as the client gave it (validated by the codec)
  std::string remote_ip;  // numeric
  std::string hostname;   // ours
  std::string protocol;   // with_protocol()
  std::string queue_id;
  std::string tls_version;  // empty: no TLS
  std::string tls_cipher;
  int tls_bits = 0;
  std::string authenticated_user;  // empty: none
  std::string recipient;           // named in "for <...>" only when it is the only one
  std::chrono::system_clock::time_point when;
};

// The complete field with CRLF, folded, e.g.
//   Received: from client.example (unknown [192.0.2.10])\r\n
//   \t(using TLSv1.3 with cipher TLS_AES_256_GCM_SHA384 (256 bits))\r\n
//   \t(Authenticated sender: alice@example.org)\r\n
//   \tby mail.example.test (Postamt) with ESMTPSA id 0123ABCD\r\n
//   \tfor <bob@example.org>; Fri, 27 Nov 2026 22:20:10 +0000\r\n
std::string received_header(const ReceivedInfo& info);

// Number of Received fields in the message's header block.
size_t count_received(std::string_view message);

// Bare CR / bare LF and NUL counts and whether some line exceeds `max_line` octets incl.
// CRLF (BDAT data is not run through the DATA decoder, so the same rules are checked
// here).
struct BodyScan {
  uint64_t bare_line_ends = 0;
  uint64_t nul = 0;
  bool line_too_long = false;
};
BodyScan scan_body(std::string_view message, size_t max_line);

// `message` with every bare CR and bare LF turned into CRLF (what the DATA decoder does
// under proto::BareLineEnds::normalize; BDAT has no dot-stuffing to undo).
std::string normalize_line_ends(std::string_view message);

}  // namespace postamt::smtp::server
