// SqlBlobStore: the BlobStore contract (blob/blob_store.h) kept in the SQL database
// (tables blob, blob_chunk, blob_upload of migration 18), so that every node of a
// cluster reads the same message bytes. Written against sql::Connection: it runs on
// SQLite and PostgreSQL alike.
//
// Layout. A blob's octets are rows of blob_chunk, at most `chunk_size` octets each,
// numbered from 0 under a content id; the blob row names the content by its SHA-256
// (BlobRef) and says which content id holds it. Identical content is stored once.
//
// Writing. A content id comes from blob_upload when a blob starts. BlobWriter::append
// sends every full chunk to the database at once, in its own short write transaction
// (never the whole message in memory, and no write lock held while a client is slow);
// finish() computes the ref and, in ONE write transaction, either inserts the last chunk
// and the blob row and closes the upload, or — when that content exists — drops the
// upload's chunks and refreshes the existing blob's time. put() of content that exists
// writes no chunk, only the new time; put() of new content up to one chunk is one write
// transaction, larger content goes through a writer. Durable when put()/finish() returns:
// that is the database's commit. A writer destroyed before finish() deletes its upload
// (if the database is unreachable then, remove_stale_temporaries does it later). A writer
// must not outlive its store.
//
// Reading. open() of a blob smaller than `map_threshold` reads it into memory; a larger
// one is streamed chunk by chunk (one query per chunk) into an unnamed temporary file in
// `spool_dir` (created, unlinked at once, written, mapped, closed): the view owns the
// mapping, the file's space is freed with the last copy of the view, and no process ever
// holds the whole blob in one string. get() returns a copy, as the contract says. Every
// read is one read transaction, so a blob removed meanwhile is read whole or not at all.
//
// Times come from the DATABASE's clock ({NOW}, Dialect::now_seconds), in whole seconds,
// so that nodes with skewed clocks agree on the age of blobs and uploads. BlobInfo::
// modified is that second. The cut-off times callers pass (collect_garbage's
// `older_than`) come from the caller's clock: a node whose clock is off by d shifts the
// grace period by d, harmless while d is far below the grace period (an hour).
//
// Garbage collection with several nodes. Writes are serialised cluster-wide (SQLite's
// one writer; PostgreSQL's begin(write) takes a transaction-level advisory lock), and
// remove_if_older is one write transaction: `DELETE ... WHERE ref = ? AND modified < ?`
// together with the blob's chunks. A put() of the same content on any node is one write
// transaction too, which refreshes `modified` if the row is there and writes the content
// anew if it is not. So either the put() commits first, and the removal then sees the
// fresh time and keeps the blob; or the removal commits first, and the put() finds no row
// and stores the content again. Either way the ref put() returns names bytes that exist.
// collect_garbage lists blobs before it asks which are referenced, so a message
// committed between the two keeps its blob. What remains is the grace period itself: a
// delivery that put() its blob and then takes longer than the grace period (plus the
// clock difference between the collecting node and the database) to commit the message
// that refers to it can lose the blob. An upload is stale when no piece arrived for the
// grace period; a writer that resumes after its upload was removed fails (io) rather than
// leave chunks nobody owns.
//
// Connections: at most `connections` are open at once, opened on demand through
// Connect and kept for reuse; every call borrows one for one transaction (a writer holds
// none between calls). A connection whose transaction failed is closed, not reused, so a
// restarted database server costs one failed call. Errors keep the Connection's
// ErrorKinds: temporary when the database is unavailable or stayed locked (write
// transactions are tried up to sql::kWriteAttempts times first), no_space, io; plus
// not_found for a missing blob as the contract says, and io when stored chunks do not add
// up to the blob's size (damage).
//
// Thread-safe; blocking: call from store threads, never on the network executor.
#pragma once

#include <condition_variable>
#include <cstddef>
#include <filesystem>
#include <functional>
#include <memory>
#include <mutex>
#include <optional>
#include <vector>

#include "blob/blob_store.h"
#include "store/sql/connection.h"

namespace postamt::store::sql {

struct SqlBlobOptions {
  size_t chunk_size = 256 * 1024;  // octets per row of blob_chunk (at least 1)
  // Node-local folder for large blobs read by open(): streamed from the database into a
  // file here, then mapped (the view owns the mapping and the file is unlinked at once).
  // Required; created when missing.
  std::filesystem::path spool_dir{};
  size_t map_threshold = 1 << 20;  // open() of smaller blobs reads into memory
  size_t connections = 4;          // connections kept for blob calls (opened on demand)
};

class SqlBlobStore final : public blob::BlobStore {
 public:
  using Connect = std::function<Result<std::unique_ptr<Connection>>()>;

  // The schema (migration 18) must exist: open the SqlStore on the same database first.
  // No connection is opened here. ErrorKind::invalid for a chunk_size or connections of
  // 0, or an empty spool_dir; io when spool_dir cannot be created.
  static Result<std::unique_ptr<SqlBlobStore>> open(Connect connect, SqlBlobOptions options);
  ~SqlBlobStore() override;

  Result<std::unique_ptr<blob::BlobWriter>> begin_put() override;
  Result<BlobRef> put(std::string_view bytes) override;
  Result<std::string> get(const BlobRef& ref) override;
  Result<blob::BlobView> open(const BlobRef& ref) override;
  Result<bool> exists(const BlobRef& ref) override;
  Result<blob::BlobInfo> info(const BlobRef& ref) override;
  Result<void> remove(const BlobRef& ref) override;
  Result<bool> remove_if_older(const BlobRef& ref,
                               std::chrono::system_clock::time_point older_than) override;
  Result<std::vector<blob::BlobInfo>> list() override;
  // Deletes uploads (and their chunks) whose last piece arrived before `older_than`.
  Result<size_t> remove_stale_temporaries(
      std::chrono::system_clock::time_point older_than) override;

 private:
  friend class SqlBlobWriter;
  SqlBlobStore(Connect connect, SqlBlobOptions options);

  // Runs `body` in one transaction on a borrowed connection; write transactions are
  // retried on ErrorKind::temporary (see the header comment).
  Result<void> transact(TransactionMode mode, const std::function<Result<void>(Connection&)>& body);
  Result<std::unique_ptr<Connection>> take();
  void give_back(std::unique_ptr<Connection> connection, bool reusable);

  // The writer's steps, each one write transaction (see the header comment).
  Result<int64_t> start_upload();
  Result<void> send_chunk(int64_t content, int64_t seq, std::string_view bytes);
  Result<void> complete_upload(int64_t content, const BlobRef& ref, uint64_t size, int64_t seq,
                               std::string_view last);
  Result<void> drop_upload(int64_t content);

  Connect connect_;
  SqlBlobOptions options_;
  std::mutex mutex_;  // guards idle_ and open_
  std::condition_variable returned_;
  std::vector<std::unique_ptr<Connection>> idle_;
  size_t open_ = 0;
};

}  // namespace postamt::store::sql
