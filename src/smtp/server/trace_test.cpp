#include "smtp/server/trace.h"

#include <gtest/gtest.h>

namespace postamt::smtp::server {
namespace {

TEST(SmtpServerTrace, WithKeywordsFollowRfc3848AndRfc6531) {
  EXPECT_EQ(with_protocol(Greeting::helo, Secured::tls, Authenticated::yes, Utf8Mail::no), "SMTP");
  EXPECT_EQ(with_protocol(Greeting::ehlo, Secured::no, Authenticated::no, Utf8Mail::no), "ESMTP");
  EXPECT_EQ(with_protocol(Greeting::ehlo, Secured::tls, Authenticated::no, Utf8Mail::no), "ESMTPS");
  EXPECT_EQ(with_protocol(Greeting::ehlo, Secured::no, Authenticated::yes, Utf8Mail::no), "ESMTPA");
  EXPECT_EQ(with_protocol(Greeting::ehlo, Secured::tls, Authenticated::yes, Utf8Mail::no),
            "ESMTPSA");
  EXPECT_EQ(with_protocol(Greeting::ehlo, Secured::tls, Authenticated::yes, Utf8Mail::yes),
            "UTF8SMTPSA");
}

TEST(SmtpServerTrace, ReceivedWithTlsAuthAndOneRecipient) {
  ReceivedInfo info;
  info.helo = "client.example";
  info.remote_ip = "192.0.2.10";
  info.hostname = "mail.example.test";
  info.protocol = "ESMTPSA";
  info.queue_id = "ABC123";
  info.tls_version = "TLSv1.3";
  info.tls_cipher = "TLS_AES_256_GCM_SHA384";
  info.tls_bits = 256;
  info.authenticated_user = "alice@example.org";
  info.recipient = "bob@example.org";
  info.when = std::chrono::system_clock::time_point(std::chrono::seconds(1795818010));
  EXPECT_EQ(received_header(info),
            "Received: from client.example (unknown [192.0.2.10])\r\n"
            "\t(using TLSv1.3 with cipher TLS_AES_256_GCM_SHA384 (256 bits))\r\n"
            "\t(Authenticated sender: alice@example.org)\r\n"
            "\tby mail.example.test (Postamt) with ESMTPSA id ABC123\r\n"
            "\tfor <bob@example.org>; Fri, 27 Nov 2026 22:20:10 +0000\r\n");
}

TEST(SmtpServerTrace, ReceivedWithoutExtrasAndNoForClause) {
  ReceivedInfo info;
  info.helo = "x\r\nInjected: yes";
  info.remote_ip = "192.0.2.10";
  info.hostname = "mx";
  info.protocol = "SMTP";
  info.queue_id = "Q";
  info.when = std::chrono::system_clock::time_point(std::chrono::seconds(0));
  EXPECT_EQ(received_header(info),
            "Received: from x  Injected: yes (unknown [192.0.2.10])\r\n"
            "\tby mx (Postamt) with SMTP id Q\r\n"
            "\t; Thu, 1 Jan 1970 00:00:00 +0000\r\n");
}

TEST(SmtpServerTrace, CountsReceivedFieldsOfTheHeaderOnly) {
  EXPECT_EQ(count_received("Received: a\r\nreceived: b\r\n c\r\nSubject: x\r\n\r\nReceived: "
                           "body\r\n"),
            2u);
  EXPECT_EQ(count_received("Subject: none\r\n\r\n"), 0u);
}

TEST(SmtpServerTrace, ScanBodyFindsBareLineEndsAndLongLines) {
  EXPECT_EQ(scan_body("a\r\nb\r\n", 1000).bare_line_ends, 0u);
  EXPECT_EQ(scan_body("a\nb\rc\r\n", 1000).bare_line_ends, 2u);
  EXPECT_FALSE(scan_body(std::string(998, 'x') + "\r\n", 1000).line_too_long);
  EXPECT_TRUE(scan_body(std::string(999, 'x') + "\r\n", 1000).line_too_long);
  EXPECT_TRUE(scan_body(std::string(1001, 'x'), 1000).line_too_long);
  EXPECT_EQ(scan_body(std::string("a\0b\r\n\0", 6), 1000).nul, 2u);
}

TEST(SmtpServerTrace, NormalizeLineEnds) {
  EXPECT_EQ(normalize_line_ends("a\nb\rc\r\n\r\r\n.\n"), "a\r\nb\r\nc\r\n\r\n\r\n.\r\n");
  EXPECT_EQ(normalize_line_ends("clean\r\n"), "clean\r\n");
  EXPECT_EQ(normalize_line_ends("\r"), "\r\n");
  EXPECT_EQ(normalize_line_ends(""), "");
}

}  // namespace
}  // namespace postamt::smtp::server
