// libFuzzer target: the DATA decoder fed in random pieces. Input: [options][chunking]
// [data...]. Bit 0 of the options octet picks BareLineEnds (reject / normalize), the
// rest the size and line limits.
//
// Checks, for both BareLineEnds modes:
//   - the outcome (body, consumed octets, every counter, the rejection reply) does not
//     depend on the chunking, nor on the caller flushing `out` between calls;
//   - it equals an independent whole-input reading of the header's contract
//     (reference() below): the data ends only at CRLF "." CRLF, dots are unstuffed only
//     at line starts, bare CR/LF are counted and, normalised, stored as CRLF;
//   - feed() after done() consumes and appends nothing.
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <string>

#include "smtp/proto/data_decoder.h"

using namespace postamt::smtp::proto;

namespace {
[[noreturn]] void fail(const char* what, int line) {
  std::fprintf(stderr, "data_decoder_fuzz.cpp:%d: check failed: %s\n", line, what);
  std::abort();
}
#define check(ok) ((ok) ? (void)0 : fail(#ok, __LINE__))

struct Outcome {
  std::string body;
  size_t consumed = 0;
  bool done = false;
  uint64_t octets = 0;
  uint64_t bare_cr = 0;
  uint64_t bare_lf = 0;
  uint64_t nul = 0;
  bool too_large = false;
  bool line_too_long = false;
  std::string rejection;  // the wire form of data_rejection(), once done
  bool operator==(const Outcome&) const = default;
};

enum class Flush { keep, each_call };

Outcome run(std::string_view input, DataDecoderOptions options, uint8_t seed, Flush flush) {
  DataDecoder d(options);
  Outcome o;
  std::string out;
  size_t pos = 0;
  uint32_t state = seed * 2654435761u + 1;
  while (pos < input.size() && !d.done()) {
    size_t n = seed == 0 ? input.size() - pos : 1 + (state >> 24) % 9;
    state = state * 1103515245u + 12345u;
    n = std::min(n, input.size() - pos);
    size_t used = d.feed(input.substr(pos, n), out);
    check(used <= n && (d.done() || used == n));
    o.consumed += used;
    pos += n;
    if (flush == Flush::each_call) {
      o.body += out;
      out.clear();
    }
  }
  o.body += out;
  o.done = d.done();
  if (o.done) {
    std::string after;
    check(d.feed("x\r\n.\r\n", after) == 0 && after.empty());
    auto reply = data_rejection(d);
    o.rejection = reply ? encode_reply(*reply) : "accepted";
  }
  o.octets = d.message_octets();
  o.bare_cr = d.bare_cr_count();
  o.bare_lf = d.bare_lf_count();
  o.nul = d.nul_count();
  o.too_large = d.too_large();
  o.line_too_long = d.line_too_long();
  return o;
}

// The decoding of a complete input, from the header's rules rather than the state
// machine: where the data ends, what it stores before any size limit, what it counts.
struct Reference {
  bool done = false;
  size_t consumed = 0;
  std::string body;
  uint64_t bare_cr = 0;
  uint64_t bare_lf = 0;
  uint64_t nul = 0;
  bool line_too_long = false;
};

Reference reference(std::string_view input, const DataDecoderOptions& options) {
  Reference r;
  // Every CRLF in the input is a real line end, so the data ends at the first
  // CRLF "." CRLF, or at "." CRLF at the very start.
  size_t body_end = input.size();
  if (input.starts_with(".\r\n")) {
    r.done = true;
    r.consumed = 3;
    body_end = 0;
  } else if (size_t at = input.find("\r\n.\r\n"); at != std::string_view::npos) {
    r.done = true;
    r.consumed = at + 5;
    body_end = at + 2;
  }
  std::string_view body = input.substr(0, body_end);
  const bool normalize = options.bare_line_ends == BareLineEnds::normalize;
  bool real_line_start = true;
  for (size_t i = 0; i < body.size();) {
    size_t j = body.find_first_of("\r\n", i);
    if (j == std::string_view::npos) j = body.size();
    std::string_view line = body.substr(i, j - i);
    std::string_view end = body.substr(j, 0);
    bool real_end = false;
    if (j < body.size()) {
      real_end = body[j] == '\r' && j + 1 < body.size() && body[j + 1] == '\n';
      end = body.substr(j, real_end ? 2 : 1);
      if (!real_end) ++(body[j] == '\r' ? r.bare_cr : r.bare_lf);
    }
    // RFC 5321 §4.5.2 unstuffing. Normalised, every line end starts a line, and a line
    // that is just "." keeps it (it is never the end there); as received, only a real
    // CRLF starts a line.
    if (line.starts_with('.') && (normalize ? line.size() > 1 : real_line_start))
      line.remove_prefix(1);
    for (char c : line) r.nul += c == '\0';
    if (options.max_line_octets != 0 && line.size() + 2 > options.max_line_octets)
      r.line_too_long = true;
    r.body += line;
    r.body += normalize && !end.empty() ? std::string_view("\r\n") : end;
    real_line_start = real_end;
    i = j + end.size();
  }
  return r;
}

std::string stored(std::string body, const DataDecoderOptions& options) {
  if (options.max_message_octets != 0 && body.size() > options.max_message_octets)
    body.resize(options.max_message_octets);
  return body;
}
}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  if (size < 2) return 0;
  DataDecoderOptions options;
  options.bare_line_ends = (data[0] & 1) ? BareLineEnds::normalize : BareLineEnds::reject;
  options.max_message_octets = (data[0] >> 1) * 8;
  options.max_line_octets = (data[0] & 0x80) ? 20 : kMaxTextLineOctets;
  std::string_view input(reinterpret_cast<const char*>(data + 2), size - 2);

  Outcome whole = run(input, options, 0, Flush::keep);
  check(run(input, options, data[1] | 1, Flush::keep) == whole);
  check(run(input, options, data[1] | 1, Flush::each_call) == whole);

  if (options.bare_line_ends == BareLineEnds::normalize) {
    // Normalised output has CR and LF only as pairs. A CR may end the stored octets
    // of an unfinished body, or of one cut at max_message_octets.
    for (size_t i = 0; i < whole.body.size(); ++i) {
      char c = whole.body[i];
      if (c == '\r' && (i + 1 == whole.body.size() || whole.body[i + 1] != '\n'))
        check((!whole.done || whole.too_large) && i + 1 == whole.body.size());
      if (c == '\n') check(i > 0 && whole.body[i - 1] == '\r');
    }
  }

  Reference ref = reference(input, options);
  check(whole.done == ref.done);
  if (whole.done) {
    check(whole.consumed == ref.consumed);
    check(whole.body == stored(ref.body, options));
    check(whole.octets == ref.body.size());
    check(whole.too_large ==
          (options.max_message_octets != 0 && ref.body.size() > options.max_message_octets));
    check(whole.bare_cr == ref.bare_cr && whole.bare_lf == ref.bare_lf);
    check(whole.nul == ref.nul);
    check(whole.line_too_long == ref.line_too_long);
    bool refused =
        whole.too_large || whole.line_too_long || whole.nul != 0 ||
        (whole.bare_cr + whole.bare_lf != 0 && options.bare_line_ends == BareLineEnds::reject);
    check(refused == (whole.rejection != "accepted"));
    return 0;
  }
  // Unfinished: what was stored is a prefix of what the same bytes give once the data
  // is ended, short by at most a held-back ".\r" and that added line end.
  check(whole.consumed == input.size());
  Reference ended = reference(std::string(input) + "\r\n.\r\n", options);
  check(ended.done);
  std::string expected = stored(ended.body, options);
  check(expected.starts_with(whole.body));
  if (!whole.too_large) {
    check(whole.octets == whole.body.size());
    check(expected.size() <= whole.body.size() + 5);
  }
  if (!ended.line_too_long) check(!whole.line_too_long);
  check(whole.nul == ended.nul && whole.bare_lf == ended.bare_lf);
  // A CR at the very end is not yet known to be bare; the added CRLF makes it so.
  check(whole.bare_cr + (input.ends_with('\r') ? 1 : 0) == ended.bare_cr);
  return 0;
}
