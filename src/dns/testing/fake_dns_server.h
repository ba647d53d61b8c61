// Test-only: a tiny DNS server on 127.0.0.1 UDP, answering from a table, on its own
// thread; a forwarder target for UnboundResolver's unit tests (dnssec off: it signs
// nothing). Header-only. Integration tests use a real server (tests/integration/dns_zone.py).
//
//   dns::testing::FakeDnsServer server;
//   server.add_mx("y.test", 10, "mx.y.test");
//   server.add_a("mx.y.test", "127.0.0.1");
//   server.add_nxdomain("gone.test");        // rcode 3
//   server.set_servfail(true);               // rcode 2 for everything
//   ... forwarders = {"127.0.0.1:" + std::to_string(server.port())}
#pragma once

#include <arpa/inet.h>
#include <netinet/in.h>
#include <poll.h>
#include <sys/socket.h>
#include <unistd.h>

#include <atomic>
#include <map>
#include <mutex>
#include <set>
#include <string>
#include <thread>
#include <vector>

namespace postamt::dns::testing {

class FakeDnsServer {
 public:
  FakeDnsServer() {
    fd_ = ::socket(AF_INET, SOCK_DGRAM | SOCK_CLOEXEC, 0);
    sockaddr_in a{};
    a.sin_family = AF_INET;
    a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    ::bind(fd_, reinterpret_cast<sockaddr*>(&a), sizeof a);
    socklen_t len = sizeof a;
    ::getsockname(fd_, reinterpret_cast<sockaddr*>(&a), &len);
    port_ = ntohs(a.sin_port);
    thread_ = std::thread([this] { serve(); });
  }
  ~FakeDnsServer() {
    stop_ = true;
    thread_.join();
    ::close(fd_);
  }
  uint16_t port() const { return port_; }

  void add_a(const std::string& name, const std::string& ip) {
    in_addr raw{};
    inet_pton(AF_INET, ip.c_str(), &raw);
    add(name, 1, std::string(reinterpret_cast<const char*>(&raw), 4));
  }
  void add_mx(const std::string& name, uint16_t pref, const std::string& host) {
    std::string rd;
    rd += static_cast<char>(pref >> 8);
    rd += static_cast<char>(pref & 0xFF);
    rd += encode_name(host);
    add(name, 15, rd);
  }
  void add_nxdomain(const std::string& name) {
    std::lock_guard lock(mutex_);
    nxdomain_.insert(name);
  }
  void set_servfail(bool on) { servfail_ = on; }
  int queries() const { return queries_; }

  static std::string encode_name(const std::string& name) {
    std::string out;
    size_t start = 0;
    while (start < name.size()) {
      size_t dot = name.find('.', start);
      if (dot == std::string::npos) dot = name.size();
      out += static_cast<char>(dot - start);
      out += name.substr(start, dot - start);
      start = dot + 1;
    }
    out += '\0';
    return out;
  }

  // A record of any type, its RDATA given in wire form.
  void add(const std::string& name, uint16_t type, std::string rdata) {
    std::lock_guard lock(mutex_);
    records_[{name, type}].push_back(std::move(rdata));
  }

 private:
  void serve() {
    while (!stop_) {
      pollfd p{fd_, POLLIN, 0};
      if (::poll(&p, 1, 20) <= 0) continue;
      char buf[512];
      sockaddr_storage from{};
      socklen_t from_len = sizeof from;
      ssize_t n =
          ::recvfrom(fd_, buf, sizeof buf, 0, reinterpret_cast<sockaddr*>(&from), &from_len);
      if (n < 17) continue;
      ++queries_;
      std::string q(buf, static_cast<size_t>(n));
      // Question name (uncompressed in queries).
      std::string name;
      size_t at = 12;
      while (at < q.size() && q[at] != 0) {
        size_t len = static_cast<unsigned char>(q[at]);
        if (!name.empty()) name += '.';
        // Names compare case-insensitively (RFC 4343); the table holds lower case.
        for (char c : q.substr(at + 1, len))
          name += (c >= 'A' && c <= 'Z') ? static_cast<char>(c + 32) : c;
        at += 1 + len;
      }
      size_t question_end = at + 5;
      uint16_t type = static_cast<uint16_t>((static_cast<unsigned char>(q[at + 1]) << 8) |
                                            static_cast<unsigned char>(q[at + 2]));
      std::vector<std::string> answers;
      int rcode = 0;
      {
        std::lock_guard lock(mutex_);
        if (servfail_)
          rcode = 2;
        else if (nxdomain_.count(name))
          rcode = 3;
        else if (auto it = records_.find({name, type}); it != records_.end())
          answers = it->second;
      }
      std::string r = q.substr(0, 2);
      r += static_cast<char>(0x81);
      r += static_cast<char>(0x80 | rcode);
      r += std::string("\x00\x01", 2);
      r += static_cast<char>(answers.size() >> 8);
      r += static_cast<char>(answers.size() & 0xFF);
      r += std::string(4, '\0');
      r += q.substr(12, question_end - 12);
      for (const auto& rd : answers) {
        r += std::string("\xC0\x0C", 2);  // compressed pointer to the question name
        r += static_cast<char>(type >> 8);
        r += static_cast<char>(type & 0xFF);
        r += std::string("\x00\x01\x00\x00\x00\x3C", 6);
        r += static_cast<char>(rd.size() >> 8);
        r += static_cast<char>(rd.size() & 0xFF);
        r += rd;
      }
      ::sendto(fd_, r.data(), r.size(), 0, reinterpret_cast<sockaddr*>(&from), from_len);
    }
  }

  int fd_ = -1;
  uint16_t port_ = 0;
  std::thread thread_;
  std::atomic<bool> stop_{false};
  std::atomic<bool> servfail_{false};
  std::atomic<int> queries_{0};
  std::mutex mutex_;
  std::map<std::pair<std::string, uint16_t>, std::vector<std::string>> records_;
  std::set<std::string> nxdomain_;
};

}  // namespace postamt::dns::testing
