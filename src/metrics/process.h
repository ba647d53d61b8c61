// What the kernel says about this process, read from /proc/self (Linux). Used at scrape
// time by the catalog's collector. Blocking (reads files); any thread.
#pragma once

#include <cstdint>
#include <optional>

namespace postamt::metrics {

struct ProcessStats {
  uint64_t resident_bytes = 0;  // /proc/self/statm field 2 * page size
  uint64_t virtual_bytes = 0;   // /proc/self/statm field 1 * page size
  uint64_t open_fds = 0;        // entries of /proc/self/fd
  uint64_t max_fds = 0;         // RLIMIT_NOFILE soft limit
};

// nullopt when /proc/self cannot be read.
std::optional<ProcessStats> read_process_stats();

}  // namespace postamt::metrics
