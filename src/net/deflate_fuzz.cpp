// libFuzzer target: the raw DEFLATE decompressor (RFC 4978 COMPRESS) on any octets, cut
// where the fuzzer says, into a small output buffer; and a round trip through our
// compressor must give the input back.
// Input: [piece][out_size][data...].
#include <cstddef>
#include <cstdint>
#include <cstdlib>
#include <string>

#include "net/deflate.h"

using postamt::net::Deflater;
using postamt::net::Inflater;

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  if (size < 2) return 0;
  size_t piece = data[0] % 64 + 1;
  size_t out_size = data[1] % 128 + 1;
  std::string input(reinterpret_cast<const char*>(data) + 2, size - 2);

  // Any octets: errors are fine, crashes and endless loops are not; the output is
  // bounded by what DEFLATE can expand to (1032:1).
  auto inflater = Inflater::create();
  if (!inflater) abort();
  std::string buffer(out_size, '\0');
  size_t total = 0;
  bool failed = false;
  for (size_t at = 0; at < input.size() && !failed; at += piece) {
    std::string_view part = std::string_view(input).substr(at, piece);
    inflater->set_input(std::span<const char>(part.data(), part.size()));
    while (inflater->has_pending()) {
      auto n = inflater->inflate(std::span<char>(buffer));
      if (!n) {
        failed = true;
        break;
      }
      total += *n;
    }
  }
  if (total > input.size() * 1032 + 1024) abort();

  // Round trip.
  auto deflater = Deflater::create();
  auto back = Inflater::create();
  if (!deflater || !back) abort();
  std::string compressed;
  deflater->compress(input.substr(0, input.size() / 2), compressed, false);
  deflater->compress(input.substr(input.size() / 2), compressed, true);
  std::string plain;
  for (size_t at = 0; at < compressed.size(); at += piece) {
    std::string_view part = std::string_view(compressed).substr(at, piece);
    back->set_input(std::span<const char>(part.data(), part.size()));
    while (back->has_pending()) {
      auto n = back->inflate(std::span<char>(buffer));
      if (!n) abort();
      plain.append(buffer.data(), *n);
    }
  }
  if (plain != input) abort();
  return 0;
}
