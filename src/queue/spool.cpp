#include "queue/spool.h"

#include <fcntl.h>
#include <sys/file.h>
#include <sys/stat.h>
#include <unistd.h>

#include <fmt/format.h>
#include <algorithm>
#include <cerrno>
#include <cstring>
#include <random>

#include "base/log.h"
#include "base/strings.h"
#include "smtp/proto/xtext.h"

namespace postamt::queue {
namespace {

namespace fs = std::filesystem;
constexpr std::string_view kMagic = "postamt-queue 1";

Error os_error(std::string_view what, const fs::path& path) {
  const ErrorKind kind = errno == ENOSPC || errno == EDQUOT ? ErrorKind::no_space : ErrorKind::io;
  return Error{kind, fmt::format("{} {}: {}", what, path.string(), std::strerror(errno))};
}

std::string field(std::string_view raw) {
  return raw.empty() ? std::string("=") : smtp::proto::xtext_encode(raw);
}

std::optional<std::string> unfield(std::string_view text) {
  if (text == "=") return std::string();
  if (text.empty()) return std::nullopt;
  return smtp::proto::xtext_decode(text);
}

std::string_view state_name(RecipientState s) {
  switch (s) {
    case RecipientState::pending:
      return "pending";
    case RecipientState::sent:
      return "sent";
    case RecipientState::failed:
      return "failed";
  }
  return "pending";
}

std::string notify_text(const delivery::Notify& n) {
  if (n.never) return "never";
  std::string out;
  if (n.success) out += 's';
  if (n.failure) out += 'f';
  if (n.delay) out += 'd';
  return out.empty() ? "=" : out;
}

std::optional<delivery::Notify> parse_notify(std::string_view text) {
  delivery::Notify n;
  n.failure = n.delay = false;
  if (text == "never") {
    n.never = true;
    return n;
  }
  if (text == "=") return n;
  for (char c : text) {
    if (c == 's')
      n.success = true;
    else if (c == 'f')
      n.failure = true;
    else if (c == 'd')
      n.delay = true;
    else
      return std::nullopt;
  }
  return n;
}

std::string_view ret_name(delivery::Ret r) {
  switch (r) {
    case delivery::Ret::unspecified:
      return "unspecified";
    case delivery::Ret::full:
      return "full";
    case delivery::Ret::headers:
      return "headers";
  }
  return "unspecified";
}

Error corrupt(std::string_view why) {
  return Error{ErrorKind::invalid, fmt::format("corrupt queue file: {}", why)};
}

Result<int64_t> parse_int(std::string_view v, std::string_view key) {
  auto n = parse_u64(v);
  if (!n || *n > static_cast<uint64_t>(INT64_MAX)) return corrupt(fmt::format("bad {}", key));
  return static_cast<int64_t>(*n);
}

// The latest time a queue file may hold, 2100-01-01T00:00:00Z. A TimePoint counts
// nanoseconds in 64 bits (up to the year 2262): a later time would overflow on the way in,
// and this one leaves room for adding outbound.max_age (at most 100 years) to it.
constexpr int64_t kLatestTime = 4102444800;

Result<TimePoint> parse_time(std::string_view v, std::string_view key) {
  auto seconds = parse_int(v, key);
  POSTAMT_TRY(seconds);
  if (*seconds > kLatestTime)
    return corrupt(fmt::format("{} {} is after the year 2100", key, *seconds));
  return from_unix(*seconds);
}

Result<void> fsync_dir(const fs::path& dir) {
  int fd = ::open(dir.c_str(), O_RDONLY | O_DIRECTORY | O_CLOEXEC);
  if (fd < 0) return os_error("cannot open directory", dir);
  int rc = ::fsync(fd);
  ::close(fd);
  if (rc != 0) return os_error("cannot fsync directory", dir);
  return {};
}

Result<std::string> read_file(const fs::path& path, BodyMode mode) {
  int fd = ::open(path.c_str(), O_RDONLY | O_CLOEXEC);
  if (fd < 0) {
    if (errno == ENOENT) return Error{ErrorKind::not_found, "no such message in the queue"};
    return os_error("cannot open", path);
  }
  std::string out;
  char buf[65536];
  for (;;) {
    ssize_t n = ::read(fd, buf, sizeof buf);
    if (n < 0) {
      if (errno == EINTR) continue;
      Error e = os_error("cannot read", path);
      ::close(fd);
      return e;
    }
    if (n == 0) break;
    out.append(buf, static_cast<size_t>(n));
    // Header-only loads stop once the "body" line is complete.
    if (mode == BodyMode::skip) {
      size_t at = out.find("\nbody ");
      if (at != std::string::npos && out.find('\n', at + 1) != std::string::npos) break;
    }
  }
  ::close(fd);
  return out;
}

}  // namespace

bool valid_queue_id(std::string_view id) {
  if (id.empty() || id.size() > 32) return false;
  for (char c : id)
    if (!((c >= '0' && c <= '9') || (c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z'))) return false;
  return true;
}

std::string serialize(const QueuedMessage& m) {
  std::string out;
  out += kMagic;
  out += '\n';
  out += fmt::format("arrival {}\nattempts {}\nnext {}\nheld {}\n", to_unix(m.arrival), m.attempts,
                     to_unix(m.next_attempt), m.held ? 1 : 0);
  if (m.delay_warned) out += "warned 1\n";
  if (m.message.relayed) out += "relayed 1\n";
  out += fmt::format("sender {}\nenvid {}\nret {}\n", field(m.message.envelope_sender),
                     field(m.message.envid), ret_name(m.message.ret));
  for (size_t i = 0; i < m.message.recipients.size(); ++i) {
    const delivery::OutboundRecipient& r = m.message.recipients[i];
    RecipientStatus s = i < m.status.size() ? m.status[i] : RecipientStatus{};
    out += fmt::format("rcpt {} {} {} {} {} {} {}\n", state_name(s.state), notify_text(r.notify),
                       field(r.address), field(r.orcpt), field(s.status), field(s.remote_mta),
                       field(s.diagnostic));
  }
  out += fmt::format("body {}\n", m.message.body.size());
  out += m.message.body;
  return out;
}

Result<QueuedMessage> deserialize(std::string_view bytes, BodyMode mode) {
  QueuedMessage m;
  m.has_body = mode == BodyMode::include;
  size_t pos = 0;
  auto next_line = [&]() -> std::optional<std::string_view> {
    size_t nl = bytes.find('\n', pos);
    if (nl == std::string_view::npos) return std::nullopt;
    std::string_view line = bytes.substr(pos, nl - pos);
    pos = nl + 1;
    return line;
  };
  auto first = next_line();
  if (!first || *first != kMagic) return corrupt("bad magic");
  unsigned seen = 0;  // bit per mandatory key
  for (;;) {
    auto line = next_line();
    if (!line) return corrupt("missing body");
    size_t sp = line->find(' ');
    if (sp == std::string_view::npos) return corrupt("line without value");
    std::string_view key = line->substr(0, sp), value = line->substr(sp + 1);
    if (key == "arrival") {
      auto v = parse_time(value, key);
      POSTAMT_TRY(v);
      m.arrival = *v;
      seen |= 1;
    } else if (key == "attempts") {
      auto v = parse_int(value, key);
      POSTAMT_TRY(v);
      if (*v > UINT32_MAX) return corrupt("bad attempts");
      m.attempts = static_cast<uint32_t>(*v);
      seen |= 2;
    } else if (key == "next") {
      auto v = parse_time(value, key);
      POSTAMT_TRY(v);
      m.next_attempt = *v;
      seen |= 4;
    } else if (key == "held") {
      if (value != "0" && value != "1") return corrupt("bad held");
      m.held = value == "1";
      seen |= 8;
    } else if (key == "warned") {
      if (value != "0" && value != "1") return corrupt("bad warned");
      m.delay_warned = value == "1";
    } else if (key == "relayed") {
      if (value != "0" && value != "1") return corrupt("bad relayed");
      m.message.relayed = value == "1";
    } else if (key == "sender") {
      auto v = unfield(value);
      if (!v) return corrupt("bad sender");
      m.message.envelope_sender = *v;
      seen |= 16;
    } else if (key == "envid") {
      auto v = unfield(value);
      if (!v) return corrupt("bad envid");
      m.message.envid = *v;
    } else if (key == "ret") {
      if (value == "unspecified")
        m.message.ret = delivery::Ret::unspecified;
      else if (value == "full")
        m.message.ret = delivery::Ret::full;
      else if (value == "headers")
        m.message.ret = delivery::Ret::headers;
      else
        return corrupt("bad ret");
    } else if (key == "rcpt") {
      auto parts = split(value, ' ');
      if (parts.size() != 7) return corrupt("bad rcpt");
      RecipientStatus s;
      if (parts[0] == "pending")
        s.state = RecipientState::pending;
      else if (parts[0] == "sent")
        s.state = RecipientState::sent;
      else if (parts[0] == "failed")
        s.state = RecipientState::failed;
      else
        return corrupt("bad rcpt state");
      auto notify = parse_notify(parts[1]);
      auto address = unfield(parts[2]), orcpt = unfield(parts[3]), status = unfield(parts[4]),
           remote = unfield(parts[5]), diag = unfield(parts[6]);
      if (!notify || !address || address->empty() || !orcpt || !status || !remote || !diag)
        return corrupt("bad rcpt field");
      s.status = *status;
      s.remote_mta = *remote;
      s.diagnostic = *diag;
      m.message.recipients.push_back(delivery::OutboundRecipient{*address, *orcpt, *notify});
      m.status.push_back(std::move(s));
    } else if (key == "body") {
      auto size = parse_int(value, key);
      POSTAMT_TRY(size);
      if (seen != 31) return corrupt("missing header line");
      m.body_size = static_cast<uint64_t>(*size);
      if (m.message.recipients.empty()) return corrupt("no recipients");
      if (mode == BodyMode::skip) return m;
      if (bytes.size() - pos != static_cast<uint64_t>(*size)) return corrupt("body size mismatch");
      m.message.body = std::string(bytes.substr(pos));
      return m;
    } else {
      return corrupt(fmt::format("unknown key \"{}\"", key));
    }
  }
}

Result<std::unique_ptr<FileQueue>> FileQueue::open(fs::path dir, Clock clock) {
  std::error_code ec;
  for (const fs::path& p : {dir, dir / "tmp", dir / "corrupt"}) {
    fs::create_directories(p, ec);
    if (ec)
      return Error{ErrorKind::io, fmt::format("cannot create {}: {}", p.string(), ec.message())};
  }
  auto cutoff = fs::file_time_type::clock::now() - std::chrono::minutes(1);
  for (const auto& entry : fs::directory_iterator(dir / "tmp", ec)) {
    std::error_code ignored;
    if (entry.last_write_time(ignored) < cutoff) fs::remove(entry.path(), ignored);
  }
  if (ec)
    return Error{ErrorKind::io, fmt::format("cannot list {}: {}", dir.string(), ec.message())};
  return std::unique_ptr<FileQueue>(new FileQueue(std::move(dir), std::move(clock)));
}

std::string FileQueue::new_id() {
  // Time in microseconds plus a counter and randomness: unique within this process
  // and, with overwhelming probability, across processes sharing the directory.
  static constexpr char kAlphabet[] =
      "0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz";
  std::lock_guard lock(mutex_);
  static thread_local std::mt19937_64 rng{std::random_device{}()};
  uint64_t micros = static_cast<uint64_t>(std::chrono::duration_cast<std::chrono::microseconds>(
                                              std::chrono::system_clock::now().time_since_epoch())
                                              .count());
  std::string id;
  for (uint64_t v = micros; v; v /= 62) id.insert(id.begin(), kAlphabet[v % 62]);
  uint64_t extra = (rng() << 8) ^ (++counter_);
  for (int i = 0; i < 6; ++i, extra /= 62) id += kAlphabet[extra % 62];
  return id;
}

Result<void> FileQueue::write_atomically(const std::string& id, const std::string& bytes,
                                         Placement placement) {
  uint64_t n;
  {
    std::lock_guard lock(mutex_);
    n = ++counter_;
  }
  fs::path tmp = dir_ / "tmp" / fmt::format("{}.{}.{}", id, ::getpid(), n);
  int fd = ::open(tmp.c_str(), O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0600);
  if (fd < 0) return os_error("cannot create", tmp);
  size_t done = 0;
  while (done < bytes.size()) {
    ssize_t w = ::write(fd, bytes.data() + done, bytes.size() - done);
    if (w < 0 && errno == EINTR) continue;
    if (w <= 0) {
      Error e = os_error("cannot write", tmp);
      ::close(fd);
      ::unlink(tmp.c_str());
      return e;
    }
    done += static_cast<size_t>(w);
  }
  // A failed fsync is a failed write (docs/architecture.md, Durability): never retried into
  // success.
  if (::fsync(fd) != 0) {
    Error e = os_error("cannot fsync", tmp);
    ::close(fd);
    ::unlink(tmp.c_str());
    return e;
  }
  ::close(fd);
  fs::path target = dir_ / id;
  if (placement == Placement::create) {
    // link(2) fails with EEXIST instead of replacing: a new message never takes the
    // place of another one of the same id, also not one another process just queued.
    if (::link(tmp.c_str(), target.c_str()) != 0) {
      Error e = errno == EEXIST ? Error{ErrorKind::exists, "queue id in use: " + id}
                                : os_error("cannot link into", target);
      ::unlink(tmp.c_str());
      return e;
    }
    ::unlink(tmp.c_str());
  } else if (::rename(tmp.c_str(), target.c_str()) != 0) {
    Error e = os_error("cannot rename into", target);
    ::unlink(tmp.c_str());
    return e;
  }
  return fsync_dir(dir_);
}

Result<QueuedMessage> new_queued_message(const delivery::OutboundMessage& message, TimePoint now) {
  if (message.recipients.empty())
    return Error{ErrorKind::invalid, "a queued message needs at least one recipient"};
  for (const auto& r : message.recipients)
    if (r.address.empty()) return Error{ErrorKind::invalid, "empty recipient address"};
  QueuedMessage m;
  m.message = message;
  m.message.queue_id.clear();  // the message's id is its file's or row's name
  m.status.resize(message.recipients.size());
  m.arrival = m.next_attempt = now;
  return m;
}

Result<std::string> FileQueue::enqueue(const delivery::OutboundMessage& message) {
  auto made = new_queued_message(message, clock_());
  if (!made) return made.error();
  QueuedMessage& m = *made;
  const std::string bytes = serialize(m);
  if (valid_queue_id(message.queue_id)) {
    m.id = message.queue_id;
    auto written = write_atomically(m.id, bytes, Placement::create);
    if (written) return m.id;
    if (written.error().kind != ErrorKind::exists) return written.error();
  }
  // No id given, or it names another message already: a fresh one.
  m.id = new_id();
  POSTAMT_TRY(write_atomically(m.id, bytes, Placement::create));
  return m.id;
}

Result<void> FileQueue::import(const QueuedMessage& m) {
  if (!valid_queue_id(m.id)) return Error{ErrorKind::invalid, "not a queue id: " + m.id};
  if (!m.has_body) return Error{ErrorKind::invalid, "cannot import a message loaded without body"};
  if (m.status.size() != m.message.recipients.size())
    return Error{ErrorKind::invalid, "recipient status does not match recipients"};
  QueuedMessage copy = m;
  copy.claim_owner.clear();
  return write_atomically(copy.id, serialize(copy), Placement::create);
}

std::vector<delivery::QueuedRecipient> queued_recipients_of(const QueuedMessage& m) {
  std::vector<delivery::QueuedRecipient> out;
  for (size_t i = 0; i < m.message.recipients.size(); ++i) {
    const RecipientStatus& s = m.status.at(i);
    delivery::QueuedState state = s.state == RecipientState::sent ? delivery::QueuedState::sent
                                  : s.state == RecipientState::failed
                                      ? delivery::QueuedState::failed
                                      : delivery::QueuedState::pending;
    out.push_back({m.message.recipients[i].address, state, s.diagnostic});
  }
  return out;
}

Result<std::vector<delivery::QueuedRecipient>> FileQueue::queued_recipients(std::string_view id) {
  auto m = load(std::string(id), BodyMode::skip);
  if (!m) return m.error();
  return queued_recipients_of(*m);
}

Result<std::vector<std::string>> FileQueue::list() const {
  std::vector<std::string> ids;
  std::error_code ec;
  for (const auto& entry : fs::directory_iterator(dir_, ec)) {
    std::string name = entry.path().filename().string();
    if (valid_queue_id(name) && entry.is_regular_file(ec)) ids.push_back(std::move(name));
  }
  if (ec)
    return Error{ErrorKind::io, fmt::format("cannot list {}: {}", dir_.string(), ec.message())};
  std::sort(ids.begin(), ids.end());
  return ids;
}

Result<QueuedMessage> FileQueue::load(const std::string& id, BodyMode mode) const {
  if (!valid_queue_id(id)) return Error{ErrorKind::not_found, "no such message in the queue"};
  auto bytes = read_file(dir_ / id, mode);
  POSTAMT_TRY(bytes);
  auto m = deserialize(*bytes, mode);
  POSTAMT_TRY(m);
  m->id = id;
  std::lock_guard lock(claims_mutex_);
  if (const Held* held = live_claim(id, clock_())) {
    m->claim_owner = held->owner;
    m->claim_until = held->until;
  }
  return m;
}

Result<void> FileQueue::save(const QueuedMessage& m) {
  if (!m.has_body) return Error{ErrorKind::invalid, "cannot save a message loaded without body"};
  if (m.status.size() != m.message.recipients.size())
    return Error{ErrorKind::invalid, "recipient status does not match recipients"};
  if (!valid_queue_id(m.id)) return Error{ErrorKind::not_found, "no such message in the queue"};
  std::error_code ec;
  if (!fs::exists(dir_ / m.id, ec))
    return Error{ErrorKind::not_found, "no such message in the queue"};
  return write_atomically(m.id, serialize(m), Placement::replace);
}

Result<void> FileQueue::remove(const std::string& id) {
  // Under the lock: a worker recording an attempt (update) must not save the file back
  // after it was removed.
  auto lock = this->lock();
  POSTAMT_TRY(lock);
  return remove_unlocked(id);
}

Result<void> FileQueue::update(const std::string& id,
                               const std::function<Result<Change>(QueuedMessage&)>& change) {
  auto lock = this->lock();
  POSTAMT_TRY(lock);
  auto m = load(id);
  POSTAMT_TRY(m);
  auto wanted = change(*m);
  POSTAMT_TRY(wanted);
  switch (*wanted) {
    case Change::keep:
      return {};
    case Change::remove:
      return remove_unlocked(id);
    case Change::save:
      break;
  }
  return save(*m);
}

Result<SpoolStats> FileQueue::stats() const {
  auto ids = list();
  POSTAMT_TRY(ids);
  SpoolStats stats;
  for (const std::string& id : *ids) {
    auto m = load(id, BodyMode::skip);
    if (!m) continue;  // gone meanwhile, or corrupt (the worker quarantines it)
    ++stats.messages;
    if (!stats.oldest_arrival || m->arrival < *stats.oldest_arrival)
      stats.oldest_arrival = m->arrival;
  }
  return stats;
}

const FileQueue::Held* FileQueue::live_claim(const std::string& id, TimePoint now) const {
  auto it = claims_.find(id);
  if (it == claims_.end() || it->second.until <= now) return nullptr;
  return &it->second;
}

Result<std::vector<std::string>> FileQueue::claim_due(std::string_view owner, size_t limit,
                                                      std::chrono::seconds lease) {
  auto ids = list();
  POSTAMT_TRY(ids);
  const TimePoint now = clock_();
  // (next attempt, id); a file whose header does not read back sorts first with the
  // earliest time, so that the worker quarantines it (and logs why) soon.
  std::vector<std::pair<TimePoint, std::string>> due;
  for (const std::string& id : *ids) {
    auto m = load(id, BodyMode::skip);
    if (!m) {
      if (m.error().kind == ErrorKind::invalid) due.emplace_back(TimePoint::min(), id);
      continue;  // not_found: removed meanwhile
    }
    if (m->held || m->next_attempt > now) continue;
    due.emplace_back(m->next_attempt, id);
  }
  std::sort(due.begin(), due.end());
  std::vector<std::string> claimed;
  std::lock_guard lock(claims_mutex_);
  for (auto& [when, id] : due) {
    if (claimed.size() >= limit) break;
    if (live_claim(id, now)) continue;
    claims_[id] = Held{std::string(owner), now + lease};
    claimed.push_back(std::move(id));
  }
  return claimed;
}

Result<bool> FileQueue::claim(const std::string& id, std::string_view owner,
                              std::chrono::seconds lease) {
  if (!valid_queue_id(id)) return Error{ErrorKind::not_found, "no such message in the queue"};
  std::error_code ec;
  if (!fs::exists(dir_ / id, ec))
    return Error{ErrorKind::not_found, "no such message in the queue"};
  const TimePoint now = clock_();
  std::lock_guard lock(claims_mutex_);
  const Held* held = live_claim(id, now);
  if (held && held->owner != owner) return false;
  claims_[id] = Held{std::string(owner), now + lease};
  return true;
}

Result<bool> FileQueue::renew_claim(const std::string& id, std::string_view owner,
                                    std::chrono::seconds lease) {
  std::error_code ec;
  const bool exists = valid_queue_id(id) && fs::exists(dir_ / id, ec);
  std::lock_guard lock(claims_mutex_);
  auto it = claims_.find(id);
  if (it == claims_.end() || it->second.owner != owner) return false;
  if (!exists) {
    claims_.erase(it);
    return false;
  }
  it->second.until = clock_() + lease;
  return true;
}

Result<void> FileQueue::release_claim(const std::string& id, std::string_view owner) {
  std::lock_guard lock(claims_mutex_);
  auto it = claims_.find(id);
  if (it != claims_.end() && it->second.owner == owner) claims_.erase(it);
  return {};
}

Result<void> FileQueue::remove_unlocked(const std::string& id) {
  if (!valid_queue_id(id)) return Error{ErrorKind::not_found, "no such message in the queue"};
  fs::path p = dir_ / id;
  if (::unlink(p.c_str()) != 0) {
    if (errno == ENOENT) return Error{ErrorKind::not_found, "no such message in the queue"};
    return os_error("cannot remove", p);
  }
  return fsync_dir(dir_);
}

QueueLock::~QueueLock() {
  if (fd_ >= 0) ::close(fd_);  // closing the last descriptor releases the flock
}

Result<QueueLock> FileQueue::lock() const {
  fs::path p = dir_ / ".lock";
  int fd = ::open(p.c_str(), O_RDWR | O_CREAT | O_CLOEXEC, 0600);
  if (fd < 0) return os_error("cannot open", p);
  QueueLock lock(fd);
  while (::flock(fd, LOCK_EX) != 0)
    if (errno != EINTR) return os_error("cannot lock", p);
  return lock;
}

Result<void> FileQueue::quarantine(const std::string& id) {
  if (!valid_queue_id(id)) return Error{ErrorKind::not_found, "no such message in the queue"};
  fs::path from = dir_ / id, to = dir_ / "corrupt" / id;
  if (::rename(from.c_str(), to.c_str()) != 0) return os_error("cannot move", from);
  return fsync_dir(dir_);
}

}  // namespace postamt::queue
