#include "queue/dns.h"

#include <arpa/inet.h>
#include <netinet/in.h>
#include <poll.h>
#include <sys/socket.h>
#include <unistd.h>

#include <fmt/format.h>
#include <cerrno>
#include <cstring>
#include <fstream>
#include <random>

#include "base/strings.h"

namespace postamt::queue {
namespace {

constexpr uint16_t kTypeA = 1, kTypeMx = 15, kTypeAaaa = 28;

Error temporary(std::string msg) {
  return Error{ErrorKind::temporary, std::move(msg)};
}
Error malformed() {
  return Error{ErrorKind::invalid, "malformed DNS answer"};
}

uint16_t get16(std::string_view b, size_t at) {
  return static_cast<uint16_t>((static_cast<unsigned char>(b[at]) << 8) |
                               static_cast<unsigned char>(b[at + 1]));
}

// What a name read from an answer may hold. On the wire a label may hold any octet
// (RFC 2181 §11), but an MX host goes on into a query, the TLS server name, a log line
// and a bounce's Remote-MTA field, so it must be a host name as SMTP uses them
// (RFC 5321 §2.3.5, RFC 1123 §2.1: letters, digits, hyphens; underscores tolerated, as
// in real MX names): no dot, space, NUL or line end inside a label.
enum class Labels { any, host };

bool is_host_label(std::string_view label) {
  for (char c : label) {
    bool ok = (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') ||
              c == '-' || c == '_';
    if (!ok) return false;
  }
  return true;
}

// Reads a possibly compressed name (RFC 1035 §4.1.4) starting at `pos`; advances pos
// past the name as it appears at that place.
Result<std::string> read_name(std::string_view msg, size_t& pos, Labels labels = Labels::any) {
  std::string name;
  size_t at = pos;
  bool jumped = false;
  for (int hops = 0; hops < 64; ++hops) {
    if (at >= msg.size()) return malformed();
    auto len = static_cast<unsigned char>(msg[at]);
    if ((len & 0xC0) == 0xC0) {
      if (at + 1 >= msg.size()) return malformed();
      if (!jumped) pos = at + 2;
      jumped = true;
      at = get16(msg, at) & 0x3FFF;
      continue;
    }
    if (len & 0xC0) return malformed();
    if (len == 0) {
      if (!jumped) pos = at + 1;
      return ascii_lower(name);
    }
    if (at + 1 + len > msg.size() || name.size() + len > 255) return malformed();
    std::string_view label = msg.substr(at + 1, len);
    if (labels == Labels::host && !is_host_label(label))
      return Error{ErrorKind::invalid, "DNS answer names a host that is not a host name"};
    if (!name.empty()) name += '.';
    name.append(label);
    at += 1 + len;
  }
  return malformed();
}

}  // namespace

Result<std::string> encode_dns_query(uint16_t id, std::string_view name, uint16_t type) {
  std::string q;
  q += static_cast<char>(id >> 8);
  q += static_cast<char>(id & 0xFF);
  q += std::string("\x01\x00\x00\x01\x00\x00\x00\x00\x00\x00", 10);  // RD, QDCOUNT=1
  if (!name.empty() && name.back() == '.') name.remove_suffix(1);
  if (name.empty() || name.size() > 253) return Error{ErrorKind::invalid, "bad domain name"};
  for (std::string_view label : split(name, '.')) {
    if (label.empty() || label.size() > 63)
      return Error{ErrorKind::invalid, fmt::format("bad domain name \"{}\"", name)};
    q += static_cast<char>(label.size());
    q += label;
  }
  q += '\0';
  q += static_cast<char>(type >> 8);
  q += static_cast<char>(type & 0xFF);
  q += std::string("\x00\x01", 2);  // class IN
  return q;
}

DnsClient::DnsClient(std::string server, uint16_t port, DnsOptions options)
    : server_(std::move(server)), port_(port), options_(options) {}

Result<std::unique_ptr<DnsClient>> DnsClient::from_resolv_conf(const std::string& resolv_conf,
                                                               DnsOptions options) {
  std::ifstream in(resolv_conf);
  if (!in) return Error{ErrorKind::io, fmt::format("cannot read {}", resolv_conf)};
  std::string line;
  while (std::getline(in, line)) {
    auto words = split(trim(line), ' ');
    if (words.size() >= 2 && words[0] == "nameserver") {
      std::string server(trim(words[1]));
      // A scoped IPv6 address ("fe80::1%eth0") is not supported by this client.
      if (server.find('%') != std::string::npos) continue;
      return std::make_unique<DnsClient>(server, 53, options);
    }
  }
  return Error{ErrorKind::not_found, fmt::format("no nameserver in {}", resolv_conf)};
}

Result<std::vector<std::string>> DnsClient::query(std::string_view name, uint16_t type) {
  static thread_local std::mt19937 rng{std::random_device{}()};
  uint16_t id = static_cast<uint16_t>(rng());
  auto q = encode_dns_query(id, name, type);
  POSTAMT_TRY(q);

  sockaddr_storage addr{};
  socklen_t addr_len = 0;
  auto* v4 = reinterpret_cast<sockaddr_in*>(&addr);
  auto* v6 = reinterpret_cast<sockaddr_in6*>(&addr);
  if (inet_pton(AF_INET, server_.c_str(), &v4->sin_addr) == 1) {
    v4->sin_family = AF_INET;
    v4->sin_port = htons(port_);
    addr_len = sizeof *v4;
  } else if (inet_pton(AF_INET6, server_.c_str(), &v6->sin6_addr) == 1) {
    v6->sin6_family = AF_INET6;
    v6->sin6_port = htons(port_);
    addr_len = sizeof *v6;
  } else {
    return Error{ErrorKind::invalid, fmt::format("resolver \"{}\" is not an IP address", server_)};
  }
  int fd = ::socket(addr.ss_family, SOCK_DGRAM | SOCK_CLOEXEC, 0);
  if (fd < 0) return Error{ErrorKind::io, fmt::format("socket: {}", std::strerror(errno))};
  // connect() makes the kernel drop datagrams from any other source (spoofing).
  if (::connect(fd, reinterpret_cast<sockaddr*>(&addr), addr_len) != 0) {
    ::close(fd);
    return temporary(fmt::format("cannot reach resolver {}: {}", server_, std::strerror(errno)));
  }
  std::string answer;
  for (int attempt = 0; attempt < options_.tries && answer.empty(); ++attempt) {
    if (::send(fd, q->data(), q->size(), 0) < 0) continue;
    auto deadline = std::chrono::steady_clock::now() + options_.timeout;
    for (;;) {
      auto left = std::chrono::duration_cast<std::chrono::milliseconds>(
          deadline - std::chrono::steady_clock::now());
      if (left.count() <= 0) break;
      pollfd p{fd, POLLIN, 0};
      int pr = ::poll(&p, 1, static_cast<int>(left.count()));
      if (pr <= 0) {
        if (pr < 0 && errno == EINTR) continue;
        break;
      }
      char buf[4096];
      ssize_t n = ::recv(fd, buf, sizeof buf, 0);
      if (n < 12) continue;
      std::string_view r(buf, static_cast<size_t>(n));
      // Only an answer to this very question counts (RFC 5452: id and question).
      if (get16(r, 0) != id || !(r[2] & 0x80)) continue;
      answer.assign(r);
      break;
    }
  }
  ::close(fd);
  if (answer.empty()) return temporary(fmt::format("no answer from resolver {}", server_));

  return parse_dns_answer(answer, type, name);
}

Result<std::vector<std::string>> parse_dns_answer(std::string_view answer, uint16_t type,
                                                  std::string_view name) {
  if (answer.size() < 12) return malformed();
  std::string_view r = answer;
  if (r[2] & 0x02) return temporary("truncated DNS answer");
  int rcode = r[3] & 0x0F;
  if (rcode == 3) return Error{ErrorKind::not_found, fmt::format("{}: no such domain", name)};
  if (rcode != 0) return temporary(fmt::format("resolver answered rcode {} for {}", rcode, name));
  uint16_t qd = get16(r, 4), an = get16(r, 6);
  size_t pos = 12;
  for (uint16_t i = 0; i < qd; ++i) {
    auto n = read_name(r, pos);
    POSTAMT_TRY(n);
    pos += 4;
  }
  std::vector<std::string> out;
  for (uint16_t i = 0; i < an; ++i) {
    auto owner = read_name(r, pos);
    POSTAMT_TRY(owner);
    if (pos + 10 > r.size()) return malformed();
    uint16_t rtype = get16(r, pos), rclass = get16(r, pos + 2), rdlen = get16(r, pos + 8);
    pos += 10;
    if (pos + rdlen > r.size()) return malformed();
    size_t rd = pos;
    pos += rdlen;
    if (rtype != type || rclass != 1) continue;
    if (type == kTypeA && rdlen == 4) {
      char text[INET_ADDRSTRLEN];
      inet_ntop(AF_INET, r.data() + rd, text, sizeof text);
      out.emplace_back(text);
    } else if (type == kTypeAaaa && rdlen == 16) {
      char text[INET6_ADDRSTRLEN];
      inet_ntop(AF_INET6, r.data() + rd, text, sizeof text);
      out.emplace_back(text);
    } else if (type == kTypeMx && rdlen >= 3) {
      uint16_t pref = get16(r, rd);
      size_t at = rd + 2;
      auto host = read_name(r, at, Labels::host);
      POSTAMT_TRY(host);
      out.push_back(fmt::format("{} {}", pref, *host));
    }
  }
  return out;
}

Result<std::vector<MxRecord>> DnsClient::mx(std::string_view domain) {
  auto records = query(domain, kTypeMx);
  POSTAMT_TRY(records);
  std::vector<MxRecord> out;
  for (const std::string& rec : *records) {
    size_t sp = rec.find(' ');
    out.push_back({static_cast<uint16_t>(*parse_u64(rec.substr(0, sp))), rec.substr(sp + 1)});
  }
  return out;
}

Result<std::vector<std::string>> DnsClient::addresses(std::string_view host) {
  auto a = query(host, kTypeA);
  auto aaaa = query(host, kTypeAaaa);
  if (!a && !aaaa && a.error().kind == ErrorKind::not_found) return a.error();
  std::vector<std::string> out;
  if (a) out = *a;
  if (aaaa) out.insert(out.end(), aaaa->begin(), aaaa->end());
  if (out.empty() && !a && a.error().kind != ErrorKind::not_found) return a.error();
  if (out.empty() && !aaaa && aaaa.error().kind != ErrorKind::not_found) return aaaa.error();
  return out;
}

}  // namespace postamt::queue
