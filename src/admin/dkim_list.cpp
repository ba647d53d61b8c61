// `postamt dkim list` (dkim_keys.h).
#include <fmt/format.h>

#include <boost/json.hpp>

#include "admin/dkim_keys.h"
#include "mailauth/dkim/key_record.h"
#include "mailauth/dkim/keyring.h"

namespace postamt::admin {

Result<std::string> dkim_list(const Config& config, Format format) {
  auto ring = dkim::KeyRing::load(config.data_dir / "dkim");
  POSTAMT_TRY(ring);
  if (format == Format::json) {
    boost::json::array arr;
    for (const dkim::SigningKey& k : ring->keys()) {
      arr.push_back(boost::json::object{
          {"domain", k.domain},
          {"selector", k.selector},
          {"algorithm", dkim::to_string(k.algorithm)},
          {"bits", k.key.bits()},
          {"file", k.file.string()},
          {"record", dkim::key_record_text(k.algorithm, k.key.public_key_record_bytes())}});
    }
    return boost::json::serialize(arr) + "\n";
  }
  std::string out;
  for (const dkim::SigningKey& k : ring->keys()) {
    out += fmt::format("{} {} {} {} {}\n", k.domain, k.selector, dkim::to_string(k.algorithm),
                       k.key.bits(), k.file.string());
  }
  return out;
}

}  // namespace postamt::admin
