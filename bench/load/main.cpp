// postamt-bench-load: the load client of `make bench`. It speaks to Postamt and Dovecot the
// same way and prints results as "key=value" lines on stdout for bench/run to tabulate.
//
//   append --user U --count M [--first I] [--conc C] [--size BYTES]   populate (LITERAL+)
//   mixed  --users K --clients N --seconds T [--rate R] [--user-offset O]
//                                                                     IMAP mixed workload
//          (users benchO..bench(O+K-1); two load clients on two cluster nodes split them)
//          (closed loop; with --rate, R operations/s offered in all, paced)
//   large  --user U                                                   100 000-message rows
//   count  --user U                                                   messages in INBOX
//   pop3   --user U [--passes P]                                      RETR throughput
//   idle   --users K --sessions N [--tls] [--compress]                hold IDLE sessions
//   login  --users K --clients N --seconds T                          authentications/s
// Common: --port P [--host 127.0.0.1] [--password PW]. Users in --users mode are
// bench0@bench.test .. bench<K-1>@bench.test. Any failure exits 1 with the reason.
#include <sys/resource.h>

#include <algorithm>
#include <atomic>
#include <cstdio>
#include <iostream>
#include <map>
#include <mutex>
#include <random>
#include <thread>
#include <vector>

#include "wire.h"

namespace bench {
namespace {

struct Options {
  std::map<std::string, std::string> values;
  std::string get(const std::string& key, const std::string& fallback = "") const {
    auto it = values.find(key);
    if (it != values.end()) return it->second;
    if (fallback.empty()) throw WireError{"missing --" + key};
    return fallback;
  }
  uint64_t number(const std::string& key, const std::string& fallback = "") const {
    return std::stoull(get(key, fallback));
  }
  bool has(const std::string& key) const { return values.count(key) != 0; }
};

struct Target {
  std::string host;
  uint16_t port;
  Tls tls;
  std::string password;
};

std::string bench_user(uint64_t i) {
  return "bench" + std::to_string(i) + "@bench.test";
}

double seconds_since(Clock::time_point start) {
  return std::chrono::duration<double>(Clock::now() - start).count();
}

double percentile(std::vector<double>& samples, double p) {
  if (samples.empty()) return 0;
  std::sort(samples.begin(), samples.end());
  size_t rank = static_cast<size_t>(p * static_cast<double>(samples.size() - 1) + 0.5);
  return samples[std::min(rank, samples.size() - 1)];
}

void login(Wire& wire, const Target& target, const std::string& user) {
  wire.read_line();  // greeting
  wire.imap("LOGIN \"" + user + "\" \"" + target.password + "\"");
}

// Appends `count` messages numbered first.. to INBOX over `conc` connections, each
// pipelining up to 16 APPENDs with non-synchronizing literals (RFC 7888).
void run_append(const Target& target, const Options& options) {
  std::string user = options.get("user");
  uint64_t count = options.number("count");
  uint64_t first = options.number("first", "0");
  uint64_t conc = options.number("conc", "4");
  size_t size = options.number("size", "4096");
  std::atomic<uint64_t> next{0};
  std::vector<std::thread> threads;
  std::mutex error_mutex;
  std::string error;
  Clock::time_point start = Clock::now();
  for (uint64_t t = 0; t < conc; ++t) {
    threads.emplace_back([&] {
      try {
        Wire wire(target.host, target.port, target.tls);
        login(wire, target, user);
        // With the mailbox selected, Dovecot moves each appended message from the maildir's
        // new/ to cur/ as it syncs; unselected, new/ grew to every message and its rate fell
        // from ~90 to under 15 messages/s past 60 000 (each append rescans new/).
        wire.imap("SELECT INBOX");
        std::vector<std::string> pending;
        for (;;) {
          uint64_t i = next.fetch_add(1);
          if (i >= count) break;
          std::string message = make_message(first + i, size, user);
          std::string tag = wire.next_tag();
          wire.write(tag + " APPEND INBOX {" + std::to_string(message.size()) + "+}\r\n" + message +
                     "\r\n");
          pending.push_back(tag);
          if (pending.size() >= 16) {
            wire.imap_wait(pending.front());
            pending.erase(pending.begin());
          }
        }
        for (const auto& tag : pending) wire.imap_wait(tag);
        wire.imap("LOGOUT");
      } catch (const WireError& e) {
        std::lock_guard lock(error_mutex);
        error = e.message;
      }
    });
  }
  for (auto& thread : threads) thread.join();
  if (!error.empty()) throw WireError{error};
  std::printf("appended=%llu seconds=%.3f\n", static_cast<unsigned long long>(count),
              seconds_since(start));
}

// The mixed workload's commands, for the per-command breakdown.
enum class Op {
  login,
  select,
  fetch_envelope,
  fetch_body,
  store,
  search,
  append,
  store_deleted,
  uid_expunge,
  logout,
  count
};
constexpr const char* kOpNames[] = {"LOGIN",  "SELECT", "FETCH_ENVELOPE", "FETCH_BODY",  "STORE",
                                    "SEARCH", "APPEND", "STORE_DELETED",  "UID_EXPUNGE", "LOGOUT"};
static_assert(std::size(kOpNames) == static_cast<size_t>(Op::count));

struct Sample {
  Op op;
  double ms;
};

// One client's loop of the mixed workload; every command is one timed operation.
// With `interval` zero each operation starts when the previous one ends (a closed loop:
// the load grows with the server's speed). Otherwise operations are paced: each starts
// at its slot, `interval` after the previous slot, and its latency counts from the slot,
// so time spent waiting behind a slow reply is not hidden (no coordinated omission).
// Client c of n starts c/n of an interval late, so the clients' operations are spread
// evenly instead of arriving together.
class Pacer {
 public:
  Pacer(Clock::duration interval, uint64_t client, uint64_t clients)
      : interval_(interval),
        slot_(Clock::now() + interval * static_cast<int64_t>(client) /
                                 static_cast<int64_t>(std::max<uint64_t>(clients, 1))) {}
  Clock::time_point begin() {
    if (interval_ == Clock::duration::zero()) return Clock::now();
    Clock::time_point slot = slot_;
    slot_ += interval_;
    std::this_thread::sleep_until(slot);
    return slot;
  }

 private:
  Clock::duration interval_;
  Clock::time_point slot_;
};

void mixed_client(const Target& target, const std::string& user, Clock::time_point deadline,
                  uint64_t seed, Clock::duration interval, uint64_t clients,
                  std::vector<Sample>& samples) {
  std::mt19937_64 random(seed);
  Pacer pacer(interval, seed - 1, clients);
  auto timed = [&](Wire& wire, Op op, const std::string& command) {
    Clock::time_point start = pacer.begin();
    std::string reply = wire.imap(command);
    samples.push_back({op, seconds_since(start) * 1000.0});
    return reply;
  };
  std::string appended = make_message(900000 + seed, 4096, user);
  while (Clock::now() < deadline) {
    Wire wire(target.host, target.port, target.tls);
    wire.read_line();
    timed(wire, Op::login, "LOGIN \"" + user + "\" \"" + target.password + "\"");
    timed(wire, Op::select, "SELECT INBOX");
    timed(wire, Op::fetch_envelope, "FETCH 1:100 (ENVELOPE FLAGS)");
    for (int i = 0; i < 10; ++i) {
      timed(wire, Op::fetch_body, "FETCH " + std::to_string(1 + random() % 100) + " BODY.PEEK[]");
    }
    timed(wire, Op::store,
          "STORE " + std::to_string(1 + random() % 100) + " +FLAGS.SILENT (\\Flagged)");
    char nn[4];
    std::snprintf(nn, sizeof nn, "%02u", static_cast<unsigned>(random() % 100));
    timed(wire, Op::search, std::string("SEARCH SUBJECT topic") + nn + "z");
    // APPEND with a synchronizing literal, timed from the command to its tagged OK.
    Clock::time_point start = pacer.begin();
    std::string tag = wire.next_tag();
    wire.write(tag + " APPEND INBOX {" + std::to_string(appended.size()) + "}\r\n");
    std::string go = wire.read_line();
    if (go.empty() || go[0] != '+') throw WireError{"APPEND: expected '+', got: " + go};
    wire.write(appended + "\r\n");
    std::string reply = wire.imap_wait(tag);
    samples.push_back({Op::append, seconds_since(start) * 1000.0});
    // RFC 4315 §3: the tagged OK carries [APPENDUID validity uid].
    size_t at = reply.find("APPENDUID ");
    if (at == std::string::npos) throw WireError{"APPEND without APPENDUID: " + reply};
    size_t space = reply.find(' ', at + 10);
    std::string uid = reply.substr(space + 1, reply.find(']', space) - space - 1);
    timed(wire, Op::store_deleted, "UID STORE " + uid + " +FLAGS.SILENT (\\Deleted)");
    timed(wire, Op::uid_expunge, "UID EXPUNGE " + uid);
    timed(wire, Op::logout, "LOGOUT");
  }
}

void run_mixed(const Target& target, const Options& options) {
  uint64_t users = options.number("users");
  uint64_t user_offset = options.number("user-offset", "0");
  uint64_t clients = options.number("clients");
  double seconds = static_cast<double>(options.number("seconds"));
  // --rate R: R operations per second offered in all (each client paced to R/clients).
  double rate = options.has("rate") ? static_cast<double>(options.number("rate")) : 0.0;
  auto interval = rate > 0 ? std::chrono::duration_cast<Clock::duration>(
                                 std::chrono::duration<double>(static_cast<double>(clients) / rate))
                           : Clock::duration::zero();
  std::vector<std::vector<Sample>> samples(clients);
  std::vector<std::thread> threads;
  std::mutex error_mutex;
  std::string error;
  Clock::time_point start = Clock::now();
  Clock::time_point deadline =
      start + std::chrono::duration_cast<Clock::duration>(std::chrono::duration<double>(seconds));
  for (uint64_t c = 0; c < clients; ++c) {
    threads.emplace_back([&, c] {
      try {
        mixed_client(target, bench_user(user_offset + c % users), deadline, c + 1, interval,
                     clients, samples[c]);
      } catch (const WireError& e) {
        std::lock_guard lock(error_mutex);
        error = e.message;
      }
    });
  }
  for (auto& thread : threads) thread.join();
  double elapsed = seconds_since(start);
  if (!error.empty()) throw WireError{error};
  std::vector<double> all;
  std::vector<std::vector<double>> by_op(static_cast<size_t>(Op::count));
  for (const auto& client : samples) {
    for (const Sample& sample : client) {
      all.push_back(sample.ms);
      by_op[static_cast<size_t>(sample.op)].push_back(sample.ms);
    }
  }
  std::printf("ops=%zu seconds=%.3f ops_per_s=%.1f p50_ms=%.3f p99_ms=%.3f\n", all.size(), elapsed,
              static_cast<double>(all.size()) / elapsed, percentile(all, 0.50),
              percentile(all, 0.99));
  for (size_t op = 0; op < by_op.size(); ++op) {
    std::printf("%s_n=%zu %s_p50_ms=%.3f %s_p99_ms=%.3f\n", kOpNames[op], by_op[op].size(),
                kOpNames[op], percentile(by_op[op], 0.50), kOpNames[op],
                percentile(by_op[op], 0.99));
  }
}

// The large-mailbox rows: each operation three times on one session, the median reported
// (the first run may find cold caches on either side).
void run_large(const Target& target, const Options& options) {
  std::string user = options.get("user");
  Wire wire(target.host, target.port, target.tls);
  login(wire, target, user);
  auto median3 = [&](auto operation) {
    std::vector<double> runs;
    for (int i = 0; i < 3; ++i) runs.push_back(operation());
    return percentile(runs, 0.5);
  };
  std::string exists;
  double select_ms = median3([&] {
    Clock::time_point start = Clock::now();
    exists.clear();
    wire.imap("SELECT INBOX", &exists);
    return seconds_since(start) * 1000.0;
  });
  size_t at = exists.find(" EXISTS");
  size_t begin = exists.rfind("* ", at);
  uint64_t count = std::stoull(exists.substr(begin + 2, at - begin - 2));
  auto timed = [&](const std::string& command) {
    return median3([&] {
      Clock::time_point start = Clock::now();
      std::string data;
      wire.imap(command, &data);
      return seconds_since(start) * 1000.0;
    });
  };
  double fetch_flags_ms = timed("UID FETCH 1:* (UID FLAGS)");
  double search_subject_ms = timed("UID SEARCH SUBJECT topic42z");
  double search_body_ms = timed("UID SEARCH BODY kw42z");
  double sort_date_ms = timed("UID SORT (DATE) UTF-8 ALL");
  double sort_subject_ms = timed("UID SORT (SUBJECT) UTF-8 ALL");
  double thread_ms = timed("UID THREAD REFERENCES UTF-8 ALL");
  // The JMAP rows' list in IMAP (bench/README.md): the 50 newest by arrival and what a
  // client shows of them; two round trips, because FETCH needs SORT's answer.
  double list_ms = median3([&] {
    Clock::time_point start = Clock::now();
    std::string data;
    wire.imap("UID SORT (REVERSE ARRIVAL) UTF-8 ALL", &data);
    size_t at = data.find("* SORT");
    if (at == std::string::npos) throw WireError{"UID SORT without * SORT"};
    std::string uids;
    size_t taken = 0;
    for (size_t i = at + 6; i < data.size() && taken < 50;) {
      while (i < data.size() && data[i] == ' ') ++i;
      size_t end = i;
      while (end < data.size() && data[end] >= '0' && data[end] <= '9') ++end;
      if (end == i) break;
      if (!uids.empty()) uids += ',';
      uids.append(data, i, end - i);
      ++taken;
      i = end;
    }
    if (taken != std::min<uint64_t>(50, count)) throw WireError{"UID SORT: too few uids"};
    wire.imap("UID FETCH " + uids + " (UID FLAGS INTERNALDATE RFC822.SIZE ENVELOPE BODYSTRUCTURE)",
              &data);
    return seconds_since(start) * 1000.0;
  });
  double first_byte_ms = median3([&] {
    std::string tag = wire.next_tag();
    Clock::time_point start = Clock::now();
    wire.write(tag + " FETCH " + std::to_string(count / 2) + " BODY.PEEK[]\r\n");
    wire.read_line();
    double ms = std::chrono::duration<double>(wire.last_arrival() - start).count() * 1000.0;
    wire.imap_wait(tag);
    return ms;
  });
  wire.imap("LOGOUT");
  std::printf(
      "messages=%llu select_ms=%.3f fetch_flags_ms=%.3f search_subject_ms=%.3f "
      "search_body_ms=%.3f sort_date_ms=%.3f sort_subject_ms=%.3f thread_ms=%.3f "
      "list_ms=%.3f first_byte_ms=%.3f\n",
      static_cast<unsigned long long>(count), select_ms, fetch_flags_ms, search_subject_ms,
      search_body_ms, sort_date_ms, sort_subject_ms, thread_ms, list_ms, first_byte_ms);
}

// How many messages the user's INBOX holds (EXAMINE, read-only): bench/run checks that
// every message a row sent was really delivered.
void run_count(const Target& target, const Options& options) {
  Wire wire(target.host, target.port, target.tls);
  login(wire, target, options.get("user"));
  std::string data;
  wire.imap("EXAMINE INBOX", &data);
  size_t at = data.find(" EXISTS");
  if (at == std::string::npos) throw WireError{"EXAMINE without EXISTS"};
  size_t begin = data.rfind("* ", at);
  std::printf("messages=%s\n", data.substr(begin + 2, at - begin - 2).c_str());
  wire.imap("LOGOUT");
}

void run_pop3(const Target& target, const Options& options) {
  std::string user = options.get("user");
  uint64_t passes = options.number("passes", "3");
  Wire wire(target.host, target.port, target.tls);
  auto expect_ok = [&](const std::string& command) {
    if (!command.empty()) wire.write(command + "\r\n");
    std::string line = wire.read_line();
    if (line.compare(0, 3, "+OK") != 0) throw WireError{"POP3 " + command + ": " + line};
    return line;
  };
  expect_ok("");
  expect_ok("USER " + user);
  expect_ok("PASS " + target.password);
  std::string stat = expect_ok("STAT");
  uint64_t messages = std::stoull(stat.substr(4));
  uint64_t bytes = 0;
  Clock::time_point start = Clock::now();
  for (uint64_t pass = 0; pass < passes; ++pass) {
    for (uint64_t i = 1; i <= messages; ++i) {
      expect_ok("RETR " + std::to_string(i));
      for (;;) {
        std::string line = wire.read_line();
        if (line == ".") break;
        bytes += line.size() + 2;
      }
    }
  }
  double elapsed = seconds_since(start);
  expect_ok("QUIT");
  std::printf("messages=%llu bytes=%llu seconds=%.3f mb_per_s=%.2f\n",
              static_cast<unsigned long long>(messages), static_cast<unsigned long long>(bytes),
              elapsed, static_cast<double>(bytes) / 1e6 / elapsed);
}

// Opens N sessions (login, SELECT INBOX, IDLE) from 8 threads, prints "ready", and holds
// them until standard input closes, so that bench/run can measure the servers in between.
void run_idle(const Target& target, const Options& options) {
  uint64_t users = options.number("users");
  uint64_t sessions = options.number("sessions");
  std::vector<std::unique_ptr<Wire>> wires(sessions);
  std::atomic<uint64_t> next{0};
  std::vector<std::thread> threads;
  std::mutex error_mutex;
  std::string error;
  Clock::time_point start = Clock::now();
  for (int t = 0; t < 8; ++t) {
    threads.emplace_back([&] {
      try {
        for (uint64_t i = next.fetch_add(1); i < sessions; i = next.fetch_add(1)) {
          auto wire = std::make_unique<Wire>(target.host, target.port, target.tls);
          login(*wire, target, bench_user(i % users));
          if (options.has("compress")) wire->compress();
          wire->imap("SELECT INBOX");
          wire->write("i1 IDLE\r\n");
          std::string line = wire->read_line();
          if (line.empty() || line[0] != '+') throw WireError{"IDLE: " + line};
          wires[i] = std::move(wire);
        }
      } catch (const WireError& e) {
        std::lock_guard lock(error_mutex);
        error = e.message;
      }
    });
  }
  for (auto& thread : threads) thread.join();
  if (!error.empty()) throw WireError{error};
  std::printf("ready sessions=%llu seconds=%.3f\n", static_cast<unsigned long long>(sessions),
              seconds_since(start));
  std::fflush(stdout);
  std::string ignored;
  while (std::getline(std::cin, ignored)) {
  }
}

void run_login(const Target& target, const Options& options) {
  uint64_t users = options.number("users");
  uint64_t clients = options.number("clients");
  double seconds = static_cast<double>(options.number("seconds"));
  std::atomic<uint64_t> logins{0};
  std::vector<std::thread> threads;
  std::mutex error_mutex;
  std::string error;
  Clock::time_point start = Clock::now();
  Clock::time_point deadline =
      start + std::chrono::duration_cast<Clock::duration>(std::chrono::duration<double>(seconds));
  for (uint64_t c = 0; c < clients; ++c) {
    threads.emplace_back([&, c] {
      try {
        while (Clock::now() < deadline) {
          Wire wire(target.host, target.port, target.tls);
          login(wire, target, bench_user(c % users));
          wire.imap("LOGOUT");
          logins.fetch_add(1);
        }
      } catch (const WireError& e) {
        std::lock_guard lock(error_mutex);
        error = e.message;
      }
    });
  }
  for (auto& thread : threads) thread.join();
  double elapsed = seconds_since(start);
  if (!error.empty()) throw WireError{error};
  std::printf("logins=%llu seconds=%.3f logins_per_s=%.1f\n",
              static_cast<unsigned long long>(logins.load()), elapsed,
              static_cast<double>(logins.load()) / elapsed);
}

}  // namespace
}  // namespace bench

int main(int argc, char** argv) {
  using namespace bench;
  if (argc < 2) {
    std::fprintf(stderr, "usage: postamt-bench-load MODE --port P [options] (see main.cpp)\n");
    return 2;
  }
  // 2 000 idle sessions need more descriptors than the usual 1 024.
  rlimit limit{};
  if (getrlimit(RLIMIT_NOFILE, &limit) == 0) {
    limit.rlim_cur = limit.rlim_max;
    setrlimit(RLIMIT_NOFILE, &limit);
  }
  std::string mode = argv[1];
  Options options;
  for (int i = 2; i < argc; ++i) {
    std::string key = argv[i];
    if (key.rfind("--", 0) != 0) {
      std::fprintf(stderr, "unexpected argument: %s\n", argv[i]);
      return 2;
    }
    key = key.substr(2);
    if (key == "tls" || key == "compress") {
      options.values[key].assign(1, '1');
    } else if (i + 1 < argc) {
      options.values[key] = argv[++i];
    } else {
      std::fprintf(stderr, "--%s needs a value\n", key.c_str());
      return 2;
    }
  }
  try {
    Target target{options.get("host", "127.0.0.1"), static_cast<uint16_t>(options.number("port")),
                  options.has("tls") ? Tls::implicit : Tls::off,
                  options.get("password", "bench-password")};
    if (mode == "append") {
      run_append(target, options);
    } else if (mode == "mixed") {
      run_mixed(target, options);
    } else if (mode == "large") {
      run_large(target, options);
    } else if (mode == "count") {
      run_count(target, options);
    } else if (mode == "pop3") {
      run_pop3(target, options);
    } else if (mode == "idle") {
      run_idle(target, options);
    } else if (mode == "login") {
      run_login(target, options);
    } else {
      std::fprintf(stderr, "unknown mode %s\n", mode.c_str());
      return 2;
    }
  } catch (const WireError& e) {
    std::fprintf(stderr, "postamt-bench-load %s: %s\n", mode.c_str(), e.message.c_str());
    return 1;
  } catch (const std::exception& e) {
    std::fprintf(stderr, "postamt-bench-load %s: %s\n", mode.c_str(), e.what());
    return 1;
  }
  return 0;
}
