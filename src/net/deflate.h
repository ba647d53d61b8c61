// Raw DEFLATE streams (RFC 1951, no zlib or gzip framing) for IMAP COMPRESS=DEFLATE
// (RFC 4978): a compressor and a decompressor, codecs without I/O (deflate_connection.h
// puts them on a Connection). zlib stays inside deflate.cpp.
//
// Memory, per direction and fixed for the stream's life (docs/protocols/imap.md, COMPRESS):
// the compressor keeps a 2^kDeflateWindowBits window and a 2^(kDeflateMemLevel + 9)
// hash (about 64 KiB together), allocated at construction; the decompressor must accept
// any window a peer uses (32 KiB) and allocates it with the first input.
//
// Not thread-safe; one object belongs to one connection.
#pragma once

#include <cstddef>
#include <memory>
#include <span>
#include <string>
#include <string_view>

#include "base/result.h"

namespace postamt::net {

inline constexpr int kDeflateWindowBits = 13;  // 8 KiB of history for what we send
inline constexpr int kDeflateMemLevel = 6;
inline constexpr int kDeflateLevel = 1;  // RFC 4978 §4: the cheapest level already
                                         // takes IMAP responses to 25-40 %

class Deflater {
 public:
  // Errors: ErrorKind::io when zlib cannot allocate its state.
  static Result<Deflater> create();
  Deflater(Deflater&&) noexcept;
  Deflater& operator=(Deflater&&) noexcept;
  ~Deflater();

  // Appends the compressed form of `data` to `out`, ending in a sync flush: the peer
  // can decode everything given so far (what a response needs before the client waits).
  // With `flush` false the data may wait in the compressor for the next call.
  void compress(std::string_view data, std::string& out, bool flush = true);

 private:
  struct State;
  explicit Deflater(std::unique_ptr<State> state);
  std::unique_ptr<State> state_;
};

class Inflater {
 public:
  static Result<Inflater> create();
  Inflater(Inflater&&) noexcept;
  Inflater& operator=(Inflater&&) noexcept;
  ~Inflater();

  // Hands over compressed octets. Requires that the previous input was used up (no
  // octets wait; output may). The octets are not copied: they must stay in place until
  // has_pending() turns false.
  void set_input(std::span<const char> compressed);
  // True while octets given to set_input() wait, or while the last inflate() filled its
  // buffer (decompressed octets may still wait inside): call inflate() again first.
  bool has_pending() const;
  // Decompresses into `out` (not empty) as much as fits; 0 when nothing waits and more
  // input is needed. Errors: ErrorKind::invalid for data that is not DEFLATE, or that
  // follows the end of the peer's stream; the stream cannot be used after an error.
  Result<size_t> inflate(std::span<char> out);

 private:
  struct State;
  explicit Inflater(std::unique_ptr<State> state);
  std::unique_ptr<State> state_;
};

}  // namespace postamt::net
