// Test-only: a Resolver answering from tables set by the test, counting lookups (SPF's
// lookup limits are tested with it). Header-only; thread-safe.
//
//   dns::testing::FakeResolver dns;
//   dns.add_txt("example.org", "v=spf1 ip4:192.0.2.0/24 -all");
//   dns.add_a("mx.example.org", "192.0.2.1");
//   dns.fail("broken.example", ErrorKind::temporary);   // every type for that name
//   dns.set_secure("example.org", true);                  // answers for it are "secure"
//
// A name with no record of any type and no fail() entry is NXDOMAIN (not_found); a name
// that has records of other types answers NODATA (an empty Answer).
#pragma once

#include <algorithm>
#include <cctype>
#include <map>
#include <mutex>
#include <set>
#include <string>
#include <utility>

#include "dns/resolver.h"

namespace postamt::dns::testing {

class FakeResolver final : public Resolver {
 public:
  void add_mx(std::string_view name, uint16_t pref, std::string host) {
    std::lock_guard lock(mutex_);
    mx_[key(name)].push_back({pref, std::move(host)});
    names_.insert(key(name));
  }
  void add_a(std::string_view name, std::string address) { add(a_, name, std::move(address)); }
  void add_aaaa(std::string_view name, std::string address) {
    add(aaaa_, name, std::move(address));
  }
  void add_txt(std::string_view name, std::string text) { add(txt_, name, std::move(text)); }
  // `address` as given to ptr() (an address literal).
  void add_ptr(std::string_view address, std::string host) { add(ptr_, address, std::move(host)); }
  void add_tlsa(std::string_view name, TlsaRecord record) {
    std::lock_guard lock(mutex_);
    tlsa_[key(name)].push_back(std::move(record));
    names_.insert(key(name));
  }
  // The name exists but has no records (so every type answers NODATA).
  void add_empty(std::string_view name) {
    std::lock_guard lock(mutex_);
    names_.insert(key(name));
  }
  void fail(std::string_view name, ErrorKind kind, std::string message = "fake failure") {
    std::lock_guard lock(mutex_);
    failures_[key(name)] = Error(kind, std::move(message));
  }
  void set_secure(std::string_view name, bool secure) {
    std::lock_guard lock(mutex_);
    if (secure) {
      secure_.insert(key(name));
    } else {
      secure_.erase(key(name));
    }
  }
  // Lookups answered so far (of every type), and per name.
  int lookups() const {
    std::lock_guard lock(mutex_);
    return lookups_;
  }
  int lookups(std::string_view name) const {
    std::lock_guard lock(mutex_);
    auto it = per_name_.find(key(name));
    return it == per_name_.end() ? 0 : it->second;
  }

  Result<Answer<MxRecord>> mx(std::string_view name) override { return find(mx_, name); }
  Result<Answer<std::string>> a(std::string_view name) override { return find(a_, name); }
  Result<Answer<std::string>> aaaa(std::string_view name) override { return find(aaaa_, name); }
  Result<Answer<std::string>> txt(std::string_view name) override { return find(txt_, name); }
  Result<Answer<std::string>> ptr(std::string_view address) override { return find(ptr_, address); }
  Result<Answer<TlsaRecord>> tlsa(std::string_view name) override { return find(tlsa_, name); }

 private:
  template <class T>
  using Table = std::map<std::string, std::vector<T>>;

  static std::string key(std::string_view name) {
    std::string k(name);
    if (!k.empty() && k.back() == '.') k.pop_back();
    std::transform(k.begin(), k.end(), k.begin(),
                   [](unsigned char c) { return static_cast<char>(std::tolower(c)); });
    return k;
  }
  void add(Table<std::string>& table, std::string_view name, std::string value) {
    std::lock_guard lock(mutex_);
    table[key(name)].push_back(std::move(value));
    names_.insert(key(name));
  }
  template <class T>
  Result<Answer<T>> find(const Table<T>& table, std::string_view name) {
    std::lock_guard lock(mutex_);
    const std::string k = key(name);
    ++lookups_;
    ++per_name_[k];
    if (auto f = failures_.find(k); f != failures_.end()) return f->second;
    if (!names_.contains(k)) return Error(ErrorKind::not_found, "NXDOMAIN " + k);
    Answer<T> answer;
    if (auto it = table.find(k); it != table.end()) answer.records = it->second;
    answer.secure = secure_.contains(k);
    return answer;
  }

  mutable std::mutex mutex_;
  Table<MxRecord> mx_;
  Table<std::string> a_, aaaa_, txt_, ptr_;
  Table<TlsaRecord> tlsa_;
  std::set<std::string> names_, secure_;
  std::map<std::string, Error> failures_;
  std::map<std::string, int> per_name_;
  int lookups_ = 0;
};

}  // namespace postamt::dns::testing
