// The store's schema as numbered migrations, in the neutral SQL of
// store/sql/dialect.h (tokens {ID}, {BIGINT}, ...). Applied in order at open by
// store/sql (apply_migrations), each recorded in table schema_version. A migration is
// never edited once released; changes come as a new, higher version.
#pragma once

#include <span>
#include <string_view>

namespace postamt::store {

struct Migration {
  int version;
  std::string_view description;
  std::string_view sql;  // several ';'-separated statements
};

// Ascending by version, starting at 1, without gaps.
std::span<const Migration> migrations();

}  // namespace postamt::store
