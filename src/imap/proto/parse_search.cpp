// SEARCH arguments (RFC 9051 §6.4.4, RFC 3501 §6.4.4, RFC 4731 ESEARCH, RFC 5182 SAVE,
// RFC 7162 §3.1.5 MODSEQ), and SORT and THREAD's, which end in a search program (RFC
// 5256 §3, RFC 5267 §3 ESORT, RFC 5957).
#include <array>

#include "base/strings.h"
#include "imap/proto/chars.h"
#include "imap/proto/parser.h"

namespace postamt::imap::proto {

namespace {

using K = SearchKey::Kind;

enum class Arg {
  none,
  string,
  date,
  number,
  keyword,
  header,
  set,
  one_key,
  two_keys,
  mod_seq,
  object_id
};

struct KeySpec {
  std::string_view name;
  K kind;
  Arg arg;
};

constexpr std::array<KeySpec, 42> kKeys = {{
    {"ALL", K::all, Arg::none},
    {"ANSWERED", K::answered, Arg::none},
    {"BCC", K::bcc, Arg::string},
    {"BEFORE", K::before, Arg::date},
    {"BODY", K::body, Arg::string},
    {"CC", K::cc, Arg::string},
    {"DELETED", K::deleted, Arg::none},
    {"DRAFT", K::draft, Arg::none},
    {"EMAILID", K::email_id, Arg::object_id},
    {"FLAGGED", K::flagged, Arg::none},
    {"FROM", K::from, Arg::string},
    {"HEADER", K::header, Arg::header},
    {"KEYWORD", K::keyword, Arg::keyword},
    {"LARGER", K::larger, Arg::number},
    {"NEW", K::new_, Arg::none},
    {"NOT", K::not_, Arg::one_key},
    {"OLD", K::old, Arg::none},
    {"ON", K::on, Arg::date},
    {"OR", K::or_, Arg::two_keys},
    {"RECENT", K::recent, Arg::none},
    {"SAVEDATESUPPORTED", K::savedate_supported, Arg::none},
    {"SAVEDBEFORE", K::saved_before, Arg::date},
    {"SAVEDON", K::saved_on, Arg::date},
    {"SAVEDSINCE", K::saved_since, Arg::date},
    {"SEEN", K::seen, Arg::none},
    {"SENTBEFORE", K::sent_before, Arg::date},
    {"SENTON", K::sent_on, Arg::date},
    {"SENTSINCE", K::sent_since, Arg::date},
    {"SINCE", K::since, Arg::date},
    {"SMALLER", K::smaller, Arg::number},
    {"SUBJECT", K::subject, Arg::string},
    {"THREADID", K::thread_id, Arg::object_id},
    {"TEXT", K::text, Arg::string},
    {"TO", K::to, Arg::string},
    {"UID", K::uid, Arg::set},
    {"UNANSWERED", K::unanswered, Arg::none},
    {"UNDELETED", K::undeleted, Arg::none},
    {"UNDRAFT", K::undraft, Arg::none},
    {"UNFLAGGED", K::unflagged, Arg::none},
    {"UNKEYWORD", K::unkeyword, Arg::keyword},
    {"UNSEEN", K::unseen, Arg::none},
    {"MODSEQ", K::mod_seq, Arg::mod_seq},
}};

Result<SearchKey> search_key(Parser& p, size_t depth);

Result<void> key_list(Parser& p, size_t depth, SearchKey& parent) {
  for (;;) {
    auto k = search_key(p, depth);
    if (!k) return k.error();
    parent.children.push_back(std::move(*k));
    if (p.sc.peek() != ' ') return {};
    // A space followed by ")" is not another key; let the caller report it.
    p.sc.consume(' ');
  }
}

// RFC 7162 §3.1.5: "MODSEQ" [SP entry-name SP entry-type-req] SP mod-sequence-valzer
Result<void> mod_seq_args(Parser& p, SearchKey& key) {
  POSTAMT_TRY(p.sc.sp());
  if (p.sc.peek() == '"') {
    auto entry = p.sc.string();
    if (!entry) return entry.error();
    if (!istarts_with(*entry, "/flags/")) return syntax_error("bad MODSEQ entry name");
    POSTAMT_TRY(p.sc.sp());
    if (!p.sc.consume_word("priv") && !p.sc.consume_word("shared") && !p.sc.consume_word("all"))
      return syntax_error("bad MODSEQ entry type");
    POSTAMT_TRY(p.sc.sp());
  }
  auto ms = p.mod_sequence(Parser::Zero::allow);
  if (!ms) return ms.error();
  key.number = *ms;
  return {};
}

Result<SearchKey> search_key(Parser& p, size_t depth) {
  if (depth > p.options.max_search_depth) {
    p.error_kind = ParseErrorKind::limit;
    return syntax_error("search program nested too deeply");
  }
  SearchKey key;
  char c = p.sc.peek();
  if (c == '(') {
    p.sc.consume('(');
    key.kind = K::and_;
    POSTAMT_TRY(key_list(p, depth + 1, key));
    POSTAMT_TRY(p.sc.expect(')', "')' closing the search key list"));
    return key;
  }
  if (chars::is_digit(c) || c == '*' || c == '$') {
    auto set = p.sequence_set();
    if (!set) return set.error();
    key.kind = K::sequence_set;
    key.set = std::move(*set);
    return key;
  }
  auto name = p.sc.atom();
  if (!name) return syntax_error("expected a search key");
  const KeySpec* spec = nullptr;
  for (const KeySpec& s : kKeys)
    if (iequals(s.name, *name)) spec = &s;
  if (!spec) return syntax_error("unknown search key " + std::string(name->substr(0, 32)));
  key.kind = spec->kind;
  switch (spec->arg) {
    case Arg::none:
      break;
    case Arg::string: {
      POSTAMT_TRY(p.sc.sp());
      auto s = p.sc.astring();
      if (!s) return s.error();
      key.text = std::move(*s);
      break;
    }
    case Arg::header: {
      POSTAMT_TRY(p.sc.sp());
      auto h = p.sc.astring();
      if (!h) return h.error();
      POSTAMT_TRY(p.sc.sp());
      auto s = p.sc.astring();
      if (!s) return s.error();
      key.header_name = std::move(*h);
      key.text = std::move(*s);
      break;
    }
    case Arg::keyword: {
      POSTAMT_TRY(p.sc.sp());
      auto kw = p.sc.atom();
      if (!kw) return syntax_error("expected a keyword");
      key.text = std::string(*kw);
      break;
    }
    case Arg::date: {
      POSTAMT_TRY(p.sc.sp());
      auto d = p.sc.date();
      if (!d) return d.error();
      key.date = *d;
      break;
    }
    case Arg::number: {
      POSTAMT_TRY(p.sc.sp());
      auto n = p.sc.number64();
      if (!n) return n.error();
      key.number = *n;
      break;
    }
    case Arg::set: {
      POSTAMT_TRY(p.sc.sp());
      auto set = p.sequence_set();
      if (!set) return set.error();
      key.set = std::move(*set);
      break;
    }
    case Arg::one_key:
    case Arg::two_keys: {
      POSTAMT_TRY(p.sc.sp());
      auto a = search_key(p, depth + 1);
      if (!a) return a.error();
      key.children.push_back(std::move(*a));
      if (spec->arg == Arg::two_keys) {
        POSTAMT_TRY(p.sc.sp());
        auto b = search_key(p, depth + 1);
        if (!b) return b.error();
        key.children.push_back(std::move(*b));
      }
      break;
    }
    case Arg::mod_seq:
      POSTAMT_TRY(mod_seq_args(p, key));
      break;
    case Arg::object_id: {
      // RFC 8474 §7: objectid = 1*255(ALPHA / DIGIT / "_" / "-"), case-sensitive.
      POSTAMT_TRY(p.sc.sp());
      auto id = p.sc.run([](char ch) {
        return (ch >= 'A' && ch <= 'Z') || (ch >= 'a' && ch <= 'z') || chars::is_digit(ch) ||
               ch == '_' || ch == '-';
      });
      if (id.empty() || id.size() > 255 ||
          (p.sc.peek() != ' ' && p.sc.peek() != ')' && !p.sc.rest().empty()))
        return syntax_error("bad object id");
      key.text = std::string(id);
      break;
    }
  }
  return key;
}

// RFC 4731 §3.1 / RFC 9051 §6.4.4 search-return-opts, after "RETURN" SP.
Result<void> return_options(Parser& p, SearchReturn& ret) {
  POSTAMT_TRY(p.sc.expect('(', "'(' opening RETURN options"));
  ret.requested = true;
  bool any = false;
  POSTAMT_TRY(p.elements([&]() -> Result<void> {
    any = true;
    if (p.sc.consume_word("PARTIAL")) {
      // RFC 5267 §4.4: one PARTIAL or one ALL, not both.
      if (ret.partial || ret.all) return syntax_error("PARTIAL and ALL exclude each other");
      POSTAMT_TRY(p.sc.sp());
      auto first = p.sc.nz_number();
      if (!first) return syntax_error("bad PARTIAL range");
      POSTAMT_TRY(p.sc.expect(':', "':' in the PARTIAL range"));
      auto last = p.sc.nz_number();
      if (!last) return syntax_error("bad PARTIAL range");
      ret.partial = PartialRange{std::min(*first, *last), std::max(*first, *last)};
    } else if (p.sc.consume_word("CONTEXT")) {
      ret.context = true;
    } else if (p.sc.consume_word("UPDATE")) {
      ret.update = true;
    } else if (p.sc.consume_word("MIN")) {
      ret.min = true;
    } else if (p.sc.consume_word("MAX")) {
      ret.max = true;
    } else if (p.sc.consume_word("ALL")) {
      if (ret.partial) return syntax_error("PARTIAL and ALL exclude each other");
      ret.all = true;
    } else if (p.sc.consume_word("COUNT")) {
      ret.count = true;
    } else if (p.sc.consume_word("SAVE")) {
      ret.save = true;
    } else {
      return syntax_error("unknown RETURN option");
    }
    return {};
  }));
  // RFC 4731 §3.1: "RETURN ()" is the same as "RETURN (ALL)".
  if (!any) ret.all = true;
  return {};
}

// ["RETURN" SP "(" options ")" SP], as SEARCH and SORT begin.
Result<void> optional_return(Parser& p, SearchReturn& ret) {
  if (!p.sc.consume_word("RETURN")) return {};
  POSTAMT_TRY(p.sc.sp());
  POSTAMT_TRY(return_options(p, ret));
  return p.sc.sp();
}

// A charset argument: US-ASCII and UTF-8 are taken; any other is NO [BADCHARSET]
// (RFC 9051 §6.4.4, RFC 5256 §3).
Result<SearchCharset> charset(Parser& p) {
  auto cs = p.sc.astring();
  if (!cs) return cs.error();
  if (iequals(*cs, "UTF-8")) return SearchCharset::utf8;
  if (iequals(*cs, "US-ASCII")) return SearchCharset::us_ascii;
  p.error_kind = ParseErrorKind::bad_charset;
  return syntax_error("unsupported charset");
}

// RFC 5256 §5 sort-criteria, RFC 5957 §4 DISPLAYFROM / DISPLAYTO.
Result<std::vector<SortCriterion>> sort_criteria(Parser& p) {
  static constexpr std::pair<std::string_view, SortKeyName> kSortKeys[] = {
      {"ARRIVAL", SortKeyName::arrival},
      {"CC", SortKeyName::cc},
      {"DATE", SortKeyName::date},
      {"FROM", SortKeyName::from},
      {"SIZE", SortKeyName::size},
      {"SUBJECT", SortKeyName::subject},
      {"TO", SortKeyName::to},
      {"DISPLAYFROM", SortKeyName::display_from},
      {"DISPLAYTO", SortKeyName::display_to}};
  std::vector<SortCriterion> out;
  POSTAMT_TRY(p.sc.expect('(', "'(' opening the sort criteria"));
  for (;;) {
    SortCriterion criterion;
    auto word = p.sc.atom();
    if (!word) return syntax_error("expected a sort key");
    if (iequals(*word, "REVERSE")) {
      criterion.reverse = true;
      POSTAMT_TRY(p.sc.sp());
      word = p.sc.atom();
      if (!word) return syntax_error("expected a sort key after REVERSE");
    }
    bool known = false;
    for (const auto& [name, key] : kSortKeys) {
      if (iequals(name, *word)) {
        criterion.key = key;
        known = true;
      }
    }
    if (!known) return syntax_error("unknown sort key " + std::string(word->substr(0, 32)));
    if (out.size() == kMaxSortCriteria) {
      p.error_kind = ParseErrorKind::limit;
      return syntax_error("too many sort criteria");
    }
    out.push_back(criterion);
    if (!p.sc.consume(' ')) break;
  }
  POSTAMT_TRY(p.sc.expect(')', "')' closing the sort criteria"));
  return out;
}

// SORT's and THREAD's ending (RFC 5256 §5): SP charset 1*(SP search-key).
Result<void> charset_and_program(Parser& p, SearchCharset& cs, SearchKey& program) {
  POSTAMT_TRY(p.sc.sp());
  auto given = charset(p);
  if (!given) return given.error();
  cs = *given;
  POSTAMT_TRY(p.sc.sp());
  program.kind = K::and_;
  POSTAMT_TRY(key_list(p, 1, program));
  return p.sc.end();
}

}  // namespace

Result<SortCmd> parse_sort(Parser& p, NumberKind numbers) {
  SortCmd cmd;
  cmd.numbers = numbers;
  POSTAMT_TRY(p.sc.sp());
  // RFC 5267 §3: the RETURN options come right after the command name.
  POSTAMT_TRY(optional_return(p, cmd.returns));
  auto criteria = sort_criteria(p);
  if (!criteria) return criteria.error();
  cmd.criteria = std::move(*criteria);
  POSTAMT_TRY(charset_and_program(p, cmd.charset, cmd.key));
  return cmd;
}

Result<ThreadCmd> parse_thread(Parser& p, NumberKind numbers) {
  ThreadCmd cmd;
  cmd.numbers = numbers;
  POSTAMT_TRY(p.sc.sp());
  auto algorithm = p.sc.atom();
  if (!algorithm) return syntax_error("expected a threading algorithm");
  if (iequals(*algorithm, "REFERENCES")) {
    cmd.algorithm = ThreadAlgorithmName::references;
  } else if (iequals(*algorithm, "ORDEREDSUBJECT")) {
    cmd.algorithm = ThreadAlgorithmName::ordered_subject;
  } else {
    return syntax_error("unknown threading algorithm " + std::string(algorithm->substr(0, 32)));
  }
  POSTAMT_TRY(charset_and_program(p, cmd.charset, cmd.key));
  return cmd;
}

Result<SearchCmd> parse_search(Parser& p, NumberKind numbers) {
  SearchCmd cmd;
  cmd.numbers = numbers;
  POSTAMT_TRY(p.sc.sp());
  POSTAMT_TRY(optional_return(p, cmd.returns));
  if (p.sc.consume_word("CHARSET")) {
    POSTAMT_TRY(p.sc.sp());
    auto cs = charset(p);
    if (!cs) return cs.error();
    cmd.charset = *cs;
    cmd.charset_given = true;
    POSTAMT_TRY(p.sc.sp());
  }
  cmd.key.kind = K::and_;
  POSTAMT_TRY(key_list(p, 1, cmd.key));
  POSTAMT_TRY(p.sc.end());
  return cmd;
}

}  // namespace postamt::imap::proto
