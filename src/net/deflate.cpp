#include "net/deflate.h"

#include <zlib.h>

#include <utility>

namespace postamt::net {

struct Deflater::State {
  z_stream z{};
  ~State() { deflateEnd(&z); }
};

struct Inflater::State {
  z_stream z{};
  bool ended = false;  // the peer's stream ended (Z_STREAM_END)
  bool failed = false;
  bool out_full = false;  // the last inflate() filled its buffer
  ~State() { inflateEnd(&z); }
};

Result<Deflater> Deflater::create() {
  auto state = std::make_unique<State>();
  // Negative window bits: raw DEFLATE without a zlib header (RFC 4978 §4).
  if (deflateInit2(&state->z, kDeflateLevel, Z_DEFLATED, -kDeflateWindowBits, kDeflateMemLevel,
                   Z_DEFAULT_STRATEGY) != Z_OK)
    return Error{ErrorKind::io, "cannot set up the compressor"};
  return Deflater(std::move(state));
}

Deflater::Deflater(std::unique_ptr<State> state) : state_(std::move(state)) {}
Deflater::Deflater(Deflater&&) noexcept = default;
Deflater& Deflater::operator=(Deflater&&) noexcept = default;
Deflater::~Deflater() = default;

void Deflater::compress(std::string_view data, std::string& out, bool flush) {
  z_stream& z = state_->z;
  z.next_in = reinterpret_cast<Bytef*>(const_cast<char*>(data.data()));
  z.avail_in = static_cast<uInt>(data.size());
  const int mode = flush ? Z_SYNC_FLUSH : Z_NO_FLUSH;
  // deflate() with room left after a flush has nothing more to say (zlib manual).
  for (;;) {
    size_t before = out.size();
    size_t room = deflateBound(&z, z.avail_in) + 64;
    out.resize(before + room);
    z.next_out = reinterpret_cast<Bytef*>(out.data() + before);
    z.avail_out = static_cast<uInt>(room);
    deflate(&z, mode);  // Z_OK or Z_BUF_ERROR (no progress possible): both fine here
    out.resize(before + (room - z.avail_out));
    if (z.avail_out != 0 && z.avail_in == 0) break;
  }
}

Result<Inflater> Inflater::create() {
  auto state = std::make_unique<State>();
  // A peer may use any window up to 32 KiB: accept the largest.
  if (inflateInit2(&state->z, -15) != Z_OK)
    return Error{ErrorKind::io, "cannot set up the decompressor"};
  return Inflater(std::move(state));
}

Inflater::Inflater(std::unique_ptr<State> state) : state_(std::move(state)) {}
Inflater::Inflater(Inflater&&) noexcept = default;
Inflater& Inflater::operator=(Inflater&&) noexcept = default;
Inflater::~Inflater() = default;

void Inflater::set_input(std::span<const char> compressed) {
  state_->z.next_in = reinterpret_cast<Bytef*>(const_cast<char*>(compressed.data()));
  state_->z.avail_in = static_cast<uInt>(compressed.size());
}

bool Inflater::has_pending() const {
  return state_->z.avail_in > 0 || state_->out_full;
}

Result<size_t> Inflater::inflate(std::span<char> out) {
  State& s = *state_;
  if (s.failed) return Error{ErrorKind::invalid, "compressed stream failed earlier"};
  if (s.ended) {
    if (s.z.avail_in == 0) return size_t{0};
    s.failed = true;
    return Error{ErrorKind::invalid, "data after the end of the compressed stream"};
  }
  if (s.z.avail_in == 0 && !s.out_full) return size_t{0};
  s.z.next_out = reinterpret_cast<Bytef*>(out.data());
  s.z.avail_out = static_cast<uInt>(out.size());
  for (;;) {
    const uInt in_before = s.z.avail_in;
    int rc = ::inflate(&s.z, Z_SYNC_FLUSH);
    size_t produced = out.size() - s.z.avail_out;
    s.out_full = s.z.avail_out == 0;
    if (rc == Z_STREAM_END) {
      s.out_full = false;
      s.ended = true;
      return produced;
    }
    if (rc != Z_OK && rc != Z_BUF_ERROR) {
      s.failed = true;
      return Error{ErrorKind::invalid, "bad compressed data"};
    }
    // Input may be taken in without output yet (a block header): go on while it is.
    if (produced > 0 || s.z.avail_in == 0) return produced;
    if (s.z.avail_in == in_before) {
      s.failed = true;
      return Error{ErrorKind::invalid, "compressed data that makes no progress"};
    }
  }
}

}  // namespace postamt::net
