// A file descriptor owned by one object and closed when that object goes out of scope.
// Not copyable. close() reports close(2)'s result, for files that were written: a failed
// close may be a failed write.
#pragma once

#include <unistd.h>

#include <utility>

namespace postamt {

class UniqueFd {
 public:
  explicit UniqueFd(int fd) : fd_(fd) {}
  ~UniqueFd() {
    if (fd_ >= 0) ::close(fd_);
  }
  UniqueFd(const UniqueFd&) = delete;
  UniqueFd& operator=(const UniqueFd&) = delete;
  int get() const { return fd_; }
  // Closes now; 0 or -1 with errno, as close(2). The destructor then does nothing.
  int close() { return ::close(std::exchange(fd_, -1)); }

 private:
  int fd_ = -1;
};

}  // namespace postamt
