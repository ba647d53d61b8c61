// PolicyCache (RFC 8461 §3, §5.1) over a fake resolver, a fake web and a fake clock.
#include <sys/stat.h>

#include <gtest/gtest.h>

#include <boost/asio/io_context.hpp>
#include <filesystem>
#include <map>

#include "dns/testing/fake_resolver.h"
#include "net/testing/run.h"
#include "queue/mta_sts.h"
#include "support/files.h"

namespace postamt::queue::mta_sts {
namespace {

using namespace std::chrono_literals;

constexpr std::string_view kUrl = "https://mta-sts.example.org/.well-known/mta-sts.txt";
constexpr std::string_view kEnforce =
    "version: STSv1\nmode: enforce\nmx: mx.example.org\nmx: *.backup.example\nmax_age: 86400\n";

// The fake web: answers per URL, counts requests.
struct FakeWeb {
  std::map<std::string, Result<FetchResponse>, std::less<>> answers;
  int requests = 0;
  void serve(std::string_view body, std::string type = "text/plain", int status = 200) {
    answers.insert_or_assign(std::string(kUrl),
                             FetchResponse{status, std::move(type), std::string(body)});
  }
  void fail(ErrorKind kind, std::string message) {
    answers.insert_or_assign(std::string(kUrl), Error{kind, std::move(message)});
  }
};

net::awaitable<Result<FetchResponse>> fake_fetch(FakeWeb* web, std::string url) {
  ++web->requests;
  auto it = web->answers.find(url);
  if (it == web->answers.end()) co_return Error{ErrorKind::not_found, "cannot resolve"};
  co_return it->second;
}

// Forwards to a FakeResolver the test may replace (records removed between lookups).
struct SwitchResolver final : dns::Resolver {
  std::unique_ptr<dns::testing::FakeResolver> now = std::make_unique<dns::testing::FakeResolver>();
  Result<dns::Answer<dns::MxRecord>> mx(std::string_view n) override { return now->mx(n); }
  Result<dns::Answer<std::string>> a(std::string_view n) override { return now->a(n); }
  Result<dns::Answer<std::string>> aaaa(std::string_view n) override { return now->aaaa(n); }
  Result<dns::Answer<std::string>> txt(std::string_view n) override { return now->txt(n); }
  Result<dns::Answer<std::string>> ptr(std::string_view n) override { return now->ptr(n); }
  Result<dns::Answer<dns::TlsaRecord>> tlsa(std::string_view n) override { return now->tlsa(n); }
};

class PolicyCacheTest : public ::testing::Test {
 protected:
  PolicyCacheTest() { dns().add_txt("_mta-sts.example.org", "v=STSv1; id=one"); }
  dns::testing::FakeResolver& dns() { return *switch_.now; }
  void clear_dns() { switch_.now = std::make_unique<dns::testing::FakeResolver>(); }

  std::unique_ptr<PolicyCache> make_cache() {
    FakeWeb* web = &web_;
    TimePoint* now = &now_;
    return std::make_unique<PolicyCache>(
        dir_.root() / "mta-sts", switch_,
        [web](std::string url) { return fake_fetch(web, std::move(url)); }, [now] { return *now; },
        limits_);
  }
  Result<std::optional<Policy>> lookup(std::string domain = "example.org") {
    if (!cache_) cache_ = make_cache();
    return net::testing::run_to_completion(io_, cache_->lookup(std::move(domain)));
  }
  // The policy's id, "none" when there is no policy; fails the test on an error.
  std::string id_of(Result<std::optional<Policy>> r) {
    EXPECT_TRUE(r) << r.error().message;
    if (!r || !*r) return "none";
    return (*r)->id;
  }
  void set_txt(std::string record) {
    clear_dns();
    dns().add_txt("_mta-sts.example.org", std::move(record));
  }
  std::filesystem::path file() const { return dir_.root() / "mta-sts" / "example.org"; }

  postamt::testing::TempDir dir_;
  SwitchResolver switch_;
  FakeWeb web_;
  TimePoint now_ = from_unix(1765000000);
  Limits limits_;
  boost::asio::io_context io_;
  std::unique_ptr<PolicyCache> cache_;
};

TEST_F(PolicyCacheTest, NewPolicyIsFetchedAndCachedOnDisk) {
  web_.serve(kEnforce, "text/plain; charset=utf-8");
  auto r = lookup("Example.ORG.");
  ASSERT_TRUE(r) << r.error().message;
  ASSERT_TRUE(*r);
  EXPECT_EQ((*r)->id, "one");
  EXPECT_EQ((*r)->mode, Mode::enforce);
  EXPECT_EQ((*r)->mx, (std::vector<std::string>{"mx.example.org", "*.backup.example"}));
  EXPECT_EQ((*r)->max_age, 86400s);
  EXPECT_EQ(web_.requests, 1);
  EXPECT_EQ(postamt::testing::read_file(file()),
            "postamt-mta-sts 1\nid: one\nfetched: 1765000000\n\n" + std::string(kEnforce));
  struct stat st {};
  ASSERT_EQ(::stat((dir_.root() / "mta-sts").c_str(), &st), 0);
  EXPECT_EQ(st.st_mode & 0777, 0750u);
}

TEST_F(PolicyCacheTest, UnchangedIdIsNotFetchedAgainNotEvenAfterARestart) {
  web_.serve(kEnforce);
  EXPECT_EQ(id_of(lookup()), "one");
  now_ += 3h;
  EXPECT_EQ(id_of(lookup()), "one");
  EXPECT_EQ(web_.requests, 1);
  cache_ = make_cache();  // a new process: the file is read
  EXPECT_EQ(id_of(lookup()), "one");
  EXPECT_EQ(web_.requests, 1);
  EXPECT_EQ(dns().lookups("_mta-sts.example.org"), 3);  // the TXT record is asked each time
}

TEST_F(PolicyCacheTest, ChangedIdIsFetched) {
  web_.serve(kEnforce);
  EXPECT_EQ(id_of(lookup()), "one");
  set_txt("v=STSv1; id=two");
  web_.serve("version: STSv1\nmode: testing\nmx: mx.example.org\nmax_age: 600\n");
  auto r = lookup();
  ASSERT_TRUE(r && *r);
  EXPECT_EQ((*r)->id, "two");
  EXPECT_EQ((*r)->mode, Mode::testing);
  EXPECT_EQ(web_.requests, 2);
  EXPECT_TRUE(postamt::testing::read_file(file()).starts_with("postamt-mta-sts 1\nid: two\n"));
}

TEST_F(PolicyCacheTest, ExpiredPolicyIsForgotten) {
  web_.serve("version: STSv1\nmode: enforce\nmx: mx.example.org\nmax_age: 600\n");
  EXPECT_EQ(id_of(lookup()), "one");
  clear_dns();  // the TXT record is gone: the cached policy applies while it lasts
  now_ += 599s;
  EXPECT_EQ(id_of(lookup()), "one");
  now_ += 1s;  // max_age seconds after the fetch
  EXPECT_EQ(id_of(lookup()), "none");
  EXPECT_FALSE(std::filesystem::exists(file()));
  // With the record back, an expired policy is fetched again even under the same id.
  dns().add_txt("_mta-sts.example.org", "v=STSv1; id=one");
  EXPECT_EQ(id_of(lookup()), "one");
  EXPECT_EQ(web_.requests, 2);
}

TEST_F(PolicyCacheTest, FailedRefreshKeepsTheCachedPolicyAndWaitsBeforeTrying) {
  web_.serve(kEnforce);
  EXPECT_EQ(id_of(lookup()), "one");
  set_txt("v=STSv1; id=two");
  web_.fail(ErrorKind::timeout, "timed out");
  EXPECT_EQ(id_of(lookup()), "one");
  EXPECT_EQ(web_.requests, 2);
  now_ += limits_.retry_interval - 1s;  // RFC 8461 §3.3: not again within five minutes
  EXPECT_EQ(id_of(lookup()), "one");
  EXPECT_EQ(web_.requests, 2);
  now_ += 1s;
  web_.serve(kEnforce, "text/plain", 503);
  EXPECT_EQ(id_of(lookup()), "one");
  EXPECT_EQ(web_.requests, 3);
  now_ += limits_.retry_interval;
  web_.serve(kEnforce);
  EXPECT_EQ(id_of(lookup()), "two");
  EXPECT_EQ(web_.requests, 4);
}

TEST_F(PolicyCacheTest, DailyRefreshUnderTheSameId) {
  limits_.refresh_interval = 3600s;
  web_.serve(kEnforce);
  EXPECT_EQ(id_of(lookup()), "one");
  now_ += 3599s;
  EXPECT_EQ(id_of(lookup()), "one");
  EXPECT_EQ(web_.requests, 1);
  now_ += 1s;
  web_.serve("version: STSv1\nmode: enforce\nmx: new.example.org\nmax_age: 86400\n");
  auto r = lookup();
  ASSERT_TRUE(r && *r);
  EXPECT_EQ((*r)->mx, std::vector<std::string>{"new.example.org"});
  EXPECT_EQ(web_.requests, 2);
  EXPECT_TRUE(postamt::testing::read_file(file()).starts_with(
      "postamt-mta-sts 1\nid: one\nfetched: 1765003600\n"));
}

TEST_F(PolicyCacheTest, NoPolicyWithoutAUsableTxtRecord) {
  web_.serve(kEnforce);
  clear_dns();
  EXPECT_EQ(id_of(lookup()), "none");  // NXDOMAIN
  dns().add_txt("_mta-sts.example.org", "v=spf1 -all");
  EXPECT_EQ(id_of(lookup()), "none");  // other records only
  dns().add_txt("_mta-sts.example.org", "v=STSv1; id=a");
  dns().add_txt("_mta-sts.example.org", "v=STSv1; id=b");
  EXPECT_EQ(id_of(lookup()), "none");  // RFC 8461 §3.1: not exactly one
  set_txt("v=STSv1; id=no-good");
  EXPECT_EQ(id_of(lookup()), "none");  // does not parse
  dns().fail("_mta-sts.example.org", ErrorKind::temporary, "SERVFAIL");
  EXPECT_EQ(id_of(lookup()), "none");
  EXPECT_EQ(web_.requests, 0);
  EXPECT_FALSE(std::filesystem::exists(file()));
  // A record beside others of other kinds is used.
  set_txt("v=STSv1 ; id=one");
  dns().add_txt("_mta-sts.example.org", "something else");
  EXPECT_EQ(id_of(lookup()), "one");
}

TEST_F(PolicyCacheTest, DnsFailureKeepsTheCachedPolicy) {
  web_.serve(kEnforce);
  EXPECT_EQ(id_of(lookup()), "one");
  dns().fail("_mta-sts.example.org", ErrorKind::temporary, "SERVFAIL");
  EXPECT_EQ(id_of(lookup()), "one");
  EXPECT_EQ(web_.requests, 1);
}

TEST_F(PolicyCacheTest, UnusableAnswersAreNoPolicy) {
  // RFC 8461 §3.3: a TXT record but no policy and none cached: deliver as without. Each
  // failure has its RFC 8460 §4.3.2.2 result type for TLS-RPT.
  using Failure = PolicyCache::FetchFailure;
  auto failure_after = [&](std::string type, std::string detail) {
    now_ += limits_.retry_interval;
    EXPECT_EQ(id_of(lookup()), "none");
    EXPECT_EQ(cache_->last_failure("example.org"), (Failure{std::move(type), std::move(detail)}));
  };
  const std::string url(kUrl);
  web_.serve(kEnforce, "text/html");
  failure_after("sts-policy-fetch-error", url + ": media type \"text/html\" is not text/plain");
  web_.serve(kEnforce, "");
  failure_after("sts-policy-fetch-error", url + ": media type \"\" is not text/plain");
  web_.serve(kEnforce, "text/plain", 404);
  failure_after("sts-policy-fetch-error", url + ": HTTP status 404");
  web_.serve(kEnforce, "text/plain", 301);  // a redirect is not followed
  failure_after("sts-policy-fetch-error", url + ": HTTP status 301");
  web_.serve("version: STSv1\nmode: strict\n");
  failure_after("sts-policy-invalid",
                url + ": policy line 2: mode \"strict\" is not enforce, testing or none");
  web_.fail(ErrorKind::permission, "certificate verification failed: certificate has expired");
  failure_after("sts-webpki-invalid",
                "fetching " + url + ": certificate verification failed: certificate has expired");
  web_.fail(ErrorKind::timeout, "timed out");
  failure_after("sts-policy-fetch-error", "fetching " + url + ": timed out");
  EXPECT_EQ(web_.requests, 7);
  EXPECT_FALSE(std::filesystem::exists(file()));
  // Forgotten after the retry interval, and at once by a fetch that works.
  now_ += limits_.retry_interval;
  EXPECT_EQ(cache_->last_failure("example.org"), std::nullopt);
  web_.serve(kEnforce);
  EXPECT_EQ(id_of(lookup()), "one");
  EXPECT_EQ(cache_->last_failure("Example.org"), std::nullopt);
}

TEST_F(PolicyCacheTest, PolicyTooLarge) {
  limits_.max_policy_bytes = kEnforce.size() - 1;
  web_.serve(kEnforce);
  EXPECT_EQ(id_of(lookup()), "none");
  limits_.max_policy_bytes = kEnforce.size();
  cache_ = make_cache();
  EXPECT_EQ(id_of(lookup()), "one");
}

TEST_F(PolicyCacheTest, ModeNoneReplacesAnEnforcedPolicy) {
  web_.serve(kEnforce);
  EXPECT_EQ(id_of(lookup()), "one");
  set_txt("v=STSv1; id=two");
  web_.serve("version: STSv1\nmode: none\nmax_age: 86400\n");
  auto r = lookup();
  ASSERT_TRUE(r && *r);
  EXPECT_EQ((*r)->mode, Mode::none);
  EXPECT_TRUE((*r)->mx.empty());
  EXPECT_EQ((*r)->id, "two");
  clear_dns();  // RFC 8461 §8.3: the record may go once the none policy is cached
  r = lookup();
  ASSERT_TRUE(r && *r);
  EXPECT_EQ((*r)->mode, Mode::none);
}

TEST_F(PolicyCacheTest, DamagedCacheFileIsFetchedAgain) {
  std::filesystem::create_directories(file().parent_path());
  postamt::testing::write_file(file(), "postamt-mta-sts 1\nid: one\nfetched: 17");
  web_.serve(kEnforce);
  EXPECT_EQ(id_of(lookup()), "one");
  EXPECT_EQ(web_.requests, 1);
  EXPECT_TRUE(postamt::testing::read_file(file()).ends_with(kEnforce));
}

TEST_F(PolicyCacheTest, BlockingStepsOnTheRuntimesPool) {
  web_.serve(kEnforce);
  net::Runtime runtime{net::RuntimeOptions{}};
  runtime.start();
  FakeWeb* web = &web_;
  TimePoint* now = &now_;
  PolicyCache cache(
      dir_.root() / "mta-sts", switch_,
      [web](std::string url) { return fake_fetch(web, std::move(url)); }, [now] { return *now; },
      limits_, &runtime);
  auto first = net::testing::block_on(runtime, cache.lookup("example.org"));
  auto second = net::testing::block_on(runtime, cache.lookup("example.org"));
  runtime.stop();
  runtime.join();
  EXPECT_EQ(id_of(std::move(first)), "one");
  EXPECT_EQ(id_of(std::move(second)), "one");
  EXPECT_EQ(web_.requests, 1);
  EXPECT_TRUE(std::filesystem::exists(file()));
}

TEST_F(PolicyCacheTest, BadDomain) {
  auto r = lookup("../etc");
  ASSERT_FALSE(r);
  EXPECT_EQ(r.error().kind, ErrorKind::invalid);
  EXPECT_EQ(r.error().message, "../etc is not an ASCII host name");
  EXPECT_EQ(dns().lookups(), 0);
}

}  // namespace
}  // namespace postamt::queue::mta_sts
