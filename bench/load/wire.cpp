#include "wire.h"

#include <zlib.h>

#include <arpa/inet.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <openssl/err.h>
#include <sys/socket.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <ctime>

namespace bench {

SSL_CTX* client_tls_context() {
  static SSL_CTX* context = [] {
    SSL_CTX* c = SSL_CTX_new(TLS_client_method());
    SSL_CTX_set_verify(c, SSL_VERIFY_NONE, nullptr);
    return c;
  }();
  return context;
}

Wire::Wire(const std::string& host, uint16_t port, Tls tls) {
  fd_ = ::socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
  if (fd_ < 0) throw WireError{std::string("socket: ") + std::strerror(errno)};
  int one = 1;
  ::setsockopt(fd_, IPPROTO_TCP, TCP_NODELAY, &one, sizeof one);
  sockaddr_in address{};
  address.sin_family = AF_INET;
  address.sin_port = htons(port);
  if (::inet_pton(AF_INET, host.c_str(), &address.sin_addr) != 1) {
    ::close(fd_);
    throw WireError{"not an IPv4 address: " + host};
  }
  if (::connect(fd_, reinterpret_cast<sockaddr*>(&address), sizeof address) != 0) {
    std::string why = std::strerror(errno);
    ::close(fd_);
    throw WireError{"connect " + host + ":" + std::to_string(port) + ": " + why};
  }
  if (tls == Tls::implicit) {
    ssl_ = SSL_new(client_tls_context());
    SSL_set_fd(ssl_, fd_);
    if (SSL_connect(ssl_) != 1) {
      char text[256];
      ERR_error_string_n(ERR_get_error(), text, sizeof text);
      SSL_free(ssl_);
      ::close(fd_);
      throw WireError{std::string("TLS handshake: ") + text};
    }
  }
}

struct Wire::Zlib {
  z_stream out{};
  z_stream in{};
  Zlib() {
    if (deflateInit2(&out, 6, Z_DEFLATED, -15, 8, Z_DEFAULT_STRATEGY) != Z_OK ||
        inflateInit2(&in, -15) != Z_OK)
      throw WireError{"zlib setup failed"};
  }
  ~Zlib() {
    deflateEnd(&out);
    inflateEnd(&in);
  }
};

void Wire::compress() {
  imap("COMPRESS DEFLATE");
  zlib_ = std::make_unique<Zlib>();
}

Wire::~Wire() {
  if (ssl_ != nullptr) SSL_free(ssl_);
  if (fd_ >= 0) ::close(fd_);
}

void Wire::write(std::string_view bytes) {
  if (!zlib_) return write_raw(bytes);
  std::string out(bytes.size() + 1024, '\0');
  z_stream& z = zlib_->out;
  z.next_in = reinterpret_cast<Bytef*>(const_cast<char*>(bytes.data()));
  z.avail_in = static_cast<uInt>(bytes.size());
  z.next_out = reinterpret_cast<Bytef*>(out.data());
  z.avail_out = static_cast<uInt>(out.size());
  if (::deflate(&z, Z_SYNC_FLUSH) != Z_OK || z.avail_in != 0) throw WireError{"deflate failed"};
  out.resize(out.size() - z.avail_out);
  write_raw(out);
}

void Wire::write_raw(std::string_view bytes) {
  while (!bytes.empty()) {
    ssize_t n = ssl_ != nullptr ? SSL_write(ssl_, bytes.data(), static_cast<int>(bytes.size()))
                                : ::send(fd_, bytes.data(), bytes.size(), MSG_NOSIGNAL);
    if (n <= 0) {
      if (ssl_ == nullptr && errno == EINTR) continue;
      throw WireError{"write failed"};
    }
    bytes.remove_prefix(static_cast<size_t>(n));
  }
}

void Wire::fill() {
  if (start_ > 0 && start_ == buffer_.size()) {
    buffer_.clear();
    start_ = 0;
  } else if (start_ > 65536) {
    buffer_.erase(0, start_);
    start_ = 0;
  }
  char chunk[65536];
  ssize_t n;
  do {
    n = ssl_ != nullptr ? SSL_read(ssl_, chunk, sizeof chunk) : ::recv(fd_, chunk, sizeof chunk, 0);
  } while (n < 0 && ssl_ == nullptr && errno == EINTR);
  if (n <= 0) throw WireError{"connection closed by the server"};
  last_arrival_ = Clock::now();
  if (!zlib_) {
    buffer_.append(chunk, static_cast<size_t>(n));
    return;
  }
  z_stream& z = zlib_->in;
  z.next_in = reinterpret_cast<Bytef*>(chunk);
  z.avail_in = static_cast<uInt>(n);
  char plain[65536];
  do {
    z.next_out = reinterpret_cast<Bytef*>(plain);
    z.avail_out = sizeof plain;
    int rc = ::inflate(&z, Z_SYNC_FLUSH);
    if (rc != Z_OK && rc != Z_BUF_ERROR) throw WireError{"inflate failed"};
    buffer_.append(plain, sizeof plain - z.avail_out);
  } while (z.avail_in > 0 || z.avail_out == 0);
}

std::string Wire::read_line() {
  for (;;) {
    size_t end = buffer_.find("\r\n", start_);
    if (end != std::string::npos) {
      std::string line = buffer_.substr(start_, end - start_);
      start_ = end + 2;
      return line;
    }
    fill();
  }
}

std::string Wire::read_exact(size_t n) {
  while (buffer_.size() - start_ < n) fill();
  std::string bytes = buffer_.substr(start_, n);
  start_ += n;
  return bytes;
}

std::string Wire::next_tag() {
  // Built by insert rather than "a" + to_string(): g++ 12 warns falsely (-Wrestrict) on that.
  std::string tag = std::to_string(++tag_counter_);
  tag.insert(tag.begin(), 'a');
  return tag;
}

std::string Wire::imap(std::string_view command, std::string* untagged) {
  std::string tag = next_tag();
  write(tag + " " + std::string(command) + "\r\n");
  return imap_wait(tag, untagged);
}

std::string Wire::imap_wait(const std::string& tag, std::string* untagged) {
  for (;;) {
    std::string line = read_line();
    // A response line that ends in a literal "{n}" continues after the n bytes.
    while (!line.empty() && line.back() == '}') {
      size_t open = line.rfind('{');
      if (open == std::string::npos) break;
      size_t n = std::strtoull(line.c_str() + open + 1, nullptr, 10);
      std::string payload = read_exact(n);
      if (untagged != nullptr) *untagged += line + "\r\n" + payload;
      line = read_line();
    }
    if (line.compare(0, tag.size() + 1, tag + " ") == 0) {
      if (line.compare(tag.size() + 1, 2, "OK") != 0) throw WireError{"server replied: " + line};
      return line;
    }
    if (untagged != nullptr) *untagged += line + "\r\n";
  }
}

namespace {

constexpr std::string_view kWords[] = {
    "alpha", "budget", "quarterly", "meeting", "report", "review", "coffee",   "schedule",
    "draft", "server", "postbox",   "letter",  "notes",  "agenda", "customer", "invoice",
    "team",  "delta",  "weekend",   "project", "update", "plan",   "travel",   "minutes"};

}  // namespace

std::string make_message(uint64_t index, size_t size, std::string_view to) {
  unsigned nn = static_cast<unsigned>(index % 100);
  char two[4];
  std::snprintf(two, sizeof two, "%02u", nn);
  std::string message;
  message.reserve(size + 128);
  message += "From: Sender " + std::to_string(index % 50) + " <sender" +
             std::to_string(index % 50) + "@example.net>\r\n";
  message += "To: <" + std::string(to) + ">\r\n";
  // Conversations of ten: each message replies to the one before it (In-Reply-To and
  // References as mail clients write them), so THREAD=REFERENCES has real work to do.
  const uint64_t root = index - index % 10;
  const std::string id = "<" + std::to_string(index) + ".bench@example.net>";
  message += std::string("Subject: ") + (index == root ? "" : "Re: ") + "Bench message " +
             std::to_string(index) + " topic" + two + "z\r\n";
  // Dates scattered over about four months, not in index order, so that SORT (DATE)
  // reorders.
  const time_t sent = 1795000000 - static_cast<time_t>((index * 7919) % 10000000);
  struct tm tm {};
  gmtime_r(&sent, &tm);
  char date[64];
  std::strftime(date, sizeof date, "%a, %d %b %Y %H:%M:%S +0000", &tm);
  message += std::string("Date: ") + date + "\r\n";
  message += "Message-ID: " + id + "\r\n";
  if (index != root) {
    message += "In-Reply-To: <" + std::to_string(index - 1) + ".bench@example.net>\r\n";
    message += "References:";
    for (uint64_t k = root; k < index; ++k)
      message += " <" + std::to_string(k) + ".bench@example.net>";
    message += "\r\n";
  }
  message += "MIME-Version: 1.0\r\nContent-Type: text/plain; charset=us-ascii\r\n\r\n";
  message += std::string("Keyword kw") + two + "z in the first line.\r\n";
  uint64_t state = index * 6364136223846793005ull + 1442695040888963407ull;
  std::string line;
  while (message.size() + 2 < size) {
    state = state * 6364136223846793005ull + 1442695040888963407ull;
    std::string_view word = kWords[(state >> 33) % std::size(kWords)];
    if (line.size() + word.size() + 1 > 72) {
      message += line + "\r\n";
      line.clear();
      continue;
    }
    if (!line.empty()) line += ' ';
    line += word;
    if (message.size() + line.size() + 2 >= size) break;
  }
  message += line + "\r\n";
  return message;
}

}  // namespace bench
