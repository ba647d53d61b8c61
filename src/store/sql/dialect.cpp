#include "store/sql/dialect.h"

namespace postamt::store::sql {

std::string translate(const Dialect& dialect, std::string_view sql) {
  std::string out;
  out.reserve(sql.size() + 16);
  int parameter = 0;
  bool quoted = false;
  for (size_t i = 0; i < sql.size(); ++i) {
    char c = sql[i];
    if (c == '\'') quoted = !quoted;
    if (quoted) {
      out.push_back(c);
      continue;
    }
    if (c == '?') {
      out += dialect.placeholder(++parameter);
      continue;
    }
    if (c == '{') {
      size_t end = sql.find('}', i);
      if (end != std::string_view::npos) {
        std::string_view token = sql.substr(i + 1, end - i - 1);
        bool known = true;
        if (token == "ID") {
          out += dialect.auto_id_column();
        } else if (token == "BIGINT") {
          out += dialect.big_int_type();
        } else if (token == "BLOB") {
          out += dialect.blob_type();
        } else if (token == "IGNORE") {
          out += dialect.on_conflict_ignore();
        } else if (token == "NOW") {
          out += dialect.now_seconds();
        } else if (token == "SKIP_LOCKED") {
          out += dialect.skip_locked();
        } else if (token.substr(0, 10) == "RETURNING ") {
          out += dialect.returning(token.substr(10));
        } else {
          known = false;
        }
        if (known) {
          i = end;
          continue;
        }
      }
    }
    out.push_back(c);
  }
  return out;
}

}  // namespace postamt::store::sql
