#include "store/sql/sql_blob_store.h"

#include <fcntl.h>
#include <openssl/evp.h>
#include <sys/mman.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <cstring>

#include "metrics/catalog.h"
#include "store/sql/query.h"
#include "store/sql/sql_store.h"

namespace postamt::store::sql {

namespace {

using Clock = std::chrono::system_clock;

Error missing(const BlobRef& ref) {
  return Error{ErrorKind::not_found, "blob " + ref.hex() + " does not exist"};
}

Error damaged(const BlobRef& ref, const std::string& what) {
  return Error{ErrorKind::io, "blob " + ref.hex() + " is damaged: " + what};
}

Clock::time_point from_seconds(int64_t seconds) {
  return Clock::time_point(std::chrono::seconds(seconds));
}

// Stored times are whole seconds: a blob of second s is older than `t` when s < ceil(t).
int64_t cut_off_seconds(Clock::time_point t) {
  return std::chrono::ceil<std::chrono::seconds>(t.time_since_epoch()).count();
}

// Prepares `neutral_sql` and binds the chunk's octets as its third parameter (Query
// binds text only; {BLOB} needs bind_blob).
Result<void> insert_chunk(Connection& db, int64_t content, int64_t seq, std::string_view bytes) {
  auto statement = db.prepare(translate(db.dialect(),
                                        "INSERT INTO blob_chunk (content, seq, data) "
                                        "VALUES (?, ?, ?)"));
  if (!statement) return statement.error();
  POSTAMT_TRY((*statement)->bind_int(1, content));
  POSTAMT_TRY((*statement)->bind_int(2, seq));
  POSTAMT_TRY((*statement)->bind_blob(3, bytes));
  auto stepped = (*statement)->step();
  if (!stepped) return stepped.error();
  metrics::catalog().blob_bytes.with({}).inc(bytes.size());
  return {};
}

struct StoredBlob {
  int64_t content = 0;
  uint64_t size = 0;
  int64_t chunks = 0;
  int64_t modified = 0;
};

Result<std::optional<StoredBlob>> find_blob(Connection& db, const BlobRef& ref) {
  auto q = Query::prepare(db, "SELECT content, size, chunks, modified FROM blob WHERE ref = ?");
  if (!q) return q.error();
  q->bind(ref.digits());
  auto row = q->next();
  if (!row) return row.error();
  if (!*row) return std::optional<StoredBlob>();
  return std::optional<StoredBlob>(StoredBlob{q->integer(0), static_cast<uint64_t>(q->integer(1)),
                                              q->integer(2), q->integer(3)});
}

Result<bool> upload_exists(Connection& db, int64_t content) {
  auto q = Query::prepare(db, "SELECT count(*) FROM blob_upload WHERE id = ?");
  if (!q) return q.error();
  q->bind(content);
  auto n = q->single_int(0);
  if (!n) return n.error();
  return *n > 0;
}

Error stale_upload() {
  return Error{ErrorKind::io,
               "the blob being written was removed as a stale upload (no piece arrived for the "
               "garbage collection grace period)"};
}

// The chunks of an upload, unless a blob row names them: after a commit whose outcome was
// unknown the upload may have become a blob, whose bytes must stay.
Result<void> drop_content(Connection& db, int64_t content) {
  POSTAMT_TRY(exec(db,
                   "DELETE FROM blob_chunk WHERE content = ? AND NOT EXISTS "
                   "(SELECT 1 FROM blob WHERE blob.content = ?)",
                   content, content));
  return exec(db, "DELETE FROM blob_upload WHERE id = ?", content);
}

// Reads the chunks of `blob` in order, one query per chunk (a PostgreSQL result is
// held whole by the client: one chunk at a time keeps memory to one chunk), and checks
// that they add up to its size.
Result<void> read_chunks(Connection& db, const BlobRef& ref, const StoredBlob& blob,
                         const std::function<Result<void>(std::string_view)>& sink) {
  uint64_t total = 0;
  for (int64_t seq = 0; seq < blob.chunks; ++seq) {
    auto q = Query::prepare(db, "SELECT data FROM blob_chunk WHERE content = ? AND seq = ?");
    if (!q) return q.error();
    q->bind(blob.content).bind(seq);
    auto row = q->next();
    if (!row) return row.error();
    if (!*row) return damaged(ref, "chunk " + std::to_string(seq) + " is missing");
    std::string data = q->text(0);
    total += data.size();
    if (total > blob.size) break;
    POSTAMT_TRY(sink(data));
  }
  if (total != blob.size) {
    return damaged(ref, "its chunks hold " + std::to_string(total) + " octets, not " +
                            std::to_string(blob.size));
  }
  return {};
}

Error os_error(std::string what, const std::filesystem::path& path, int err) {
  ErrorKind kind = (err == ENOSPC || err == EDQUOT) ? ErrorKind::no_space : ErrorKind::io;
  return Error{kind, what + " " + path.string() + ": " + std::strerror(err)};
}

// A large blob streamed into an unnamed file in `dir` and mapped (see the header).
Result<blob::BlobView> spool(Connection& db, const BlobRef& ref, const StoredBlob& blob,
                             const std::filesystem::path& dir) {
  std::string name = (dir / "blob-XXXXXX").string();
  int fd = ::mkostemp(name.data(), O_CLOEXEC);
  if (fd < 0) return os_error("cannot create a spool file in", dir, errno);
  // Unlinked at once: the open descriptor, then the mapping, keep the space; nothing is
  // left behind when this process dies.
  ::unlink(name.c_str());
  auto written = read_chunks(db, ref, blob, [&](std::string_view bytes) -> Result<void> {
    while (!bytes.empty()) {
      ssize_t n = ::write(fd, bytes.data(), bytes.size());
      if (n < 0 && errno == EINTR) continue;
      if (n < 0) return os_error("cannot write a spool file in", dir, errno);
      bytes.remove_prefix(static_cast<size_t>(n));
    }
    return {};
  });
  if (!written) {
    ::close(fd);
    return written.error();
  }
  size_t size = static_cast<size_t>(blob.size);
  void* p = ::mmap(nullptr, size, PROT_READ, MAP_SHARED, fd, 0);
  int err = errno;
  ::close(fd);
  if (p == MAP_FAILED) return os_error("cannot map a spool file in", dir, err);
  std::shared_ptr<const void> owner(
      p, [size](const void* q) { ::munmap(const_cast<void*>(q), size); });
  return blob::BlobView(std::move(owner), std::string_view(static_cast<const char*>(p), size));
}

}  // namespace

// ---- the writer ----

// Hashes what comes, sends every full chunk at once, keeps at most one partial chunk.
class SqlBlobWriter final : public blob::BlobWriter {
 public:
  SqlBlobWriter(SqlBlobStore& store, int64_t content)
      : store_(store), content_(content), digest_(EVP_MD_CTX_new()) {
    if (!digest_ || EVP_DigestInit_ex(digest_, EVP_sha256(), nullptr) != 1) {
      failed_ = Error{ErrorKind::io, "cannot start SHA-256"};
    }
  }
  ~SqlBlobWriter() override {
    // Best effort: when the database is unreachable now, remove_stale_temporaries
    // removes the upload later.
    if (!closed_) (void)store_.drop_upload(content_);
    EVP_MD_CTX_free(digest_);
  }
  SqlBlobWriter(const SqlBlobWriter&) = delete;
  SqlBlobWriter& operator=(const SqlBlobWriter&) = delete;

  Result<void> append(std::string_view bytes) override {
    if (failed_) return *failed_;
    if (done_) return Error{ErrorKind::invalid, "the blob was finished already"};
    EVP_DigestUpdate(digest_, bytes.data(), bytes.size());
    size_ += bytes.size();
    const size_t chunk = store_.options_.chunk_size;
    while (!bytes.empty()) {
      size_t take = std::min(chunk - pending_.size(), bytes.size());
      if (pending_.empty() && take == chunk) {
        // A whole chunk in the caller's buffer: sent from there, not copied.
        POSTAMT_TRY(send(bytes.substr(0, chunk)));
      } else {
        pending_.append(bytes.substr(0, take));
        if (pending_.size() == chunk) {
          POSTAMT_TRY(send(pending_));
          pending_.clear();
        }
      }
      bytes.remove_prefix(take);
    }
    return {};
  }

  uint64_t size() const override { return size_; }

  Result<BlobRef> finish() override {
    if (failed_) return *failed_;
    if (done_) return Error{ErrorKind::invalid, "the blob was finished already"};
    done_ = true;
    unsigned char digest[EVP_MAX_MD_SIZE];
    unsigned int length = 0;
    EVP_DigestFinal_ex(digest_, digest, &length);
    static constexpr char kHex[] = "0123456789abcdef";
    std::string hex;
    for (unsigned int i = 0; i < length; ++i) {
      hex.push_back(kHex[digest[i] >> 4]);
      hex.push_back(kHex[digest[i] & 15]);
    }
    BlobRef ref = *BlobRef::parse(hex);
    POSTAMT_TRY(store_.complete_upload(content_, ref, size_, seq_, pending_));
    closed_ = true;
    return ref;
  }

 private:
  Result<void> send(std::string_view bytes) {
    auto sent = store_.send_chunk(content_, seq_, bytes);
    if (!sent) {
      failed_ = sent.error();
      return sent.error();
    }
    ++seq_;
    return {};
  }

  SqlBlobStore& store_;
  int64_t content_;
  EVP_MD_CTX* digest_;
  std::string pending_;  // the partial chunk not sent yet
  int64_t seq_ = 0;      // chunks sent
  uint64_t size_ = 0;
  bool done_ = false;    // finish() was called
  bool closed_ = false;  // the upload became a blob (or was dropped for existing content)
  std::optional<Error> failed_;
};

// ---- connections and transactions ----

SqlBlobStore::SqlBlobStore(Connect connect, SqlBlobOptions options)
    : connect_(std::move(connect)), options_(std::move(options)) {}

SqlBlobStore::~SqlBlobStore() = default;

Result<std::unique_ptr<SqlBlobStore>> SqlBlobStore::open(Connect connect, SqlBlobOptions options) {
  if (!connect) return Error{ErrorKind::invalid, "the blob store needs a way to connect"};
  if (options.chunk_size == 0) return Error{ErrorKind::invalid, "blob chunk size must be > 0"};
  if (options.connections == 0) {
    return Error{ErrorKind::invalid, "the blob store needs at least one connection"};
  }
  if (options.spool_dir.empty()) {
    return Error{ErrorKind::invalid, "the blob store needs a spool folder"};
  }
  std::error_code ec;
  std::filesystem::create_directories(options.spool_dir, ec);
  if (ec) {
    return Error{ErrorKind::io,
                 "cannot create spool folder " + options.spool_dir.string() + ": " + ec.message()};
  }
  return std::unique_ptr<SqlBlobStore>(new SqlBlobStore(std::move(connect), std::move(options)));
}

Result<std::unique_ptr<Connection>> SqlBlobStore::take() {
  std::unique_lock lock(mutex_);
  while (true) {
    if (!idle_.empty()) {
      auto connection = std::move(idle_.back());
      idle_.pop_back();
      return connection;
    }
    if (open_ < options_.connections) break;
    returned_.wait(lock);
  }
  ++open_;
  lock.unlock();
  auto connection = connect_();
  if (!connection) give_back(nullptr, false);
  return connection;
}

void SqlBlobStore::give_back(std::unique_ptr<Connection> connection, bool reusable) {
  std::unique_lock lock(mutex_);
  if (reusable && connection) {
    idle_.push_back(std::move(connection));
  } else {
    --open_;
    lock.unlock();
    connection.reset();  // closed outside the lock
  }
  returned_.notify_one();
}

Result<void> SqlBlobStore::transact(TransactionMode mode,
                                    const std::function<Result<void>(Connection&)>& body) {
  Result<void> outcome;
  for (int attempt = 1; attempt <= kWriteAttempts; ++attempt) {
    auto connection = take();
    if (!connection) return connection.error();
    Connection& db = **connection;
    bool commit_failed = false;
    outcome = [&]() -> Result<void> {
      POSTAMT_TRY(db.begin(mode));
      auto r = body(db);
      if (r) {
        r = db.commit();
        commit_failed = !r;
      }
      if (!r) db.rollback();
      return r;
    }();
    // A connection whose transaction failed may be broken (a restarted server): closed.
    give_back(std::move(*connection), outcome.ok());
    // A failed commit may have committed (the connection broke during COMMIT): never run
    // the body again on top of it, as store/sql/sql_store.h does not either.
    if (outcome || commit_failed || outcome.error().kind != ErrorKind::temporary ||
        mode == TransactionMode::read) {
      break;
    }
  }
  return outcome;
}

// ---- writing ----

Result<int64_t> SqlBlobStore::start_upload() {
  int64_t content = 0;
  POSTAMT_TRY(transact(TransactionMode::write, [&](Connection& db) -> Result<void> {
    auto q = Query::prepare(db, "INSERT INTO blob_upload (touched) VALUES ({NOW}){RETURNING id}");
    if (!q) return q.error();
    auto id = q->single_int(0);
    if (!id) return id.error();
    content = *id;
    return {};
  }));
  return content;
}

Result<void> SqlBlobStore::send_chunk(int64_t content, int64_t seq, std::string_view bytes) {
  return transact(TransactionMode::write, [&](Connection& db) -> Result<void> {
    // Never chunks for an upload garbage collection removed meanwhile: nobody would
    // own them.
    auto there = upload_exists(db, content);
    if (!there) return there.error();
    if (!*there) return stale_upload();
    POSTAMT_TRY(exec(db, "UPDATE blob_upload SET touched = {NOW} WHERE id = ?", content));
    return insert_chunk(db, content, seq, bytes);
  });
}

Result<void> SqlBlobStore::complete_upload(int64_t content, const BlobRef& ref, uint64_t size,
                                           int64_t seq, std::string_view last) {
  return transact(TransactionMode::write, [&](Connection& db) -> Result<void> {
    auto there = upload_exists(db, content);
    if (!there) return there.error();
    if (!*there) return stale_upload();
    auto existing = find_blob(db, ref);
    if (!existing) return existing.error();
    if (*existing) {
      POSTAMT_TRY(exec(db, "UPDATE blob SET modified = {NOW} WHERE ref = ?", ref.digits()));
      return drop_content(db, content);
    }
    int64_t chunks = seq;
    if (!last.empty()) {
      POSTAMT_TRY(insert_chunk(db, content, seq, last));
      ++chunks;
    }
    POSTAMT_TRY(exec(db,
                     "INSERT INTO blob (ref, content, size, chunks, modified) "
                     "VALUES (?, ?, ?, ?, {NOW})",
                     ref.digits(), content, static_cast<int64_t>(size), chunks));
    return exec(db, "DELETE FROM blob_upload WHERE id = ?", content);
  });
}

Result<void> SqlBlobStore::drop_upload(int64_t content) {
  return transact(TransactionMode::write,
                  [&](Connection& db) -> Result<void> { return drop_content(db, content); });
}

Result<std::unique_ptr<blob::BlobWriter>> SqlBlobStore::begin_put() {
  auto content = start_upload();
  if (!content) return content.error();
  return std::unique_ptr<blob::BlobWriter>(std::make_unique<SqlBlobWriter>(*this, *content));
}

Result<BlobRef> SqlBlobStore::put(std::string_view bytes) {
  BlobRef ref = blob::blob_ref_of(bytes);
  bool stored = false;
  const bool one_chunk = bytes.size() <= options_.chunk_size;
  POSTAMT_TRY(transact(TransactionMode::write, [&](Connection& db) -> Result<void> {
    stored = false;
    auto existing = find_blob(db, ref);
    if (!existing) return existing.error();
    if (*existing) {
      stored = true;
      return exec(db, "UPDATE blob SET modified = {NOW} WHERE ref = ?", ref.digits());
    }
    // Larger content is streamed through a writer, outside this transaction, so that
    // the write lock is never held for more than one chunk.
    if (!one_chunk) return {};
    auto q = Query::prepare(db, "INSERT INTO blob_upload (touched) VALUES ({NOW}){RETURNING id}");
    if (!q) return q.error();
    auto content = q->single_int(0);
    if (!content) return content.error();
    if (!bytes.empty()) POSTAMT_TRY(insert_chunk(db, *content, 0, bytes));
    POSTAMT_TRY(exec(db,
                     "INSERT INTO blob (ref, content, size, chunks, modified) "
                     "VALUES (?, ?, ?, ?, {NOW})",
                     ref.digits(), *content, static_cast<int64_t>(bytes.size()),
                     int64_t{bytes.empty() ? 0 : 1}));
    POSTAMT_TRY(exec(db, "DELETE FROM blob_upload WHERE id = ?", *content));
    stored = true;
    return {};
  }));
  if (stored) return ref;
  auto writer = begin_put();
  if (!writer) return writer.error();
  POSTAMT_TRY((*writer)->append(bytes));
  return (*writer)->finish();
}

// ---- reading ----

Result<std::string> SqlBlobStore::get(const BlobRef& ref) {
  std::optional<std::string> bytes;
  POSTAMT_TRY(transact(TransactionMode::read, [&](Connection& db) -> Result<void> {
    bytes.reset();
    auto blob = find_blob(db, ref);
    if (!blob) return blob.error();
    if (!*blob) return {};
    std::string out;
    out.reserve((*blob)->size);
    POSTAMT_TRY(read_chunks(db, ref, **blob, [&](std::string_view data) -> Result<void> {
      out.append(data);
      return {};
    }));
    bytes = std::move(out);
    return {};
  }));
  if (!bytes) return missing(ref);
  return std::move(*bytes);
}

Result<blob::BlobView> SqlBlobStore::open(const BlobRef& ref) {
  std::optional<blob::BlobView> view;
  POSTAMT_TRY(transact(TransactionMode::read, [&](Connection& db) -> Result<void> {
    view.reset();
    auto blob = find_blob(db, ref);
    if (!blob) return blob.error();
    if (!*blob) return {};
    if ((*blob)->size == 0) {
      view = blob::BlobView();  // nothing to map (mmap rejects length 0)
      return {};
    }
    if ((*blob)->size >= options_.map_threshold) {
      auto spooled = spool(db, ref, **blob, options_.spool_dir);
      if (!spooled) return spooled.error();
      view = std::move(*spooled);
      return {};
    }
    auto buffer = std::make_shared<std::string>();
    buffer->reserve((*blob)->size);
    POSTAMT_TRY(read_chunks(db, ref, **blob, [&](std::string_view data) -> Result<void> {
      buffer->append(data);
      return {};
    }));
    std::string_view bytes = *buffer;
    view = blob::BlobView(std::shared_ptr<const void>(std::move(buffer)), bytes);
    return {};
  }));
  if (!view) return missing(ref);
  return std::move(*view);
}

Result<bool> SqlBlobStore::exists(const BlobRef& ref) {
  bool found = false;
  POSTAMT_TRY(transact(TransactionMode::read, [&](Connection& db) -> Result<void> {
    auto blob = find_blob(db, ref);
    if (!blob) return blob.error();
    found = blob->has_value();
    return {};
  }));
  return found;
}

Result<blob::BlobInfo> SqlBlobStore::info(const BlobRef& ref) {
  std::optional<blob::BlobInfo> info;
  POSTAMT_TRY(transact(TransactionMode::read, [&](Connection& db) -> Result<void> {
    info.reset();
    auto blob = find_blob(db, ref);
    if (!blob) return blob.error();
    if (*blob) info = blob::BlobInfo{ref, (*blob)->size, from_seconds((*blob)->modified)};
    return {};
  }));
  if (!info) return missing(ref);
  return *info;
}

Result<std::vector<blob::BlobInfo>> SqlBlobStore::list() {
  std::vector<blob::BlobInfo> blobs;
  POSTAMT_TRY(transact(TransactionMode::read, [&](Connection& db) -> Result<void> {
    blobs.clear();
    auto q = Query::prepare(db, "SELECT ref, size, modified FROM blob");
    if (!q) return q.error();
    while (true) {
      auto row = q->next();
      if (!row) return row.error();
      if (!*row) return {};
      auto ref = BlobRef::parse(q->text(0));
      // Only content-hash names are blobs (the table holds nothing else).
      if (!ref) continue;
      blobs.push_back(
          blob::BlobInfo{*ref, static_cast<uint64_t>(q->integer(1)), from_seconds(q->integer(2))});
    }
  }));
  return blobs;
}

// ---- removing ----

Result<void> SqlBlobStore::remove(const BlobRef& ref) {
  bool found = false;
  POSTAMT_TRY(transact(TransactionMode::write, [&](Connection& db) -> Result<void> {
    auto blob = find_blob(db, ref);
    if (!blob) return blob.error();
    found = blob->has_value();
    if (!found) return {};
    POSTAMT_TRY(exec(db, "DELETE FROM blob_chunk WHERE content = ?", (*blob)->content));
    return exec(db, "DELETE FROM blob WHERE ref = ?", ref.digits());
  }));
  if (!found) return missing(ref);
  return {};
}

Result<bool> SqlBlobStore::remove_if_older(const BlobRef& ref, Clock::time_point older_than) {
  const int64_t cut_off = cut_off_seconds(older_than);
  bool found = false;
  bool removed = false;
  POSTAMT_TRY(transact(TransactionMode::write, [&](Connection& db) -> Result<void> {
    // One write transaction, and writes are serialised cluster-wide: a put() of this
    // content commits wholly before or wholly after (see the header comment).
    auto blob = find_blob(db, ref);
    if (!blob) return blob.error();
    found = blob->has_value();
    removed = found && (*blob)->modified < cut_off;
    if (!removed) return {};
    POSTAMT_TRY(exec(db, "DELETE FROM blob WHERE ref = ? AND modified < ?", ref.digits(), cut_off));
    return exec(db, "DELETE FROM blob_chunk WHERE content = ?", (*blob)->content);
  }));
  if (!found) return missing(ref);
  return removed;
}

Result<size_t> SqlBlobStore::remove_stale_temporaries(Clock::time_point older_than) {
  const int64_t cut_off = cut_off_seconds(older_than);
  size_t removed = 0;
  POSTAMT_TRY(transact(TransactionMode::write, [&](Connection& db) -> Result<void> {
    std::vector<int64_t> stale;
    auto q = Query::prepare(db, "SELECT id FROM blob_upload WHERE touched < ?");
    if (!q) return q.error();
    q->bind(cut_off);
    while (true) {
      auto row = q->next();
      if (!row) return row.error();
      if (!*row) break;
      stale.push_back(q->integer(0));
    }
    for (int64_t content : stale) POSTAMT_TRY(drop_content(db, content));
    removed = stale.size();
    return {};
  }));
  return removed;
}

}  // namespace postamt::store::sql
