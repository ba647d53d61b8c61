// The webmail's built files (web/, built by Vite), embedded in the binary at build time
// (scripts/embed-web.py writes the table from the build output), so that Postamt stays
// one file to deploy and never reads them from disk at run time.
#pragma once

#include <span>
#include <string_view>

namespace postamt::webmail {

struct Asset {
  std::string_view path;          // "/index.html", "/assets/index-3f9a1c.js"
  std::string_view content_type;  // "text/javascript; charset=utf-8"
  std::string_view etag;          // quoted strong validator from the content's hash
  bool immutable;                 // a hashed name under /assets/: cached for a year
  std::string_view body;
  std::string_view gzip;  // the same bytes gzip-coded; empty when that is not smaller
};

// Every embedded file, sorted by path.
std::span<const Asset> assets();

// The file at `path`, nullptr when there is none.
const Asset* find_asset(std::string_view path);

}  // namespace postamt::webmail
