#include "metrics/process.h"

#include <dirent.h>
#include <sys/resource.h>
#include <unistd.h>

#include <fstream>

namespace postamt::metrics {

std::optional<ProcessStats> read_process_stats() {
  ProcessStats s;
  std::ifstream statm("/proc/self/statm");
  uint64_t size_pages = 0, resident_pages = 0;
  if (!(statm >> size_pages >> resident_pages)) return std::nullopt;
  const long page = ::sysconf(_SC_PAGESIZE);
  s.virtual_bytes = size_pages * static_cast<uint64_t>(page);
  s.resident_bytes = resident_pages * static_cast<uint64_t>(page);
  DIR* dir = ::opendir("/proc/self/fd");
  if (!dir) return std::nullopt;
  while (const dirent* e = ::readdir(dir)) {
    if (e->d_name[0] != '.') ++s.open_fds;
  }
  ::closedir(dir);
  if (s.open_fds) --s.open_fds;  // the directory stream itself, open while it was read
  rlimit limit{};
  if (::getrlimit(RLIMIT_NOFILE, &limit) == 0 && limit.rlim_cur != RLIM_INFINITY)
    s.max_fds = limit.rlim_cur;
  return s;
}

}  // namespace postamt::metrics
