#include "admin/backup_files.h"

#include <fcntl.h>
#include <openssl/evp.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <memory>
#include <utility>
#include <vector>

#include "base/unique_fd.h"

namespace postamt::admin {

namespace {

constexpr size_t kCopyBuffer = 1 << 20;

Error os_error(std::string_view what, const std::filesystem::path& path, int err) {
  ErrorKind kind = ErrorKind::io;
  if (err == ENOENT) kind = ErrorKind::not_found;
  if (err == EEXIST) kind = ErrorKind::exists;
  if (err == ENOSPC || err == EDQUOT) kind = ErrorKind::no_space;
  return Error{kind, std::string(what) + " " + path.string() + ": " + std::strerror(err)};
}

using Fd = UniqueFd;  // base/unique_fd.h

class Sha256 {
 public:
  Sha256() : ctx_(EVP_MD_CTX_new(), EVP_MD_CTX_free) {
    if (ctx_) EVP_DigestInit_ex(ctx_.get(), EVP_sha256(), nullptr);
  }
  void update(const char* data, size_t n) { EVP_DigestUpdate(ctx_.get(), data, n); }
  std::string hex() {
    static constexpr char kHex[] = "0123456789abcdef";
    unsigned char digest[EVP_MAX_MD_SIZE];
    unsigned int length = 0;
    EVP_DigestFinal_ex(ctx_.get(), digest, &length);
    std::string out;
    for (unsigned int i = 0; i < length; ++i) {
      out.push_back(kHex[digest[i] >> 4]);
      out.push_back(kHex[digest[i] & 15]);
    }
    return out;
  }
  bool ok() const { return ctx_ != nullptr; }

 private:
  std::unique_ptr<EVP_MD_CTX, void (*)(EVP_MD_CTX*)> ctx_;
};

Result<void> write_all(int fd, const char* data, size_t n, const std::filesystem::path& path) {
  while (n > 0) {
    ssize_t w = ::write(fd, data, n);
    if (w < 0) {
      if (errno == EINTR) continue;
      return os_error("cannot write", path, errno);
    }
    data += w;
    n -= static_cast<size_t>(w);
  }
  return {};
}

Result<int> create_new(const std::filesystem::path& to) {
  int fd = ::open(to.c_str(), O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0600);
  if (fd < 0) return os_error("cannot create", to, errno);
  return fd;
}

Result<void> sync_and_close(Fd& out, const std::filesystem::path& to) {
  if (::fsync(out.get()) != 0) return os_error("cannot fsync", to, errno);
  if (out.close() != 0) return os_error("cannot close", to, errno);
  return {};
}

// Reads `from` to its end, handing each piece to `sink`.
template <class Sink>
Result<FileDigest> read_through(const std::filesystem::path& from, Sink sink) {
  Fd in(::open(from.c_str(), O_RDONLY | O_CLOEXEC));
  if (in.get() < 0) return os_error("cannot open", from, errno);
  Sha256 sha;
  if (!sha.ok()) return Error{ErrorKind::io, "cannot start SHA-256"};
  std::vector<char> buffer(kCopyBuffer);
  FileDigest digest;
  for (;;) {
    ssize_t n = ::read(in.get(), buffer.data(), buffer.size());
    if (n < 0) {
      if (errno == EINTR) continue;
      return os_error("cannot read", from, errno);
    }
    if (n == 0) break;
    sha.update(buffer.data(), static_cast<size_t>(n));
    digest.size += static_cast<uint64_t>(n);
    POSTAMT_TRY(sink(buffer.data(), static_cast<size_t>(n)));
  }
  digest.sha256 = sha.hex();
  return digest;
}

}  // namespace

Result<std::string> read_whole_file(const std::filesystem::path& path) {
  std::string text;
  auto digest = read_through(path, [&](const char* data, size_t n) -> Result<void> {
    text.append(data, n);
    return {};
  });
  POSTAMT_TRY(digest);
  return text;
}

Result<FileDigest> digest_file(const std::filesystem::path& path) {
  return read_through(path, [](const char*, size_t) -> Result<void> { return {}; });
}

Result<FileDigest> copy_file_synced(const std::filesystem::path& from,
                                    const std::filesystem::path& to) {
  // Open the source first: a missing source leaves no empty target behind.
  Fd probe(::open(from.c_str(), O_RDONLY | O_CLOEXEC));
  if (probe.get() < 0) return os_error("cannot open", from, errno);
  auto fd = create_new(to);
  POSTAMT_TRY(fd);
  Fd out(*fd);
  auto digest = read_through(
      from, [&](const char* data, size_t n) { return write_all(out.get(), data, n, to); });
  POSTAMT_TRY(digest);
  POSTAMT_TRY(sync_and_close(out, to));
  return digest;
}

Result<void> write_file_synced(const std::filesystem::path& to, std::string_view bytes) {
  auto fd = create_new(to);
  POSTAMT_TRY(fd);
  Fd out(*fd);
  POSTAMT_TRY(write_all(out.get(), bytes.data(), bytes.size(), to));
  return sync_and_close(out, to);
}

Result<void> sync_directory(const std::filesystem::path& path) {
  Fd dir(::open(path.c_str(), O_RDONLY | O_DIRECTORY | O_CLOEXEC));
  if (dir.get() < 0) return os_error("cannot open", path, errno);
  if (::fsync(dir.get()) != 0) return os_error("cannot fsync", path, errno);
  return {};
}

Result<void> make_private_directory(const std::filesystem::path& path) {
  if (::mkdir(path.c_str(), 0700) == 0) return {};
  int err = errno;
  struct stat st {};
  if (err == EEXIST && ::stat(path.c_str(), &st) == 0 && S_ISDIR(st.st_mode)) return {};
  return os_error("cannot create the folder", path, err);
}

}  // namespace postamt::admin
