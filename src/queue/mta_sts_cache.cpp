// PolicyCache (mta_sts.h): RFC 8461 §3 discovery and §5.1 caching.
#include <fmt/format.h>
#include <sys/stat.h>

#include <atomic>
#include <fstream>
#include <sstream>
#include <system_error>
#include <type_traits>

#include "base/log.h"
#include "net/runtime.h"
#include "queue/mta_sts.h"

namespace postamt::queue::mta_sts {

namespace {

constexpr std::string_view kService = "mta-sts";

// Runs a blocking step on the runtime's pool, or here when there is none.
template <class F>
net::awaitable<std::invoke_result_t<F>> blocking(net::Runtime* runtime, F f) {
  if (!runtime) co_return f();
  auto task = runtime->run_blocking(std::move(f));
  co_return co_await std::move(task);
}

Result<std::optional<CacheFile>> read_cache_file(const std::filesystem::path& path) {
  std::ifstream in(path, std::ios::binary);
  if (!in) {
    std::error_code ec;
    if (!std::filesystem::exists(path, ec)) return std::optional<CacheFile>{};
    return Error{ErrorKind::io, fmt::format("{}: cannot read", path.string())};
  }
  std::ostringstream text;
  text << in.rdbuf();
  auto parsed = parse_cache_file(text.str());
  if (!parsed)
    return Error{ErrorKind::invalid, fmt::format("{}: {}", path.string(), parsed.error().message)};
  return std::optional<CacheFile>(std::move(*parsed));
}

// Writes next to the final name and renames, so a reader never sees half a file. The
// cache is derived data (docs/architecture.md): no fsync; a lost file means one fetch.
Result<void> write_cache_file(const std::filesystem::path& dir, const std::string& domain,
                              const std::string& text) {
  static std::atomic<uint64_t> counter{0};
  std::error_code ec;
  if (!std::filesystem::exists(dir, ec)) {
    std::filesystem::create_directories(dir, ec);
    if (ec) return Error{ErrorKind::io, fmt::format("{}: {}", dir.string(), ec.message())};
    ::chmod(dir.c_str(), 0750);
  }
  const std::filesystem::path temporary =
      dir / fmt::format(".{}.{}.{}", domain, ::getpid(), counter.fetch_add(1));
  {
    std::ofstream out(temporary, std::ios::binary | std::ios::trunc);
    out << text;
    out.flush();
    if (!out) {
      std::filesystem::remove(temporary, ec);
      return Error{ErrorKind::io, fmt::format("{}: cannot write", temporary.string())};
    }
  }
  std::filesystem::rename(temporary, dir / domain, ec);
  if (ec) {
    std::filesystem::remove(temporary, ec);
    return Error{ErrorKind::io, fmt::format("{}: {}", (dir / domain).string(), ec.message())};
  }
  return {};
}

// Removing a cache file that may be gone already; the result says nothing.
bool remove_file(const std::filesystem::path& path) {
  std::error_code ec;
  return std::filesystem::remove(path, ec);
}

// RFC 8461 §3.1: records that do not begin with the version are discarded. The grammar
// allows white space before the ";", so "v=STSv1" must be followed by ";", WSP or end.
bool starts_with_version(std::string_view record) {
  constexpr std::string_view kVersion = "v=STSv1";
  if (!record.starts_with(kVersion)) return false;
  std::string_view rest = record.substr(kVersion.size());
  return rest.empty() || rest.front() == ';' || rest.front() == ' ' || rest.front() == '\t';
}

}  // namespace

PolicyCache::PolicyCache(std::filesystem::path dir, dns::Resolver& dns, FetchFn fetch, Clock clock,
                         Limits limits, net::Runtime* runtime)
    : dir_(std::move(dir)),
      dns_(dns),
      fetch_(std::move(fetch)),
      clock_(std::move(clock)),
      limits_(limits),
      runtime_(runtime) {}

bool PolicyCache::expired(const Entry& entry) const {
  // §5.1: a policy is cached "for up to" max_age from the time it was fetched.
  return clock_() - entry.fetched >= entry.policy.max_age;
}

std::optional<PolicyCache::Entry> PolicyCache::cached(const std::string& domain) {
  std::lock_guard lock(mutex_);
  auto it = memory_.find(domain);
  if (it == memory_.end()) return std::nullopt;
  return it->second;
}

void PolicyCache::remember(const std::string& domain, const Entry& entry) {
  std::lock_guard lock(mutex_);
  memory_.insert_or_assign(domain, entry);
  failed_.erase(domain);
}

void PolicyCache::forget(const std::string& domain) {
  std::lock_guard lock(mutex_);
  memory_.erase(domain);
}

net::awaitable<Result<std::vector<std::string>>> PolicyCache::txt_records(std::string name) {
  dns::Resolver* resolver = &dns_;
  auto task = blocking(runtime_, [resolver, name] { return resolver->txt(name); });
  auto answer = co_await std::move(task);
  if (!answer) co_return answer.error();
  co_return std::move(answer->records);
}

net::awaitable<Result<Policy, PolicyCache::FetchFailure>> PolicyCache::fetch_policy(
    std::string domain) {
  constexpr std::string_view kFetchError = "sts-policy-fetch-error";
  auto failure = [](std::string_view type, std::string detail) {
    return FetchFailure{std::string(type), std::move(detail)};
  };
  // §3.2: the Policy Host is "mta-sts." prepended to the Policy Domain.
  const std::string url = fmt::format("https://mta-sts.{}/.well-known/mta-sts.txt", domain);
  auto task = fetch_(url);
  auto response = co_await std::move(task);
  if (!response) {
    // http/client.h: a certificate that does not verify is permission, "certificate
    // verification failed: ..." (net/tcp.cpp).
    const Error& e = response.error();
    const bool pkix = e.kind == ErrorKind::permission &&
                      e.message.find("certificate verification failed") != std::string::npos;
    co_return failure(pkix ? "sts-webpki-invalid" : kFetchError,
                      fmt::format("fetching {}: {}", url, e.message));
  }
  // §3.3: only a 200 response is a policy; a 3xx is not followed.
  if (response->status != 200)
    co_return failure(kFetchError, fmt::format("{}: HTTP status {}", url, response->status));
  if (!is_text_plain(response->content_type))
    co_return failure(kFetchError, fmt::format("{}: media type \"{}\" is not text/plain", url,
                                               response->content_type));
  if (response->body.size() > limits_.max_policy_bytes)
    co_return failure(kFetchError, fmt::format("{}: the policy is larger than {} octets", url,
                                               limits_.max_policy_bytes));
  auto policy = parse_policy(response->body);
  if (!policy)
    co_return failure("sts-policy-invalid", fmt::format("{}: {}", url, policy.error().message));
  co_return std::move(*policy);
}

std::optional<PolicyCache::FetchFailure> PolicyCache::last_failure(std::string_view domain) {
  auto name = normalize_domain(domain);
  if (!name) return std::nullopt;
  std::lock_guard lock(mutex_);
  auto it = failed_.find(*name);
  if (it == failed_.end() || clock_() - it->second.at >= limits_.retry_interval)
    return std::nullopt;
  return it->second.why;
}

net::awaitable<Result<std::optional<Policy>>> PolicyCache::lookup(std::string domain) {
  auto name = normalize_domain(domain);
  if (!name) co_return name.error();
  domain = std::move(*name);

  // The cached policy: memory first, then the file a previous run left.
  std::optional<Entry> entry = cached(domain);
  if (!entry) {
    const std::filesystem::path path = dir_ / domain;
    auto read = blocking(runtime_, [path] { return read_cache_file(path); });
    auto file = co_await std::move(read);
    if (!file) {
      // Derived data (docs/architecture.md): a damaged file is dropped and fetched again.
      log::warning(kService, "{}; removing it", file.error().message);
      auto removal = blocking(runtime_, [path] { return remove_file(path); });
      co_await std::move(removal);
    } else if (*file) {
      entry = Entry{std::move((*file)->policy), (*file)->fetched};
      remember(domain, *entry);
    }
  }
  if (entry && expired(*entry)) {
    forget(domain);
    const std::filesystem::path path = dir_ / domain;
    auto removal = blocking(runtime_, [path] { return remove_file(path); });
    co_await std::move(removal);
    entry.reset();
  }
  auto keep_cached = [&]() -> std::optional<Policy> {
    if (entry) return entry->policy;
    return std::nullopt;
  };
  const bool quiet = entry && entry->policy.mode == Mode::none;

  // §3.1: exactly one record that begins with the version, and it must parse.
  std::optional<std::string> id;
  auto txt = txt_records(fmt::format("_mta-sts.{}", domain));
  auto records = co_await std::move(txt);
  if (records) {
    std::vector<std::string> candidates;
    for (std::string& r : *records)
      if (starts_with_version(r)) candidates.push_back(std::move(r));
    if (candidates.size() == 1) {
      auto parsed = parse_txt_id(candidates.front());
      if (parsed) {
        id = std::move(*parsed);
      } else if (entry && !quiet) {
        log::warning(kService, "{}: _mta-sts {}; keeping the cached policy {}", domain,
                     parsed.error().message, entry->policy.id);
      }
    } else if (candidates.size() > 1 && entry && !quiet) {
      log::warning(kService, "{}: {} _mta-sts records; keeping the cached policy {}", domain,
                   candidates.size(), entry->policy.id);
    }
  } else if (records.error().kind != ErrorKind::not_found && entry && !quiet) {
    log::warning(kService, "{}: _mta-sts lookup failed ({}); keeping the cached policy {}", domain,
                 records.error().message, entry->policy.id);
  }
  // §3.1 and §5.1: without a usable TXT record, the cached policy (if any) still applies.
  if (!id) co_return keep_cached();

  const TimePoint now = clock_();
  if (entry && entry->policy.id == *id && now - entry->fetched < limits_.refresh_interval)
    co_return keep_cached();

  // §3.3: after a failed fetch, wait retry_interval before trying the same id again.
  {
    std::lock_guard lock(mutex_);
    auto failed = failed_.find(domain);
    if (failed != failed_.end() && failed->second.id == *id &&
        now - failed->second.at < limits_.retry_interval)
      co_return keep_cached();
  }

  auto fetching = fetch_policy(domain);
  auto fetched = co_await std::move(fetching);
  if (!fetched) {
    {
      std::lock_guard lock(mutex_);
      // Old failures are dropped here so the map holds only recent ones.
      std::erase_if(failed_,
                    [&](const auto& f) { return now - f.second.at >= limits_.retry_interval; });
      failed_.insert_or_assign(domain, FailedFetch{*id, now, fetched.error()});
    }
    // §3.3: alert administrators when a refresh fails, unless the cached mode is none.
    if (!quiet)
      log::warning(kService, "{}: policy {} not fetched: {}{}", domain, *id, fetched.error().detail,
                   entry ? fmt::format("; keeping the cached policy {}", entry->policy.id)
                         : std::string("; delivering as without MTA-STS"));
    co_return keep_cached();
  }
  fetched->id = *id;
  Entry fresh{std::move(*fetched), now};
  remember(domain, fresh);
  const std::string text = format_cache_file(fresh.policy, fresh.fetched);
  const std::filesystem::path dir = dir_;
  auto writing =
      blocking(runtime_, [dir, domain, text] { return write_cache_file(dir, domain, text); });
  auto written = co_await std::move(writing);
  if (!written) log::warning(kService, "{}: {}", domain, written.error().message);
  log::info(kService, "{}: policy {} (mode {}, max_age {}s)", domain, fresh.policy.id,
            to_string(fresh.policy.mode), fresh.policy.max_age.count());
  co_return std::optional<Policy>(std::move(fresh.policy));
}

}  // namespace postamt::queue::mta_sts
