#include "blob/file_system.h"

#include <dirent.h>
#include <fcntl.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>

#include "metrics/catalog.h"

namespace postamt::blob {

namespace {

ErrorKind kind_of(int err) {
  if (err == ENOENT) return ErrorKind::not_found;
  if (err == EEXIST) return ErrorKind::exists;
  if (err == ENOSPC || err == EDQUOT) return ErrorKind::no_space;
  return ErrorKind::io;
}

Error os_error(std::string_view what, const std::string& path, int err) {
  return Error{kind_of(err), std::string(what) + " " + path + ": " + std::strerror(err)};
}

class PosixFileSystem final : public FileSystem {
 public:
  Result<int> create_file(const std::string& path) override {
    int fd = ::open(path.c_str(), O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0600);
    if (fd < 0) return os_error("cannot create", path, errno);
    return fd;
  }

  Result<void> write_all(int fd, std::string_view bytes) override {
    while (!bytes.empty()) {
      ssize_t n = ::write(fd, bytes.data(), bytes.size());
      if (n < 0) {
        if (errno == EINTR) continue;
        return Error{kind_of(errno), std::string("write failed: ") + std::strerror(errno)};
      }
      bytes.remove_prefix(static_cast<size_t>(n));
    }
    return {};
  }

  Result<void> sync_file(int fd) override {
    // A failed fsync leaves the page cache state unknown; report it, never retry it
    // (docs/architecture.md, Durability).
    const metrics::Stopwatch watch;
    const int rc = ::fsync(fd);
    const int err = errno;
    metrics::catalog().fsyncs.with({"file"}).observe(watch.seconds());
    if (rc != 0) return Error{kind_of(err), std::string("fsync failed: ") + std::strerror(err)};
    return {};
  }

  Result<void> close_file(int fd) override {
    if (::close(fd) != 0 && errno != EINTR) {
      return Error{ErrorKind::io, std::string("close failed: ") + std::strerror(errno)};
    }
    return {};
  }

  Result<void> rename(const std::string& from, const std::string& to) override {
    if (::rename(from.c_str(), to.c_str()) != 0) return os_error("cannot rename", from, errno);
    return {};
  }

  Result<void> sync_directory(const std::string& path) override {
    int fd = ::open(path.c_str(), O_RDONLY | O_DIRECTORY | O_CLOEXEC);
    if (fd < 0) return os_error("cannot open directory", path, errno);
    const metrics::Stopwatch watch;
    int rc = ::fsync(fd);
    int err = errno;
    metrics::catalog().fsyncs.with({"directory"}).observe(watch.seconds());
    ::close(fd);
    if (rc != 0)
      return Error{ErrorKind::io, "fsync of directory " + path + " failed: " + std::strerror(err)};
    return {};
  }

  Result<DirectoryCreation> make_directory(const std::string& path) override {
    if (::mkdir(path.c_str(), 0700) == 0) return DirectoryCreation::created;
    if (errno == EEXIST) return DirectoryCreation::existed;
    return os_error("cannot create directory", path, errno);
  }

  Result<void> remove_file(const std::string& path) override {
    if (::unlink(path.c_str()) != 0) return os_error("cannot remove", path, errno);
    return {};
  }

  Result<FileStatus> status(const std::string& path) override {
    struct stat st;
    if (::stat(path.c_str(), &st) != 0) return os_error("cannot stat", path, errno);
    FileStatus s;
    s.size = static_cast<uint64_t>(st.st_size);
    s.modified = std::chrono::system_clock::time_point(
        std::chrono::duration_cast<std::chrono::system_clock::duration>(
            std::chrono::seconds(st.st_mtim.tv_sec) +
            std::chrono::nanoseconds(st.st_mtim.tv_nsec)));
    return s;
  }

  Result<void> touch(const std::string& path) override {
    if (::utimensat(AT_FDCWD, path.c_str(), nullptr, 0) != 0) {
      return os_error("cannot touch", path, errno);
    }
    return {};
  }

  Result<BlobView> map_file(const std::string& path) override {
    // No link is followed and no FIFO or device blocks the caller (file_system.h).
    int fd = ::open(path.c_str(), O_RDONLY | O_CLOEXEC | O_NOFOLLOW | O_NONBLOCK);
    if (fd < 0) return os_error("cannot open", path, errno);
    struct stat st;
    if (::fstat(fd, &st) != 0) {
      int err = errno;
      ::close(fd);
      return os_error("cannot stat", path, err);
    }
    if (!S_ISREG(st.st_mode)) {
      ::close(fd);
      return Error{ErrorKind::invalid, "not a regular file: " + path};
    }
    auto size = static_cast<size_t>(st.st_size);
    // mmap(2) rejects length 0; an empty blob needs no backing.
    if (size == 0) {
      ::close(fd);
      return BlobView();
    }
    // Small blobs are read into memory: unmapping a file in a process with several
    // threads costs a TLB shootdown on every core, which profiling showed to be the
    // largest single cost of IMAP FETCH and SEARCH under load (bench/RESULTS.md).
    if (size <= kReadInsteadOfMap) {
      auto buffer = std::shared_ptr<char[]>(new char[size]);
      size_t done = 0;
      while (done < size) {
        ssize_t n = ::pread(fd, buffer.get() + done, size - done, static_cast<off_t>(done));
        if (n < 0 && errno == EINTR) continue;
        if (n <= 0) {
          int err = n < 0 ? errno : EIO;
          ::close(fd);
          return os_error("cannot read", path, err);
        }
        done += static_cast<size_t>(n);
      }
      ::close(fd);
      std::string_view bytes(buffer.get(), size);
      std::shared_ptr<const void> owner(std::move(buffer));
      return BlobView(std::move(owner), bytes);
    }
    void* p = ::mmap(nullptr, size, PROT_READ, MAP_PRIVATE, fd, 0);
    int err = errno;
    ::close(fd);
    if (p == MAP_FAILED) return os_error("cannot map", path, err);
    std::shared_ptr<const void> owner(
        p, [size](const void* q) { ::munmap(const_cast<void*>(q), size); });
    return BlobView(std::move(owner), std::string_view(static_cast<const char*>(p), size));
  }

  Result<std::vector<std::string>> list_directory(const std::string& path) override {
    DIR* dir = ::opendir(path.c_str());
    if (!dir) return os_error("cannot list", path, errno);
    std::vector<std::string> names;
    errno = 0;
    while (dirent* e = ::readdir(dir)) {
      std::string_view name = e->d_name;
      if (name != "." && name != "..") names.emplace_back(name);
    }
    int err = errno;
    ::closedir(dir);
    if (err != 0) return os_error("cannot list", path, err);
    return names;
  }
};

}  // namespace

FileSystem& posix_file_system() {
  static PosixFileSystem fs;
  return fs;
}

}  // namespace postamt::blob
