#include "jmap/engine/search_snippet.h"

#include <boost/json.hpp>

#include <algorithm>
#include <cctype>
#include <utility>

#include "mime/text_search.h"

namespace postamt::jmap {
namespace {

namespace json = boost::json;

// Length of the UTF-8 sequence starting with `lead` (1 for a stray byte).
size_t sequence_length(unsigned char lead) {
  if (lead < 0xC0) return 1;
  if (lead < 0xE0) return 2;
  if (lead < 0xF0) return 3;
  return 4;
}

// `text` folded, with the offset in `text` of each folded byte (plus the end).
struct Folded {
  std::string text;
  std::vector<size_t> origin;
};

Folded fold_with_offsets(std::string_view text) {
  Folded f;
  f.text.reserve(text.size());
  f.origin.reserve(text.size() + 1);
  for (size_t i = 0; i < text.size();) {
    auto c = static_cast<unsigned char>(text[i]);
    if (c < 0x80) {
      f.text += static_cast<char>(std::tolower(c));
      f.origin.push_back(i);
      ++i;
      continue;
    }
    size_t n = std::min(sequence_length(c), text.size() - i);
    std::string piece = mime::fold_case(text.substr(i, n));
    for (char b : piece) {
      f.text += b;
      f.origin.push_back(i);
    }
    i += n;
  }
  f.origin.push_back(text.size());
  return f;
}

using Span = std::pair<size_t, size_t>;  // [begin, end) in the original text

// The matches of the terms, merged where they overlap or touch, in order.
std::vector<Span> find_matches(std::string_view text, const std::vector<std::string>& terms) {
  std::vector<Span> spans;
  if (terms.empty()) return spans;
  Folded f = fold_with_offsets(text);
  for (const std::string& term : terms) {
    for (size_t at = f.text.find(term); at != std::string::npos; at = f.text.find(term, at + 1)) {
      size_t end = at + term.size();
      // A match must cover whole characters of the original.
      size_t begin_original = f.origin[at];
      size_t end_original = end < f.origin.size() ? f.origin[end] : text.size();
      if (end_original > begin_original) spans.emplace_back(begin_original, end_original);
    }
  }
  std::sort(spans.begin(), spans.end());
  std::vector<Span> merged;
  for (const Span& s : spans) {
    if (!merged.empty() && s.first <= merged.back().second)
      merged.back().second = std::max(merged.back().second, s.second);
    else
      merged.push_back(s);
  }
  return merged;
}

void append_escaped(std::string& out, std::string_view text) {
  for (char c : text) {
    if (c == '&')
      out += "&amp;";
    else if (c == '<')
      out += "&lt;";
    else if (c == '>')
      out += "&gt;";
    else
      out += c;
  }
}

std::string escaped(std::string_view text) {
  std::string out;
  append_escaped(out, text);
  return out;
}

std::string collapse_white_space(std::string_view text) {
  std::string out;
  bool space = false;
  for (char c : text) {
    if (c == ' ' || c == '\t' || c == '\r' || c == '\n' || c == '\f' || c == '\v') {
      space = !out.empty();
      continue;
    }
    if (space) out += ' ';
    space = false;
    out += c;
  }
  return out;
}

void collect_terms(const json::value& filter, SnippetTerms& terms, int depth) {
  if (depth > 50 || !filter.is_object()) return;
  const json::object& f = filter.get_object();
  if (auto op = f.find("operator"); op != f.end()) {
    // Terms under NOT are what the Emails do not contain: nothing to mark.
    if (op->value().is_string() && op->value().get_string() == "NOT") return;
    if (auto c = f.find("conditions"); c != f.end() && c->value().is_array())
      for (const json::value& child : c->value().get_array())
        collect_terms(child, terms, depth + 1);
    return;
  }
  auto add = [](std::vector<std::string>& list, const json::value& v) {
    if (!v.is_string() || v.get_string().empty()) return;
    std::string folded = mime::fold_case(v.get_string());
    if (std::find(list.begin(), list.end(), folded) == list.end()) list.push_back(folded);
  };
  for (const auto& [key, value] : f) {
    if (key == "text" || key == "subject") add(terms.subject, value);
    if (key == "text" || key == "body") add(terms.body, value);
  }
}

}  // namespace

SnippetTerms snippet_terms(const json::value& filter) {
  SnippetTerms terms;
  collect_terms(filter, terms, 0);
  return terms;
}

std::optional<std::string> mark_matches(std::string_view text,
                                        const std::vector<std::string>& folded_terms) {
  std::vector<Span> spans = find_matches(text, folded_terms);
  if (spans.empty()) return std::nullopt;
  std::string out;
  size_t at = 0;
  for (const Span& s : spans) {
    append_escaped(out, text.substr(at, s.first - at));
    out += "<mark>";
    append_escaped(out, text.substr(s.first, s.second - s.first));
    out += "</mark>";
    at = s.second;
  }
  append_escaped(out, text.substr(at));
  return out;
}

std::optional<std::string> preview_snippet(std::string_view raw_text,
                                           const std::vector<std::string>& folded_terms,
                                           size_t max_octets) {
  std::string text = collapse_white_space(raw_text);
  std::vector<Span> spans = find_matches(text, folded_terms);
  if (spans.empty()) return std::nullopt;
  // Step back kSnippetLeadCharacters characters, then forward to a word start.
  size_t start = spans.front().first;
  for (size_t chars = 0; start > 0 && chars < kSnippetLeadCharacters; ++chars) {
    --start;
    while (start > 0 && (static_cast<unsigned char>(text[start]) & 0xC0) == 0x80) --start;
  }
  if (start > 0) {
    size_t space = text.find(' ', start);
    if (space != std::string::npos && space + 1 <= spans.front().first) start = space + 1;
  }
  std::string out;
  constexpr std::string_view kOpen = "<mark>", kClose = "</mark>";
  size_t next_span = 0;
  while (next_span < spans.size() && spans[next_span].second <= start) ++next_span;
  bool in_mark = false;
  for (size_t i = start; i < text.size();) {
    if (!in_mark && next_span < spans.size() && i == spans[next_span].first) {
      // Room for the mark, one character and its closing tag, or stop here.
      if (out.size() + kOpen.size() + 4 + kClose.size() > max_octets) break;
      out += kOpen;
      in_mark = true;
    }
    size_t n = std::min(sequence_length(static_cast<unsigned char>(text[i])), text.size() - i);
    std::string piece = escaped(std::string_view(text).substr(i, n));
    size_t reserve = in_mark ? kClose.size() : 0;
    if (out.size() + piece.size() + reserve > max_octets) break;
    out += piece;
    i += n;
    if (in_mark && i >= spans[next_span].second) {
      out += kClose;
      in_mark = false;
      ++next_span;
    }
  }
  if (in_mark) out += kClose;
  return out;
}

std::string html_to_text(std::string_view html) {
  std::string out;
  size_t i = 0;
  auto lower_starts = [&](size_t at, std::string_view word) {
    if (html.size() - at < word.size()) return false;
    for (size_t k = 0; k < word.size(); ++k)
      if (std::tolower(static_cast<unsigned char>(html[at + k])) != word[k]) return false;
    return true;
  };
  while (i < html.size()) {
    char c = html[i];
    if (c == '<') {
      bool skip_content = false;
      std::string_view closing;
      for (std::string_view tag : {"script", "style", "head"}) {
        // The whole name: <header> is not <head>.
        size_t after = i + 1 + tag.size();
        bool whole = after < html.size() && (html[after] == '>' || html[after] == '/' ||
                                             std::isspace(static_cast<unsigned char>(html[after])));
        if (lower_starts(i + 1, tag) && whole) {
          skip_content = true;
          closing = tag;
        }
      }
      size_t end = html.find('>', i);
      if (end == std::string_view::npos) break;
      i = end + 1;
      if (skip_content) {
        std::string close = "</" + std::string(closing);
        size_t at = i;
        while (at < html.size() && !lower_starts(at, close)) ++at;
        size_t after = html.find('>', at);
        i = after == std::string_view::npos ? html.size() : after + 1;
      }
      out += ' ';
      continue;
    }
    if (c == '&') {
      size_t semi = html.find(';', i);
      if (semi != std::string_view::npos && semi - i <= 10) {
        std::string_view name = html.substr(i + 1, semi - i - 1);
        std::string decoded;
        if (name == "amp")
          decoded = "&";
        else if (name == "lt")
          decoded = "<";
        else if (name == "gt")
          decoded = ">";
        else if (name == "quot")
          decoded = "\"";
        else if (name == "apos")
          decoded = "'";
        else if (name == "nbsp")
          decoded = " ";
        else if (name.size() > 1 && name[0] == '#') {
          uint32_t cp = 0;
          bool hex = name[1] == 'x' || name[1] == 'X';
          bool ok = name.size() > (hex ? 2u : 1u);
          for (char d : name.substr(hex ? 2 : 1)) {
            int v = std::isdigit(static_cast<unsigned char>(d)) ? d - '0'
                    : hex && std::isxdigit(static_cast<unsigned char>(d))
                        ? std::tolower(static_cast<unsigned char>(d)) - 'a' + 10
                        : -1;
            if (v < 0 || cp > 0x10FFFF) {
              ok = false;
              break;
            }
            cp = cp * (hex ? 16 : 10) + static_cast<uint32_t>(v);
          }
          if (ok && cp > 0 && cp <= 0x10FFFF && (cp < 0xD800 || cp > 0xDFFF)) {
            if (cp < 0x80) {
              decoded += static_cast<char>(cp);
            } else if (cp < 0x800) {
              decoded += static_cast<char>(0xC0 | (cp >> 6));
              decoded += static_cast<char>(0x80 | (cp & 0x3F));
            } else if (cp < 0x10000) {
              decoded += static_cast<char>(0xE0 | (cp >> 12));
              decoded += static_cast<char>(0x80 | ((cp >> 6) & 0x3F));
              decoded += static_cast<char>(0x80 | (cp & 0x3F));
            } else {
              decoded += static_cast<char>(0xF0 | (cp >> 18));
              decoded += static_cast<char>(0x80 | ((cp >> 12) & 0x3F));
              decoded += static_cast<char>(0x80 | ((cp >> 6) & 0x3F));
              decoded += static_cast<char>(0x80 | (cp & 0x3F));
            }
          }
        }
        if (!decoded.empty()) {
          out += decoded;
          i = semi + 1;
          continue;
        }
      }
    }
    out += c;
    ++i;
  }
  return out;
}

}  // namespace postamt::jmap
