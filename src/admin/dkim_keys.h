// `postamt dkim generate DOMAIN [--selector S] [--algorithm rsa|ed25519] [--bits N]` and
// `postamt dkim list`: the DKIM signing keys under data_dir/dkim/<domain>/<selector>.pem
// (docs/mail-authentication/dkim.md). The queue signs with them (src/queue/worker.h);
// `serve` reads them when it starts. Contract as admin.h.
#pragma once

#include <chrono>
#include <string>

#include "admin/admin.h"
#include "base/config.h"

namespace postamt::admin {

struct DkimGenerateRequest {
  std::string domain;             // a local domain (ASCII); case and a final dot ignored
  std::string selector;           // "" = "<algorithm>-<YYYYMMDD>" of today (UTC)
  std::string algorithm = "rsa";  // "rsa" (rsa-sha256) | "ed25519" (ed25519-sha256)
  unsigned bits = 2048;           // RSA only: 1024-4096 (RFC 8301 §3.2)
};

// The default selector: "rsa-20261207" / "ed25519-20261207" for the UTC day of `now`.
std::string default_dkim_selector(std::string_view algorithm,
                                  std::chrono::system_clock::time_point now);

// Creates the key file (mode 0600, its folders 0700, fsynced) and returns what to publish:
// a line naming the file, then the TXT record in zone-file syntax (quoted strings of at
// most 255 characters, RFC 1035 §3.3.14). Errors: not_found (not a local domain), exists
// (a key with that selector), invalid (bad selector, algorithm or bits), io.
Result<std::string> dkim_generate(store::Store& store, const Config& config,
                                  const DkimGenerateRequest& request,
                                  std::chrono::system_clock::time_point now);

// One line per key: "<domain> <selector> <algorithm> <bits> <file>", or a JSON array of
// {domain, selector, algorithm, bits, file, record}. Errors: those of loading the keys (a
// key file others can read is a permission error naming it).
Result<std::string> dkim_list(const Config& config, Format format);

// The TXT record data of a record text, as zone-file quoted strings of at most 255
// characters each: "\"v=DKIM1; k=rsa; p=MIIB...\" \"...\"".
std::string zone_txt_strings(std::string_view text);

}  // namespace postamt::admin
