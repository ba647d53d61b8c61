// [storage] and the cluster settings (docs/configuration.md, docs/cluster.md).
#include <gtest/gtest.h>

#include "base/config.h"

namespace postamt {
namespace {

using namespace std::chrono_literals;

Result<Config> parse(std::string_view text) {
  return parse_config(text, "/etc/postamt/postamt.toml");
}

std::string error_of(std::string_view text) {
  auto r = parse(text);
  return r ? "OK" : r.error().message;
}

TEST(ConfigStorage, DefaultsAreSqliteWithFiles) {
  auto cfg = parse("");
  ASSERT_TRUE(cfg) << cfg.error().message;
  EXPECT_EQ(cfg->storage.backend, "sqlite");
  EXPECT_EQ(cfg->storage.blobs, "files");
  EXPECT_EQ(cfg->storage.url, "");
  EXPECT_EQ(cfg->storage.pool_size, 8u);
  EXPECT_EQ(cfg->storage.statement_timeout, 30s);
  EXPECT_EQ(cfg->storage.connect_timeout, 10s);
  EXPECT_EQ(cfg->storage.lease, 30s);
  EXPECT_EQ(cfg->outbound.claim_lease, 120s);
}

TEST(ConfigStorage, PostgresKeepsBlobsInTheDatabaseByDefault) {
  auto cfg = parse(R"([storage]
backend = "postgres"
url = "host=/run/postgresql dbname=postamt"
password_file = "secrets/db"
pool_size = 4
statement_timeout = "5s"
connect_timeout = "3s"
lease = "10s"
[outbound]
claim_lease = "1m"
)");
  ASSERT_TRUE(cfg) << cfg.error().message;
  EXPECT_EQ(cfg->storage.backend, "postgres");
  EXPECT_EQ(cfg->storage.blobs, "postgres");
  EXPECT_EQ(cfg->storage.url, "host=/run/postgresql dbname=postamt");
  EXPECT_EQ(cfg->storage.password_file, "/etc/postamt/secrets/db");
  EXPECT_EQ(cfg->storage.pool_size, 4u);
  EXPECT_EQ(cfg->storage.statement_timeout, 5s);
  EXPECT_EQ(cfg->storage.connect_timeout, 3s);
  EXPECT_EQ(cfg->storage.lease, 10s);
  EXPECT_EQ(cfg->outbound.claim_lease, 60s);
}

TEST(ConfigStorage, PostgresMayKeepBlobsInFiles) {
  auto cfg = parse("[storage]\nbackend = \"postgres\"\nurl = \"dbname=m\"\nblobs = \"files\"\n");
  ASSERT_TRUE(cfg) << cfg.error().message;
  EXPECT_EQ(cfg->storage.blobs, "files");
}

TEST(ConfigStorage, MistakesAreNamed) {
  EXPECT_EQ(error_of("[storage]\nbackend = \"postgres\"\n"),
            "/etc/postamt/postamt.toml:2: storage.url: is required with backend \"postgres\"");
  EXPECT_EQ(error_of("[storage]\nurl = \"dbname=m\"\n"),
            "/etc/postamt/postamt.toml:2: storage.url: needs backend \"postgres\"");
  EXPECT_EQ(error_of("[storage]\npassword_file = \"p\"\n"),
            "/etc/postamt/postamt.toml:2: storage.password_file: needs backend \"postgres\"");
  EXPECT_EQ(error_of("[storage]\nblobs = \"postgres\"\n"),
            "/etc/postamt/postamt.toml:2: storage.blobs: needs backend \"postgres\"");
  EXPECT_EQ(error_of("[storage]\nblobs = \"s3\"\n"),
            "/etc/postamt/postamt.toml:2: storage.blobs: \"s3\" is not one of \"files\", "
            "\"postgres\"");
  EXPECT_EQ(error_of("[storage]\npool_size = 0\n"),
            "/etc/postamt/postamt.toml:2: storage.pool_size: 0 is out of range 1-256");
  EXPECT_EQ(error_of("[storage]\npool_size = 257\n"),
            "/etc/postamt/postamt.toml:2: storage.pool_size: 257 is out of range 1-256");
  EXPECT_EQ(error_of("[storage]\nlease = \"2s\"\n"),
            "/etc/postamt/postamt.toml:2: storage.lease: must be at least 3s");
  EXPECT_EQ(error_of("[outbound]\nclaim_lease = \"4s\"\n"),
            "/etc/postamt/postamt.toml:2: outbound.claim_lease: must be at least 5s");
}

}  // namespace
}  // namespace postamt
