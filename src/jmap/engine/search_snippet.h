// SearchSnippet text (RFC 8621 §5): the terms of an Email/query filter that are text to
// find, and text HTML-escaped with those terms wrapped in <mark></mark>. Terms match as
// Email/query's search matches them (mail/search.h): each term as one string, ignoring
// case by Unicode simple case folding (mime/text_search.h fold_case).
//
// Threads: pure functions, any thread.
#pragma once

#include <boost/json/value.hpp>

#include <cstddef>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace postamt::jmap {

// The folded, non-empty terms of a filter, from the conditions outside any NOT.
struct SnippetTerms {
  std::vector<std::string> subject;  // "text" and "subject" conditions
  std::vector<std::string> body;     // "text" and "body" conditions
};
// The filter must have compiled (email_filter.h) already; anything else is skipped.
SnippetTerms snippet_terms(const boost::json::value& filter);

// `text` (UTF-8) with &, <, > escaped and each match of a term marked; nullopt when no
// term matches. Overlapping matches are marked as one.
std::optional<std::string> mark_matches(std::string_view text,
                                        const std::vector<std::string>& folded_terms);

// §5: at most this many octets of preview, marks and entities included.
inline constexpr size_t kSnippetPreviewOctets = 255;
// How much text before the first match the preview keeps, in characters.
inline constexpr size_t kSnippetLeadCharacters = 30;

// The relevant section of a body: runs of white space as one space, starting up to
// kSnippetLeadCharacters before the first match (at a word start when there is one),
// escaped and marked as mark_matches(), cut between characters, entities and marks to at
// most `max_octets` octets. nullopt when no term matches.
std::optional<std::string> preview_snippet(std::string_view text,
                                           const std::vector<std::string>& folded_terms,
                                           size_t max_octets = kSnippetPreviewOctets);

// Plain text from HTML for the preview: tags and the content of <script>, <style> and
// <head> removed, &amp; &lt; &gt; &quot; &apos; &nbsp; and numeric references decoded.
std::string html_to_text(std::string_view html);

}  // namespace postamt::jmap
