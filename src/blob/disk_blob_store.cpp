#include "blob/disk_blob_store.h"

#include <openssl/evp.h>
#include <unistd.h>

#include <optional>
#include <random>

#include "blob/removal_lock.h"
#include "metrics/catalog.h"

namespace postamt::blob {

namespace {

BlobRef ref_of_digest(const unsigned char* digest, unsigned int length) {
  static constexpr char kHex[] = "0123456789abcdef";
  std::string hex;
  hex.reserve(length * 2);
  for (unsigned int i = 0; i < length; ++i) {
    hex.push_back(kHex[digest[i] >> 4]);
    hex.push_back(kHex[digest[i] & 15]);
  }
  return *BlobRef::parse(hex);
}

}  // namespace

BlobRef blob_ref_of(std::string_view bytes) {
  unsigned char digest[EVP_MAX_MD_SIZE];
  unsigned int length = 0;
  EVP_Digest(bytes.data(), bytes.size(), digest, &length, EVP_sha256(), nullptr);
  return ref_of_digest(digest, length);
}

Result<std::unique_ptr<DiskBlobStore>> DiskBlobStore::open(const std::string& root,
                                                           FileSystem& fs) {
  auto made = fs.make_directory(root);
  if (!made) return made.error();
  auto tmp = fs.make_directory(root + "/tmp");
  if (!tmp) return tmp.error();
  return std::unique_ptr<DiskBlobStore>(new DiskBlobStore(root, fs));
}

std::string DiskBlobStore::path_of(const BlobRef& ref) const {
  const std::string& h = ref.hex();
  return root_ + "/" + h.substr(0, 2) + "/" + h.substr(2, 2) + "/" + h;
}

std::string DiskBlobStore::temporary_path() {
  static thread_local std::mt19937_64 random{std::random_device{}()};
  uint64_t n;
  {
    std::lock_guard lock(mutex_);
    n = ++counter_;
  }
  return root_ + "/tmp/" + std::to_string(::getpid()) + "." + std::to_string(n) + "." +
         std::to_string(random());
}

Result<void> DiskBlobStore::ensure_directory(const std::string& path, const std::string& parent) {
  {
    std::lock_guard lock(mutex_);
    if (synced_directories_.count(path)) return {};
  }
  auto made = fs_.make_directory(path);
  if (!made) return made.error();
  // Sync the parent even when the directory existed: a process that crashed between
  // mkdir and its parent's fsync leaves an entry that power loss may still take away.
  POSTAMT_TRY(fs_.sync_directory(parent));
  std::lock_guard lock(mutex_);
  synced_directories_.insert(path);
  return {};
}

Result<std::string> DiskBlobStore::prepare(const BlobRef& ref) {
  const std::string& h = ref.hex();
  std::string level1 = root_ + "/" + h.substr(0, 2);
  std::string level2 = level1 + "/" + h.substr(2, 2);
  POSTAMT_TRY(ensure_directory(level1, root_));
  POSTAMT_TRY(ensure_directory(level2, level1));
  return level2 + "/" + h;
}

// The content of `ref` is there already: refresh its time (for the GC grace period) and
// sync its directory, since the writer that renamed it may have died before doing so.
static Result<bool> keep_existing(FileSystem& fs, const std::string& final_path) {
  auto existing = fs.status(final_path);
  if (!existing) {
    if (existing.error().kind != ErrorKind::not_found) return existing.error();
    return false;
  }
  POSTAMT_TRY(fs.touch(final_path));
  POSTAMT_TRY(fs.sync_directory(final_path.substr(0, final_path.rfind('/'))));
  return true;
}

Result<BlobRef> DiskBlobStore::place(const std::string& tmp, const BlobRef& ref) {
  auto final_path = prepare(ref);
  auto kept = final_path ? keep_existing(fs_, *final_path) : Result<bool>(final_path.error());
  if (!kept || *kept) {
    (void)fs_.remove_file(tmp);
    if (!kept) return kept.error();
    return ref;
  }
  auto renamed = fs_.rename(tmp, *final_path);
  if (!renamed) {
    (void)fs_.remove_file(tmp);
    return Error{ErrorKind::io, renamed.error().message};
  }
  // The file is complete and durable; only its name may not be. A later put() of the
  // same bytes syncs this directory again before it reports success.
  POSTAMT_TRY(fs_.sync_directory(final_path->substr(0, final_path->rfind('/'))));
  return ref;
}

Result<BlobRef> DiskBlobStore::put(std::string_view bytes) {
  BlobRef ref = blob_ref_of(bytes);
  auto final_path = prepare(ref);
  POSTAMT_TRY(final_path);
  auto kept = keep_existing(fs_, *final_path);
  POSTAMT_TRY(kept);
  if (*kept) return ref;

  std::string tmp = temporary_path();
  auto fd = fs_.create_file(tmp);
  if (!fd) return fd.error();
  auto written = fs_.write_all(*fd, bytes);
  if (written) metrics::catalog().blob_bytes.with({}).inc(bytes.size());
  Result<void> synced = written ? fs_.sync_file(*fd) : Result<void>(written.error());
  auto closed = fs_.close_file(*fd);
  Result<void> failure = !written ? written : !synced ? synced : closed;
  if (!failure) {
    (void)fs_.remove_file(tmp);
    return failure.error();
  }
  return place(tmp, ref);
}

// Writes to a temporary file while hashing; finish() syncs it and hands it to place().
class DiskBlobWriter final : public BlobWriter {
 public:
  DiskBlobWriter(DiskBlobStore& store, std::string tmp, int fd)
      : store_(store), tmp_(std::move(tmp)), fd_(fd), digest_(EVP_MD_CTX_new()) {
    if (!digest_ || EVP_DigestInit_ex(digest_, EVP_sha256(), nullptr) != 1)
      failed_ = Error{ErrorKind::io, "cannot start SHA-256"};
  }
  ~DiskBlobWriter() override {
    if (fd_ >= 0) (void)store_.fs_.close_file(fd_);
    if (!done_) (void)store_.fs_.remove_file(tmp_);
    EVP_MD_CTX_free(digest_);
  }

  Result<void> append(std::string_view bytes) override {
    if (failed_) return *failed_;
    if (done_) return Error{ErrorKind::invalid, "the blob was finished already"};
    EVP_DigestUpdate(digest_, bytes.data(), bytes.size());
    auto written = store_.fs_.write_all(fd_, bytes);
    if (!written) {
      failed_ = written.error();
      return written.error();
    }
    size_ += bytes.size();
    metrics::catalog().blob_bytes.with({}).inc(bytes.size());
    return {};
  }

  uint64_t size() const override { return size_; }

  Result<BlobRef> finish() override {
    if (failed_) return *failed_;
    if (done_) return Error{ErrorKind::invalid, "the blob was finished already"};
    done_ = true;
    auto synced = store_.fs_.sync_file(fd_);
    auto closed = store_.fs_.close_file(fd_);
    fd_ = -1;
    if (!synced || !closed) {
      (void)store_.fs_.remove_file(tmp_);
      return !synced ? synced.error() : closed.error();
    }
    unsigned char digest[EVP_MAX_MD_SIZE];
    unsigned int length = 0;
    EVP_DigestFinal_ex(digest_, digest, &length);
    return store_.place(tmp_, ref_of_digest(digest, length));
  }

 private:
  DiskBlobStore& store_;
  std::string tmp_;
  int fd_;
  EVP_MD_CTX* digest_;
  uint64_t size_ = 0;
  bool done_ = false;
  std::optional<Error> failed_;
};

Result<std::unique_ptr<BlobWriter>> DiskBlobStore::begin_put() {
  std::string tmp = temporary_path();
  auto fd = fs_.create_file(tmp);
  if (!fd) return fd.error();
  return std::unique_ptr<BlobWriter>(std::make_unique<DiskBlobWriter>(*this, tmp, *fd));
}

Result<std::string> DiskBlobStore::get(const BlobRef& ref) {
  auto view = open(ref);
  if (!view) return view.error();
  return view->to_string();
}

Result<BlobView> DiskBlobStore::open(const BlobRef& ref) {
  auto view = fs_.map_file(path_of(ref));
  if (!view && view.error().kind == ErrorKind::not_found) {
    return Error{ErrorKind::not_found, "blob " + ref.hex() + " does not exist"};
  }
  return view;
}

Result<bool> DiskBlobStore::exists(const BlobRef& ref) {
  auto st = fs_.status(path_of(ref));
  if (st) return true;
  if (st.error().kind == ErrorKind::not_found) return false;
  return st.error();
}

Result<BlobInfo> DiskBlobStore::info(const BlobRef& ref) {
  auto st = fs_.status(path_of(ref));
  if (!st) {
    if (st.error().kind == ErrorKind::not_found) {
      return Error{ErrorKind::not_found, "blob " + ref.hex() + " does not exist"};
    }
    return st.error();
  }
  return BlobInfo{ref, st->size, st->modified};
}

Result<void> DiskBlobStore::remove(const BlobRef& ref) {
  // Never while a backup copies blobs (blob/removal_lock.h): temporary then.
  auto lock = lock_blob_removals(root_, LockWait::fail);
  if (!lock) return lock.error();
  auto removed = fs_.remove_file(path_of(ref));
  if (!removed && removed.error().kind == ErrorKind::not_found) {
    return Error{ErrorKind::not_found, "blob " + ref.hex() + " does not exist"};
  }
  return removed;
}

Result<std::vector<BlobInfo>> DiskBlobStore::list() {
  std::vector<BlobInfo> blobs;
  auto top = fs_.list_directory(root_);
  if (!top) return top.error();
  for (const std::string& a : *top) {
    if (a.size() != 2 || a == "tmp") continue;
    auto middle = fs_.list_directory(root_ + "/" + a);
    if (!middle) return middle.error();
    for (const std::string& b : *middle) {
      std::string dir = root_ + "/" + a + "/" + b;
      auto names = fs_.list_directory(dir);
      if (!names) return names.error();
      for (const std::string& name : *names) {
        auto ref = BlobRef::parse(name);
        // Only full content-hash names are blobs; anything else is not ours to report.
        if (!ref || name.compare(0, 2, a) != 0 || name.compare(2, 2, b) != 0) continue;
        auto st = fs_.status(dir + "/" + name);
        if (!st) {
          if (st.error().kind == ErrorKind::not_found) continue;  // removed meanwhile
          return st.error();
        }
        blobs.push_back(BlobInfo{*ref, st->size, st->modified});
      }
    }
  }
  return blobs;
}

Result<size_t> DiskBlobStore::remove_stale_temporaries(
    std::chrono::system_clock::time_point older_than) {
  std::string dir = root_ + "/tmp";
  auto names = fs_.list_directory(dir);
  if (!names) return names.error();
  size_t removed = 0;
  for (const std::string& name : *names) {
    auto st = fs_.status(dir + "/" + name);
    if (!st || st->modified >= older_than) continue;
    if (fs_.remove_file(dir + "/" + name)) ++removed;
  }
  return removed;
}

}  // namespace postamt::blob
