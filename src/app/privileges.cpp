#include "app/privileges.h"

#include <dirent.h>
#include <fcntl.h>
#include <fmt/format.h>
#include <grp.h>
#include <linux/capability.h>
#include <sys/prctl.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <cstring>
#include <filesystem>
#include <vector>

#include "app/services.h"
#include "base/unique_fd.h"

namespace postamt::app {
namespace {

// Folders nested deeper than this below data_dir are not walked (Postamt's own tree is
// three levels deep; this only bounds the recursion).
constexpr int kMaxTakeOverDepth = 64;

std::string errno_text(int error) {
  return std::strerror(error);
}

Error failed(std::string_view what, int error) {
  return Error{ErrorKind::io, fmt::format("{}: {}", what, errno_text(error))};
}

using Fd = UniqueFd;  // base/unique_fd.h

// The entries of the folder open as `dir_fd`, without "." and "..".
std::vector<std::string> entries_of(int dir_fd) {
  std::vector<std::string> names;
  int copy = ::dup(dir_fd);
  if (copy < 0) return names;
  DIR* d = ::fdopendir(copy);
  if (!d) {
    ::close(copy);
    return names;
  }
  while (dirent* e = ::readdir(d)) {
    std::string_view name = e->d_name;
    if (name != "." && name != "..") names.emplace_back(name);
  }
  ::closedir(d);
  return names;
}

void take_over_below(int dir_fd, uid_t uid, gid_t gid, int depth, TakeOver& report) {
  for (const std::string& name : entries_of(dir_fd)) {
    struct stat st {};
    if (::fstatat(dir_fd, name.c_str(), &st, AT_SYMLINK_NOFOLLOW) != 0) {
      ++report.skipped;
      continue;
    }
    if (S_ISDIR(st.st_mode)) {
      Fd sub(::openat(dir_fd, name.c_str(), O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC));
      if (sub.get() < 0 || ::fstat(sub.get(), &st) != 0 || !S_ISDIR(st.st_mode)) {
        ++report.skipped;
        continue;
      }
      if (st.st_uid != uid) {
        if (::fchown(sub.get(), uid, gid) == 0)
          ++report.changed;
        else
          ++report.skipped;
      }
      if (depth < kMaxTakeOverDepth)
        take_over_below(sub.get(), uid, gid, depth + 1, report);
      else
        ++report.skipped;
    } else if (S_ISLNK(st.st_mode)) {
      // The link itself; what it points to stays as it is.
      if (st.st_uid != uid) {
        if (::fchownat(dir_fd, name.c_str(), uid, gid, AT_SYMLINK_NOFOLLOW) == 0)
          ++report.changed;
        else
          ++report.skipped;
      }
    } else if (S_ISREG(st.st_mode)) {
      if (st.st_uid == uid) continue;
      // Through a descriptor of exactly this inode: a name swapped for a link since the
      // fstatat is not followed, and a second hard link (to a file outside data_dir)
      // shows in st_nlink.
      Fd file(::openat(dir_fd, name.c_str(),
                       O_RDONLY | O_NOFOLLOW | O_NONBLOCK | O_NOCTTY | O_CLOEXEC));
      if (file.get() < 0 || ::fstat(file.get(), &st) != 0 || !S_ISREG(st.st_mode) ||
          st.st_nlink != 1 || ::fchown(file.get(), uid, gid) != 0) {
        ++report.skipped;
        continue;
      }
      ++report.changed;
    } else if (st.st_uid != uid) {
      ++report.skipped;  // sockets, pipes, devices: nothing Postamt makes
    }
  }
}

// True when data_dir or one of its direct entries belongs to someone other than `uid`:
// a start after [process] user was set, or after something ran as root. A full walk
// of a large data_dir costs seconds, so it is done only then.
bool needs_take_over(const std::string& dir, uid_t uid) {
  struct stat st {};
  if (::stat(dir.c_str(), &st) != 0 || st.st_uid != uid) return true;
  Fd fd(::open(dir.c_str(), O_RDONLY | O_DIRECTORY | O_CLOEXEC));
  if (fd.get() < 0) return true;
  for (const std::string& name : entries_of(fd.get())) {
    if (::fstatat(fd.get(), name.c_str(), &st, AT_SYMLINK_NOFOLLOW) == 0 && st.st_uid != uid)
      return true;
  }
  return false;
}

// The folders above data_dir, on the configured path and on the path its links lead to,
// must be root's and writable only by root (or sticky, like /tmp, where nobody may move
// another's entry), and a link on the way must be root's: whoever could rename an entry
// there could swap data_dir for a link to /etc just before a start as root, and the
// take-over would give /etc away. Returns data_dir with every link resolved.
Result<std::filesystem::path> check_folders_above(const std::filesystem::path& dir) {
  std::error_code ec;
  std::filesystem::path real = std::filesystem::canonical(dir, ec);
  if (ec) return Error{ErrorKind::io, fmt::format("data_dir {}: {}", dir.string(), ec.message())};
  struct stat st {};
  if (::lstat(dir.c_str(), &st) == 0 && S_ISLNK(st.st_mode) && st.st_uid != 0)
    return Error{ErrorKind::invalid,
                 fmt::format("data_dir {} is a link that belongs to uid {}, not root; Postamt "
                             "started as root gives data_dir to [process] user only on a path "
                             "that root alone controls",
                             dir.string(), st.st_uid)};
  for (const std::filesystem::path& path : {dir.lexically_normal(), real}) {
    for (std::filesystem::path up = path.parent_path();; up = up.parent_path()) {
      if (::lstat(up.c_str(), &st) != 0)
        return failed(fmt::format("data_dir: {}", up.string()), errno);
      const bool others_may_write =
          !S_ISLNK(st.st_mode) && (st.st_mode & (S_IWGRP | S_IWOTH)) && !(st.st_mode & S_ISVTX);
      if (st.st_uid != 0 || others_may_write)
        return Error{ErrorKind::invalid,
                     fmt::format("data_dir {}: {} {}; Postamt started as root gives data_dir to "
                                 "[process] user only on a path that root alone controls",
                                 dir.string(), up.string(),
                                 st.st_uid != 0 ? fmt::format("belongs to uid {}", st.st_uid)
                                                : std::string("may be written by others"))};
      if (up == up.parent_path()) break;  // "/"
    }
  }
  return real;
}

Result<void> drop_capabilities() {
  // Ambient capabilities (AmbientCapabilities= in a unit) would survive into the
  // permitted set otherwise; EINVAL means a kernel without them (before 4.3).
  if (::prctl(PR_CAP_AMBIENT, PR_CAP_AMBIENT_CLEAR_ALL, 0, 0, 0) != 0 && errno != EINVAL)
    return failed("prctl(PR_CAP_AMBIENT_CLEAR_ALL)", errno);
  __user_cap_header_struct header{};
  header.version = _LINUX_CAPABILITY_VERSION_3;
  header.pid = 0;
  __user_cap_data_struct data[_LINUX_CAPABILITY_U32S_3] = {};
  if (::syscall(SYS_capset, &header, data) != 0) return failed("capset (clearing all)", errno);
  return {};
}

Result<void> switch_to(const Config::Process& p) {
  if (::initgroups(p.user.c_str(), p.gid) != 0)
    return failed(fmt::format("initgroups({}, {})", p.user, p.gid), errno);
  if (::setgid(p.gid) != 0) return failed(fmt::format("setgid({})", p.gid), errno);
  if (::setuid(p.uid) != 0) return failed(fmt::format("setuid({})", p.uid), errno);
  // Trust nothing: every id must have changed, and the way back must be closed.
  uid_t ruid, euid, suid;
  gid_t rgid, egid, sgid;
  if (::getresuid(&ruid, &euid, &suid) != 0 || ::getresgid(&rgid, &egid, &sgid) != 0)
    return failed("getresuid", errno);
  if (ruid != p.uid || euid != p.uid || suid != p.uid || rgid != p.gid || egid != p.gid ||
      sgid != p.gid)
    return Error{ErrorKind::io,
                 fmt::format("switching to {}:{} left uids {}/{}/{} and gids {}/{}/{}", p.user,
                             p.group, ruid, euid, suid, rgid, egid, sgid)};
  int n = ::getgroups(0, nullptr);
  std::vector<gid_t> groups(static_cast<size_t>(std::max(n, 0)));
  if (n < 0 || ::getgroups(n, groups.data()) != n) return failed("getgroups", errno);
  for (gid_t g : groups)
    if (g == 0)
      return Error{ErrorKind::invalid,
                   fmt::format("user {} is a member of the root group; Postamt never handles "
                               "mail with root's group",
                               p.user)};
  if (::setuid(0) == 0 || ::seteuid(0) == 0)
    return Error{ErrorKind::io,
                 fmt::format("still able to become root after switching to {}", p.user)};
  return {};
}

}  // namespace

Result<std::string> check_serve_identity(const Config& config, uid_t euid) {
  if (euid != 0 || !config.process.user.empty()) return std::string();
  for (const auto& s : config.services()) {
    if (!find_service_engine(s.name)) continue;  // not bound (config_warnings says so)
    for (const auto& a : s.addresses) {
      if (a.port != 0 && a.port < 1024)
        return Error{ErrorKind::invalid,
                     fmt::format("refusing to run as root: listen.{} binds {}, a privileged "
                                 "port, so this is a real server, and a mail server never "
                                 "handles mail as root; set [process] user (e.g. \"postamt\") "
                                 "in {} and Postamt drops to it after binding",
                                 s.name, a.text, config.file.string())};
    }
  }
  return fmt::format(
      "running as root without [process] user: every session handles mail as root; set "
      "[process] user in {} (docs/process.md)",
      config.file.string());
}

Result<TakeOver> take_over_data_dir(const std::string& dir, uid_t uid, gid_t gid) {
  TakeOver report;
  Fd fd(::open(dir.c_str(), O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC));
  struct stat st {};
  if (fd.get() < 0 || ::fstat(fd.get(), &st) != 0)
    return failed(fmt::format("data_dir {}", dir), errno);
  if (st.st_uid != uid) {
    if (::fchown(fd.get(), uid, gid) != 0)
      return failed(fmt::format("data_dir {}: cannot give it to uid {}", dir, uid), errno);
    ++report.changed;
  }
  take_over_below(fd.get(), uid, gid, 1, report);
  return report;
}

Result<std::string> prepare_data_dir(const Config& config) {
  const Config::Process& p = config.process;
  if (p.user.empty() || ::geteuid() != 0) return std::string();
  std::string note;
  const std::string dir = config.data_dir.string();
  std::error_code ec;
  if (!std::filesystem::exists(config.data_dir, ec)) {
    std::filesystem::create_directories(config.data_dir, ec);
    if (ec)
      return Error{ErrorKind::io, fmt::format("cannot create data_dir {}: {}", dir, ec.message())};
    if (::chmod(dir.c_str(), 0700) != 0) return failed(fmt::format("data_dir {}", dir), errno);
  }
  auto real = check_folders_above(config.data_dir);
  POSTAMT_TRY(real);
  if (needs_take_over(real->string(), p.uid)) {
    auto report = take_over_data_dir(real->string(), p.uid, p.gid);
    POSTAMT_TRY(report);
    note = fmt::format("; gave {} entries of {} to {}", report->changed, dir, p.user);
    if (report->skipped)
      note += fmt::format(" ({} left alone: hard links, special files or unreadable entries)",
                          report->skipped);
  }
  return note;
}

Result<std::string> become_process_user(const Config& config, ProcessRole role) {
  const Config::Process& p = config.process;
  uid_t ruid, euid, suid;
  gid_t rgid, egid, sgid;
  if (::getresuid(&ruid, &euid, &suid) != 0 || ::getresgid(&rgid, &egid, &sgid) != 0)
    return failed("getresuid", errno);
  const bool root = ruid == 0 || euid == 0;
  if (p.user.empty()) {
    // Not root, e.g. a unit's User= with AmbientCapabilities=CAP_NET_BIND_SERVICE: the
    // listeners are bound, so the server needs no capability any more. (Root without a
    // user keeps root's powers: check_serve_identity warned about it.)
    if (role == ProcessRole::server && !root) {
      POSTAMT_TRY(drop_capabilities());
      if (::prctl(PR_SET_NO_NEW_PRIVS, 1, 0, 0, 0) != 0)
        return failed("prctl(PR_SET_NO_NEW_PRIVS)", errno);
    }
    return std::string();
  }
  std::string note;
  if (root) {
    auto prepared = prepare_data_dir(config);
    POSTAMT_TRY(prepared);
    note = *prepared;
    POSTAMT_TRY(switch_to(p));
  } else if (ruid != p.uid || euid != p.uid || rgid != p.gid || egid != p.gid) {
    return Error{
        ErrorKind::invalid,
        fmt::format("{}: [process] user is {}:{} (uid {}, gid {}), but Postamt runs as "
                    "uid {}, gid {}, and only root can switch; run it as {} or as root",
                    config.file.string(), p.user, p.group, p.uid, p.gid, euid, egid, p.user)};
  }
  if (role == ProcessRole::server) POSTAMT_TRY(drop_capabilities());
  // execve can never grant more than the process has now (setuid binaries, file
  // capabilities); inherited by every thread created after this.
  if (::prctl(PR_SET_NO_NEW_PRIVS, 1, 0, 0, 0) != 0)
    return failed("prctl(PR_SET_NO_NEW_PRIVS)", errno);
  return fmt::format("running as {} (uid {}), group {} (gid {}){}", p.user, p.uid, p.group, p.gid,
                     note);
}

Result<bool> read_as_process_user(const Config& config, const std::function<Result<bool>()>& read) {
  if (::geteuid() != 0 || config.process.user.empty()) return read();
  const uid_t uid = config.process.uid;
  const gid_t gid = config.process.gid;
  std::vector<gid_t> groups(static_cast<size_t>(std::max(::getgroups(0, nullptr), 0)));
  if (::getgroups(static_cast<int>(groups.size()), groups.data()) < 0)
    return failed("getgroups", errno);
  // Groups and group first, while the effective uid is still 0 (only root may set them).
  if (::setgroups(1, &gid) != 0) return failed("setgroups", errno);
  if (::setresgid(static_cast<gid_t>(-1), gid, static_cast<gid_t>(-1)) != 0)
    return failed("setresgid", errno);
  if (::setresuid(static_cast<uid_t>(-1), uid, static_cast<uid_t>(-1)) != 0)
    return failed("setresuid", errno);
  auto result = read();
  // Back to root through the saved uid, then the group and groups as they were.
  if (::setresuid(static_cast<uid_t>(-1), 0, static_cast<uid_t>(-1)) != 0 ||
      ::setresgid(static_cast<gid_t>(-1), 0, static_cast<gid_t>(-1)) != 0 ||
      ::setgroups(groups.size(), groups.data()) != 0)
    return failed("returning to root after reading as the process user", errno);
  return result;
}

}  // namespace postamt::app
