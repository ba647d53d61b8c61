// The bench load client's wire layer: one blocking TCP connection to 127.0.0.1, plain or
// implicit TLS (OpenSSL, no certificate check: the bench servers use self-signed pairs),
// with a buffered line reader and an IMAP command helper. One Wire per thread; nothing is
// shared between threads except the SSL_CTX, which OpenSSL allows.
#pragma once

#include <openssl/ssl.h>

#include <chrono>
#include <cstdint>
#include <memory>
#include <string>
#include <string_view>

namespace bench {

using Clock = std::chrono::steady_clock;

enum class Tls { off, implicit };

// Thrown on any connection or protocol failure; main() prints it and exits 1, because a
// benchmark that silently skips failures would report numbers for work not done.
struct WireError {
  std::string message;
};

// The process-wide client context; created once before threads start.
SSL_CTX* client_tls_context();

class Wire {
 public:
  // Connects to host:port; with Tls::implicit runs the TLS handshake first. Throws WireError.
  Wire(const std::string& host, uint16_t port, Tls tls);
  ~Wire();
  Wire(const Wire&) = delete;
  Wire& operator=(const Wire&) = delete;

  void write(std::string_view bytes);
  // One line without its CRLF. Throws WireError on EOF.
  std::string read_line();
  // Exactly n bytes (a literal's payload).
  std::string read_exact(size_t n);
  // Time at which the most recent read returned its first new bytes from the socket.
  Clock::time_point last_arrival() const { return last_arrival_; }

  // IMAP: sends "<tag> <command>\r\n" and reads until the tagged reply. Returns the tagged
  // line ("a12 OK ..."); untagged data, with any literals inlined, goes to *untagged when
  // given. Throws WireError unless the reply is OK.
  std::string imap(std::string_view command, std::string* untagged = nullptr);
  // Reads until the tagged reply of `tag`; same rules as imap().
  std::string imap_wait(const std::string& tag, std::string* untagged = nullptr);
  std::string next_tag();

  // IMAP COMPRESS=DEFLATE (RFC 4978): sends COMPRESS DEFLATE and from its OK on deflates
  // what is written and inflates what is read. Throws WireError unless the reply is OK.
  void compress();

 private:
  void fill();
  void write_raw(std::string_view bytes);
  struct Zlib;
  std::unique_ptr<Zlib> zlib_;

  int fd_ = -1;
  SSL* ssl_ = nullptr;
  std::string buffer_;
  size_t start_ = 0;
  uint64_t tag_counter_ = 0;
  Clock::time_point last_arrival_{};
};

// The bench messages: deterministic bytes from an index, so that both servers get the same
// mailboxes. Subject carries "topicNNz" and the body "kwNNz" with NN = index % 100, so that
// SEARCH SUBJECT/BODY for one NN match 1 % of a mailbox. Messages come in conversations
// of ten (References) with scattered Dates, for SORT and THREAD. Size is the total, CRLF
// lines.
std::string make_message(uint64_t index, size_t size, std::string_view to);

}  // namespace bench
