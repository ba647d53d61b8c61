#include "mime/encoded_word.h"

#include "base/base64.h"
#include "base/strings.h"
#include "mime/charset.h"
#include "mime/header.h"

namespace postamt::mime {
namespace {

struct Word {
  size_t end = 0;  // offset after "?="
  std::string_view charset;
  std::string bytes;  // decoded octets, still in `charset`
};

// Parses one encoded word starting at text[pos] == '='. RFC 2047 §2: no whitespace and
// no '?' inside the encoded text; the charset may carry an RFC 2231 §5 "*language".
std::optional<Word> parse_word(std::string_view text, size_t pos) {
  if (pos + 1 >= text.size() || text[pos + 1] != '?') return std::nullopt;
  size_t cs_start = pos + 2;
  size_t q1 = text.find('?', cs_start);
  if (q1 == std::string_view::npos || q1 == cs_start || q1 + 2 >= text.size()) return std::nullopt;
  if (text[q1 + 2] != '?') return std::nullopt;
  char enc = text[q1 + 1];
  size_t data_start = q1 + 3;
  size_t q2 = data_start;
  while (q2 < text.size() && text[q2] != '?') {
    char c = text[q2];
    if (c == ' ' || c == '\t' || c == '\r' || c == '\n') return std::nullopt;
    ++q2;
  }
  if (q2 + 1 >= text.size() || text[q2 + 1] != '=') return std::nullopt;
  std::string_view charset = text.substr(cs_start, q1 - cs_start);
  for (char c : charset)
    if (c == ' ' || c == '\t' || c == '\r' || c == '\n' || c == '=') return std::nullopt;
  if (size_t star = charset.find('*'); star != std::string_view::npos)
    charset = charset.substr(0, star);
  std::string_view data = text.substr(data_start, q2 - data_start);
  Word w;
  w.end = q2 + 2;
  w.charset = charset;
  if (enc == 'B' || enc == 'b') {
    w.bytes = base64::decode_lenient(data);
  } else if (enc == 'Q' || enc == 'q') {
    w.bytes.reserve(data.size());
    for (size_t i = 0; i < data.size(); ++i) {
      char c = data[i];
      if (c == '_') {
        w.bytes.push_back(' ');
      } else if (c == '=' && i + 2 < data.size() && hex_value(data[i + 1]) >= 0 &&
                 hex_value(data[i + 2]) >= 0) {
        w.bytes.push_back(static_cast<char>(hex_value(data[i + 1]) * 16 + hex_value(data[i + 2])));
        i += 2;
      } else {
        w.bytes.push_back(c);
      }
    }
  } else {
    return std::nullopt;
  }
  return w;
}

}  // namespace

std::string decode_encoded_words(std::string_view text) {
  if (text.find("=?") == std::string_view::npos) return std::string(text);
  std::string out;
  out.reserve(text.size());
  size_t pos = 0;
  // A run of adjacent words in one charset is collected and converted at once.
  std::string run_bytes;
  std::string_view run_charset;
  size_t run_raw_start = 0;
  size_t run_raw_end = 0;
  bool in_run = false;
  auto flush = [&]() {
    if (!in_run) return;
    if (auto u = to_utf8(run_charset, run_bytes))
      out += *u;
    else
      out.append(text.substr(run_raw_start, run_raw_end - run_raw_start));
    in_run = false;
    run_bytes.clear();
  };
  while (pos < text.size()) {
    size_t next = text.find("=?", pos);
    if (next == std::string_view::npos) break;
    auto w = parse_word(text, next);
    if (!w) {
      flush();
      out.append(text.substr(pos, next + 1 - pos));
      pos = next + 1;
      continue;
    }
    std::string_view gap = text.substr(pos, next - pos);
    bool only_space = gap.find_first_not_of(" \t\r\n") == std::string_view::npos;
    if (in_run && only_space) {
      // RFC 2047 §6.2: whitespace between adjacent encoded words is not displayed.
      if (iequals(w->charset, run_charset)) {
        run_bytes += w->bytes;
        run_raw_end = w->end;
        pos = w->end;
        continue;
      }
      flush();
    } else {
      flush();
      out.append(gap);
    }
    in_run = true;
    run_charset = w->charset;
    run_bytes = std::move(w->bytes);
    run_raw_start = next;
    run_raw_end = w->end;
    pos = w->end;
  }
  flush();
  out.append(text.substr(pos));
  return out;
}

std::string decode_unstructured(std::string_view raw_value) {
  return decode_encoded_words(unfold(raw_value));
}

std::string encode_words_utf8(std::string_view utf8) {
  // "=?UTF-8?B?" + "?=" is 12 characters, leaving 63 for base64: 45 input bytes at most.
  constexpr size_t kMaxChunk = 45;
  std::string out;
  size_t i = 0;
  while (i < utf8.size()) {
    size_t n = std::min(kMaxChunk, utf8.size() - i);
    // Back off to a UTF-8 sequence start so no character is split between two words.
    while (n > 0 && i + n < utf8.size() && (static_cast<unsigned char>(utf8[i + n]) & 0xC0) == 0x80)
      --n;
    if (n == 0) n = std::min(kMaxChunk, utf8.size() - i);
    if (!out.empty()) out.push_back(' ');
    out += "=?UTF-8?B?";
    out += base64::encode(utf8.substr(i, n));
    out += "?=";
    i += n;
  }
  return out;
}

}  // namespace postamt::mime
