#include "base/file_lock.h"

#include <fcntl.h>
#include <sys/file.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>

namespace postamt {

FileLock& FileLock::operator=(FileLock&& other) noexcept {
  if (this != &other) {
    if (fd_ >= 0) ::close(fd_);
    fd_ = std::exchange(other.fd_, -1);
  }
  return *this;
}

FileLock::~FileLock() {
  if (fd_ >= 0) ::close(fd_);  // closing the only descriptor releases the flock
}

Result<FileLock> FileLock::acquire(const std::string& path, LockMode mode, LockWait wait) {
  int fd = ::open(path.c_str(), O_RDONLY | O_CLOEXEC);
  if (fd < 0) {
    int err = errno;
    return Error{err == ENOENT ? ErrorKind::not_found : ErrorKind::io,
                 "cannot open " + path + ": " + std::strerror(err)};
  }
  FileLock lock(fd);
  int operation =
      (mode == LockMode::shared ? LOCK_SH : LOCK_EX) | (wait == LockWait::fail ? LOCK_NB : 0);
  while (::flock(fd, operation) != 0) {
    if (errno == EINTR) continue;
    if (errno == EWOULDBLOCK) return Error{ErrorKind::temporary, path + " is locked"};
    return Error{ErrorKind::io, "cannot lock " + path + ": " + std::strerror(errno)};
  }
  return lock;
}

}  // namespace postamt
