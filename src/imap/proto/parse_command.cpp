#include "imap/proto/parse_command.h"

#include <algorithm>
#include <array>

#include "base/base64.h"
#include "base/strings.h"
#include "imap/proto/chars.h"
#include "imap/proto/parser.h"

namespace postamt::imap::proto {

Result<std::string> Parser::mailbox(NameUse use) {
  auto raw = sc.astring();
  if (!raw) return raw.error();
  auto name = mailbox_from_wire(*raw, options.mailbox_encoding);
  if (!name) {
    error_kind = use == NameUse::create ? ParseErrorKind::invalid_mailbox_name
                                        : ParseErrorKind::no_such_mailbox;
    return name.error();
  }
  return std::move(*name);
}

Result<SequenceSet> Parser::sequence_set(AllowSaved allow_saved) {
  auto token = sc.run(
      [](char c) { return chars::is_digit(c) || c == ':' || c == ',' || c == '*' || c == '$'; });
  auto set = parse_sequence_set(token, allow_saved);
  if (!set) return syntax_error("bad sequence set");
  return std::move(*set);
}

Result<uint64_t> Parser::mod_sequence(Zero zero) {
  auto n = sc.number64();
  if (!n) return syntax_error("bad mod-sequence value");
  if (*n == 0 && zero == Zero::reject) return syntax_error("mod-sequence value must not be 0");
  return *n;
}

Result<std::vector<StatusItem>> Parser::status_items() {
  static constexpr std::array<std::pair<std::string_view, StatusItem>, 11> kItems = {{
      {"MESSAGES", StatusItem::messages},
      {"MAILBOXID", StatusItem::mailbox_id},
      {"RECENT", StatusItem::recent},
      {"UIDNEXT", StatusItem::uid_next},
      {"UIDVALIDITY", StatusItem::uid_validity},
      {"UNSEEN", StatusItem::unseen},
      {"DELETED", StatusItem::deleted},
      {"DELETED-STORAGE", StatusItem::deleted_storage},
      {"SIZE", StatusItem::size},
      {"HIGHESTMODSEQ", StatusItem::highest_mod_seq},
      {"APPENDLIMIT", StatusItem::append_limit},
  }};
  POSTAMT_TRY(sc.expect('(', "'(' opening the status items"));
  std::vector<StatusItem> items;
  for (;;) {
    auto name = sc.atom();
    if (!name) return syntax_error("expected a status item");
    auto it = std::find_if(kItems.begin(), kItems.end(),
                           [&](const auto& kv) { return iequals(kv.first, *name); });
    if (it == kItems.end())
      return syntax_error("unknown status item " + std::string(name->substr(0, 32)));
    items.push_back(it->second);
    if (sc.consume(')')) return items;
    POSTAMT_TRY(sc.sp());
  }
}

namespace {

template <class T>
Result<CommandBody> no_arguments(Parser& p) {
  POSTAMT_TRY(p.sc.end());
  return CommandBody(T{});
}

Result<CommandBody> authenticate(Parser& p) {
  AuthenticateCmd cmd;
  POSTAMT_TRY(p.sc.sp());
  auto mech = p.sc.atom();
  if (!mech) return syntax_error("expected a mechanism name");
  cmd.mechanism = ascii_upper(*mech);
  if (p.sc.consume(' ')) {
    // RFC 4959 §3: initial-resp = base64 / "="; "=" is an empty response.
    auto ir = p.sc.run([](char c) {
      return (c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') || chars::is_digit(c) || c == '+' ||
             c == '/' || c == '=';
    });
    if (ir == "=") {
      cmd.initial_response = std::string();
    } else {
      auto decoded = base64::decode(ir);
      if (ir.empty() || !decoded) return syntax_error("bad base64 initial response");
      cmd.initial_response = std::move(*decoded);
    }
  }
  POSTAMT_TRY(p.sc.end());
  return CommandBody(std::move(cmd));
}

Result<CommandBody> login(Parser& p) {
  LoginCmd cmd;
  POSTAMT_TRY(p.sc.sp());
  auto user = p.sc.astring();
  if (!user) return user.error();
  POSTAMT_TRY(p.sc.sp());
  auto pass = p.sc.astring();
  if (!pass) return pass.error();
  POSTAMT_TRY(p.sc.end());
  cmd.userid = std::move(*user);
  cmd.password = std::move(*pass);
  return CommandBody(std::move(cmd));
}

// RFC 7162 §3.2.5: "QRESYNC" SP "(" uidvalidity SP mod-sequence-value [SP known-uids]
// [SP seq-match-data] ")"
Result<QresyncParams> qresync_params(Parser& p) {
  QresyncParams q;
  POSTAMT_TRY(p.sc.sp());
  POSTAMT_TRY(p.sc.expect('(', "'(' opening QRESYNC parameters"));
  auto uv = p.sc.nz_number();
  if (!uv) return syntax_error("bad UIDVALIDITY in QRESYNC");
  q.uid_validity = *uv;
  POSTAMT_TRY(p.sc.sp());
  auto ms = p.mod_sequence(Parser::Zero::reject);
  if (!ms) return ms.error();
  q.mod_seq = *ms;
  auto no_star = [](const SequenceSet& s) {
    return std::none_of(s.ranges().begin(), s.ranges().end(),
                        [](const SeqRange& r) { return r.first == kStar || r.last == kStar; });
  };
  if (p.sc.consume(' ')) {
    if (p.sc.peek() != '(') {
      auto known = p.sequence_set(AllowSaved::no);
      if (!known) return known.error();
      // RFC 7162 §7: known-uids is a sequence-set in which "*" is not allowed.
      if (!no_star(*known)) return syntax_error("'*' not allowed in known UIDs");
      q.known_uids = std::move(*known);
      if (p.sc.consume(' ') && p.sc.peek() != '(') return syntax_error("expected '('");
    }
    if (p.sc.consume('(')) {
      auto seqs = p.sequence_set(AllowSaved::no);
      if (!seqs) return seqs.error();
      POSTAMT_TRY(p.sc.sp());
      auto uids = p.sequence_set(AllowSaved::no);
      if (!uids) return uids.error();
      POSTAMT_TRY(p.sc.expect(')', "')' closing the sequence match data"));
      q.known_sequence_set = std::move(*seqs);
      q.known_uid_set = std::move(*uids);
    }
  }
  POSTAMT_TRY(p.sc.expect(')', "')' closing QRESYNC parameters"));
  return q;
}

Result<CommandBody> select(Parser& p, SelectMode mode) {
  SelectCmd cmd;
  cmd.mode = mode;
  POSTAMT_TRY(p.sc.sp());
  auto mbox = p.mailbox();
  if (!mbox) return mbox.error();
  cmd.mailbox = std::move(*mbox);
  if (p.sc.consume(' ')) {
    POSTAMT_TRY(p.sc.expect('(', "'(' opening select parameters"));
    POSTAMT_TRY(p.elements([&]() -> Result<void> {
      if (p.sc.consume_word("CONDSTORE")) {
        cmd.condstore = Condstore::on;
      } else if (p.sc.consume_word("QRESYNC")) {
        auto q = qresync_params(p);
        if (!q) return q.error();
        cmd.qresync = std::move(*q);
      } else {
        return syntax_error("unknown select parameter");
      }
      return {};
    }));
  }
  POSTAMT_TRY(p.sc.end());
  return CommandBody(std::move(cmd));
}

// Canonical spelling of a special-use attribute (RFC 6154 §2), or the input unchanged
// for extensions.
std::string special_use_name(std::string_view flag) {
  static constexpr std::array<std::string_view, 7> kUses = {
      "\\All", "\\Archive", "\\Drafts", "\\Flagged", "\\Junk", "\\Sent", "\\Trash"};
  for (std::string_view u : kUses)
    if (iequals(u, flag)) return std::string(u);
  return std::string(flag);
}

Result<CommandBody> create(Parser& p) {
  CreateCmd cmd;
  POSTAMT_TRY(p.sc.sp());
  auto mbox = p.mailbox(Parser::NameUse::create);
  if (!mbox) return mbox.error();
  cmd.mailbox = std::move(*mbox);
  if (p.sc.consume(' ')) {
    // RFC 6154 §6: create-param =/ "USE" SP "(" [use-attr *(SP use-attr)] ")"
    POSTAMT_TRY(p.sc.expect('(', "'(' opening create parameters"));
    if (!p.sc.consume_word("USE")) return syntax_error("unknown create parameter");
    POSTAMT_TRY(p.sc.sp());
    POSTAMT_TRY(p.sc.expect('(', "'(' opening the USE list"));
    POSTAMT_TRY(p.elements([&]() -> Result<void> {
      if (!p.sc.consume('\\')) return syntax_error("expected a special-use attribute");
      auto a = p.sc.atom();
      if (!a) return a.error();
      cmd.special_use.push_back(special_use_name("\\" + std::string(*a)));
      return {};
    }));
    POSTAMT_TRY(p.sc.expect(')', "')' closing create parameters"));
  }
  POSTAMT_TRY(p.sc.end());
  return CommandBody(std::move(cmd));
}

template <class T>
Result<CommandBody> one_mailbox(Parser& p, T cmd) {
  POSTAMT_TRY(p.sc.sp());
  auto mbox = p.mailbox();
  if (!mbox) return mbox.error();
  POSTAMT_TRY(p.sc.end());
  cmd.mailbox = std::move(*mbox);
  return CommandBody(std::move(cmd));
}

Result<CommandBody> rename(Parser& p) {
  RenameCmd cmd;
  POSTAMT_TRY(p.sc.sp());
  auto from = p.mailbox();
  if (!from) return from.error();
  POSTAMT_TRY(p.sc.sp());
  auto to = p.mailbox(Parser::NameUse::create);
  if (!to) return to.error();
  POSTAMT_TRY(p.sc.end());
  cmd.from = std::move(*from);
  cmd.to = std::move(*to);
  return CommandBody(std::move(cmd));
}

Result<std::string> list_pattern(Parser& p) {
  auto raw = p.sc.list_mailbox();
  if (!raw) return raw.error();
  auto name = mailbox_from_wire(*raw, p.options.mailbox_encoding);
  if (!name) return syntax_error("bad mailbox pattern");
  return std::move(*name);
}

// RFC 5258 §3.1 list-select-opts.
Result<void> list_select_options(Parser& p, ListSelect& sel) {
  bool base = false;
  POSTAMT_TRY(p.elements([&]() -> Result<void> {
    if (p.sc.consume_word("SUBSCRIBED")) {
      sel.subscribed = base = true;
    } else if (p.sc.consume_word("REMOTE")) {
      sel.remote = true;
    } else if (p.sc.consume_word("RECURSIVEMATCH")) {
      sel.recursive_match = true;
    } else if (p.sc.consume_word("SPECIAL-USE")) {
      sel.special_use = base = true;  // RFC 6154 §5.2; an option-extension, so a base option
    } else {
      // RFC 5258 §3.1: unrecognised selection options MUST be rejected with BAD.
      return syntax_error("unknown LIST selection option");
    }
    return {};
  }));
  if (sel.recursive_match && !base) return syntax_error("RECURSIVEMATCH needs a base option");
  return {};
}

// RFC 5258 §3.2 list-return-opts (after "RETURN" SP).
Result<void> list_return_options(Parser& p, ListReturn& ret) {
  POSTAMT_TRY(p.sc.expect('(', "'(' opening LIST return options"));
  return p.elements([&]() -> Result<void> {
    if (p.sc.consume_word("SUBSCRIBED")) {
      ret.subscribed = true;
    } else if (p.sc.consume_word("CHILDREN")) {
      ret.children = true;
    } else if (p.sc.consume_word("SPECIAL-USE")) {
      ret.special_use = true;
    } else if (p.sc.consume_word("STATUS")) {
      POSTAMT_TRY(p.sc.sp());
      auto items = p.status_items();
      if (!items) return items.error();
      ret.status = std::move(*items);
    } else {
      return syntax_error("unknown LIST return option");
    }
    return {};
  });
}

Result<CommandBody> list(Parser& p, ListCmd::Kind kind) {
  ListCmd cmd;
  cmd.kind = kind;
  POSTAMT_TRY(p.sc.sp());
  if (kind == ListCmd::Kind::list && p.sc.consume('(')) {
    cmd.extended = true;
    POSTAMT_TRY(list_select_options(p, cmd.select));
    POSTAMT_TRY(p.sc.sp());
  }
  auto ref = p.mailbox();
  if (!ref) return ref.error();
  cmd.reference = std::move(*ref);
  POSTAMT_TRY(p.sc.sp());
  if (kind == ListCmd::Kind::list && p.sc.consume('(')) {
    cmd.extended = true;
    for (;;) {
      auto pat = list_pattern(p);
      if (!pat) return pat.error();
      cmd.patterns.push_back(std::move(*pat));
      if (p.sc.consume(')')) break;
      POSTAMT_TRY(p.sc.sp());
    }
  } else {
    auto pat = list_pattern(p);
    if (!pat) return pat.error();
    cmd.patterns.push_back(std::move(*pat));
  }
  if (kind == ListCmd::Kind::list && p.sc.consume(' ')) {
    if (!p.sc.consume_word("RETURN")) return syntax_error("expected RETURN");
    cmd.extended = true;
    POSTAMT_TRY(p.sc.sp());
    POSTAMT_TRY(list_return_options(p, cmd.returns));
  }
  POSTAMT_TRY(p.sc.end());
  return CommandBody(std::move(cmd));
}

Result<CommandBody> status(Parser& p) {
  StatusCmd cmd;
  POSTAMT_TRY(p.sc.sp());
  auto mbox = p.mailbox();
  if (!mbox) return mbox.error();
  cmd.mailbox = std::move(*mbox);
  POSTAMT_TRY(p.sc.sp());
  auto items = p.status_items();
  if (!items) return items.error();
  cmd.items = std::move(*items);
  POSTAMT_TRY(p.sc.end());
  return CommandBody(std::move(cmd));
}

// RFC 6855 §4: utf8-literal = "UTF8" SP "(" literal8 ")", after the word UTF8.
Result<std::string> utf8_literal(Parser& p) {
  POSTAMT_TRY(p.sc.sp());
  POSTAMT_TRY(p.sc.expect('(', "'(' opening the UTF8 data"));
  if (p.sc.peek() != '~') return syntax_error("expected a literal8");
  auto text = p.sc.string(LiteralForm::binary);
  if (!text) return text.error();
  POSTAMT_TRY(p.sc.expect(')', "')' closing the UTF8 data"));
  return text;
}

// RFC 4469 §5: "CATENATE" SP "(" cat-part *(SP cat-part) ")", cat-part = "TEXT" SP
// literal / "URL" SP astring, and RFC 6855 §4's cat-part =/ utf8-literal. A URL that
// does not parse is kept as written for NO [BADURL], not a syntax error.
Result<void> catenate_parts(Parser& p, AppendMessage& m) {
  m.catenate = true;
  POSTAMT_TRY(p.sc.sp());
  POSTAMT_TRY(p.sc.expect('(', "'(' opening the CATENATE parts"));
  do {
    if (m.parts.size() == kMaxCatenateParts) return syntax_error("too many CATENATE parts");
    CatenatePart part;
    if (p.sc.consume_word("TEXT")) {
      POSTAMT_TRY(p.sc.sp());
      if (p.sc.peek() != '{' && p.sc.peek() != '~') return syntax_error("expected a literal");
      auto text = p.sc.string(LiteralForm::binary);
      if (!text) return text.error();
      part.text = std::move(*text);
    } else if (p.sc.consume_word("UTF8")) {
      auto text = utf8_literal(p);
      if (!text) return text.error();
      part.text = std::move(*text);
      part.utf8 = true;
    } else if (p.sc.consume_word("URL")) {
      POSTAMT_TRY(p.sc.sp());
      auto url = p.sc.astring();
      if (!url) return url.error();
      part.kind = CatenatePart::Kind::url;
      part.text = std::move(*url);
      if (auto parsed = parse_imap_url(part.text)) part.url = std::move(*parsed);
    } else {
      return syntax_error("expected TEXT, UTF8 or URL");
    }
    m.parts.push_back(std::move(part));
  } while (p.sc.consume(' '));
  return p.sc.expect(')', "')' closing the CATENATE parts");
}

// RFC 3502 §6.3.11: "APPEND" SP mailbox 1*append-message, each
// append-message = SP [flag-list SP] [date-time SP] append-data, append-data a literal,
// a literal8 (RFC 3516), CATENATE (RFC 4469) or UTF8 (RFC 6855 §4).
Result<CommandBody> append(Parser& p) {
  AppendCmd cmd;
  POSTAMT_TRY(p.sc.sp());
  auto mbox = p.mailbox();
  if (!mbox) return mbox.error();
  cmd.mailbox = std::move(*mbox);
  do {
    if (cmd.messages.size() == kMaxAppendMessages)
      return syntax_error("too many messages in one APPEND");
    POSTAMT_TRY(p.sc.sp());
    AppendMessage m;
    if (p.sc.peek() == '(') {
      auto flags = p.sc.flag_list();
      if (!flags) return flags.error();
      m.flags = std::move(*flags);
      POSTAMT_TRY(p.sc.sp());
    }
    if (p.sc.peek() == '"') {
      auto dt = p.sc.date_time();
      if (!dt) return dt.error();
      m.internal_date = *dt;
      POSTAMT_TRY(p.sc.sp());
    }
    if (p.sc.consume_word("CATENATE")) {
      POSTAMT_TRY(catenate_parts(p, m));
      cmd.messages.push_back(std::move(m));
      continue;
    }
    if (p.sc.consume_word("UTF8")) {
      auto msg = utf8_literal(p);
      if (!msg) return msg.error();
      m.message = std::move(*msg);
      m.form = MessageForm::literal8;
      m.utf8 = true;
      cmd.messages.push_back(std::move(m));
      continue;
    }
    if (p.sc.peek() != '{' && p.sc.peek() != '~') return syntax_error("expected a literal");
    auto msg = p.sc.string(LiteralForm::binary);
    if (!msg) return msg.error();
    m.message = std::move(*msg);
    m.form = p.sc.last_form() == LiteralForm::binary ? MessageForm::literal8 : MessageForm::literal;
    cmd.messages.push_back(std::move(m));
  } while (!p.sc.at_end());
  return CommandBody(std::move(cmd));
}

Result<std::vector<std::string>> store_flags(Parser& p) {
  if (p.sc.peek() == '(') return p.sc.flag_list();
  std::vector<std::string> flags;
  for (;;) {
    auto f = p.sc.flag();
    if (!f) return f.error();
    flags.push_back(std::move(*f));
    if (!p.sc.consume(' ')) return flags;
  }
}

Result<CommandBody> store(Parser& p, NumberKind numbers) {
  StoreCmd cmd;
  cmd.numbers = numbers;
  POSTAMT_TRY(p.sc.sp());
  auto set = p.sequence_set();
  if (!set) return set.error();
  cmd.set = std::move(*set);
  POSTAMT_TRY(p.sc.sp());
  if (p.sc.consume('(')) {
    // RFC 7162 §3.1.3: store-modifier = "UNCHANGEDSINCE" SP mod-sequence-valzer
    if (!p.sc.consume_word("UNCHANGEDSINCE")) return syntax_error("unknown STORE modifier");
    POSTAMT_TRY(p.sc.sp());
    auto ms = p.mod_sequence(Parser::Zero::allow);
    if (!ms) return ms.error();
    cmd.unchanged_since = *ms;
    POSTAMT_TRY(p.sc.expect(')', "')' closing STORE modifiers"));
    POSTAMT_TRY(p.sc.sp());
  }
  if (p.sc.consume('+'))
    cmd.mode = StoreMode::add;
  else if (p.sc.consume('-'))
    cmd.mode = StoreMode::remove;
  if (p.sc.consume_word("FLAGS.SILENT")) {
    cmd.silent = Silent::yes;
  } else if (!p.sc.consume_word("FLAGS")) {
    return syntax_error("expected FLAGS or FLAGS.SILENT");
  }
  POSTAMT_TRY(p.sc.sp());
  auto flags = store_flags(p);
  if (!flags) return flags.error();
  cmd.flags = std::move(*flags);
  POSTAMT_TRY(p.sc.end());
  return CommandBody(std::move(cmd));
}

Result<CommandBody> copy(Parser& p, Transfer action, NumberKind numbers) {
  CopyCmd cmd;
  cmd.action = action;
  cmd.numbers = numbers;
  POSTAMT_TRY(p.sc.sp());
  auto set = p.sequence_set();
  if (!set) return set.error();
  cmd.set = std::move(*set);
  POSTAMT_TRY(p.sc.sp());
  auto mbox = p.mailbox();
  if (!mbox) return mbox.error();
  cmd.mailbox = std::move(*mbox);
  POSTAMT_TRY(p.sc.end());
  return CommandBody(std::move(cmd));
}

Result<CommandBody> uid_expunge(Parser& p) {
  ExpungeCmd cmd;
  POSTAMT_TRY(p.sc.sp());
  auto set = p.sequence_set();
  if (!set) return set.error();
  cmd.uids = std::move(*set);
  POSTAMT_TRY(p.sc.end());
  return CommandBody(std::move(cmd));
}

Result<CommandBody> id(Parser& p) {
  IdCmd cmd;
  POSTAMT_TRY(p.sc.sp());
  if (p.sc.consume_word("NIL")) {
    POSTAMT_TRY(p.sc.end());
    return CommandBody(std::move(cmd));
  }
  // RFC 2971 §4: "(" #(string SPACE nstring) ")" / nil
  POSTAMT_TRY(p.sc.expect('(', "'(' or NIL"));
  cmd.params.emplace();
  POSTAMT_TRY(p.elements([&]() -> Result<void> {
    auto key = p.sc.string();
    if (!key) return key.error();
    POSTAMT_TRY(p.sc.sp());
    auto value = p.sc.nstring();
    if (!value) return value.error();
    cmd.params->emplace_back(std::move(*key), std::move(*value));
    return {};
  }));
  POSTAMT_TRY(p.sc.end());
  return CommandBody(std::move(cmd));
}

Result<CommandBody> enable(Parser& p) {
  EnableCmd cmd;
  do {
    POSTAMT_TRY(p.sc.sp());
    auto cap = p.sc.atom();
    if (!cap) return syntax_error("expected a capability name");
    cmd.capabilities.push_back(ascii_upper(*cap));
  } while (!p.sc.at_end());
  return CommandBody(std::move(cmd));
}

// RFC 5464 §3.2: "/private/..." or "/shared/..." with at least two components (four
// under "vendor"), no "//", no trailing "/", no '*' or '%', printable US-ASCII only.
Result<std::string> metadata_entry(Parser& p) {
  auto name = p.sc.astring();
  if (!name) return name.error();
  const std::string& n = *name;
  bool printable = std::all_of(
      n.begin(), n.end(), [](char c) { return c >= 0x20 && c < 0x7f && c != '*' && c != '%'; });
  std::string lower = ascii_lower(n);
  size_t parts = static_cast<size_t>(std::count(n.begin(), n.end(), '/'));
  bool scoped = lower.starts_with("/private/") || lower.starts_with("/shared/");
  bool vendor = lower.starts_with("/private/vendor/") || lower.starts_with("/shared/vendor/") ||
                lower == "/private/vendor" || lower == "/shared/vendor";
  if (!printable || !scoped || n.find("//") != std::string::npos || n.back() == '/' || parts < 2 ||
      (vendor && parts < 4))
    return syntax_error("bad metadata entry name");
  return std::move(*name);
}

// RFC 5464 §5 (and the examples of §4.2, which put the options after the mailbox):
// "GETMETADATA" [SP options] SP mailbox [SP options] SP (entry / "(" entry *(SP entry) ")")
Result<void> getmetadata_options(Parser& p, GetMetadataCmd& cmd) {
  POSTAMT_TRY(p.sc.expect('(', "'(' opening the options"));
  do {
    if (p.sc.consume_word("MAXSIZE")) {
      POSTAMT_TRY(p.sc.sp());
      auto n = p.sc.number64();
      if (!n) return syntax_error("bad MAXSIZE");
      cmd.max_size = *n;
    } else if (p.sc.consume_word("DEPTH")) {
      POSTAMT_TRY(p.sc.sp());
      if (p.sc.consume_word("INFINITY"))
        cmd.depth = MetadataDepth::infinity;
      else if (p.sc.consume('0'))
        cmd.depth = MetadataDepth::zero;
      else if (p.sc.consume('1'))
        cmd.depth = MetadataDepth::one;
      else
        return syntax_error("bad DEPTH");
    } else {
      return syntax_error("unknown GETMETADATA option");
    }
  } while (p.sc.consume(' '));
  return p.sc.expect(')', "')' closing the options");
}

Result<CommandBody> getmetadata(Parser& p) {
  GetMetadataCmd cmd;
  POSTAMT_TRY(p.sc.sp());
  if (p.sc.peek() == '(') {
    POSTAMT_TRY(getmetadata_options(p, cmd));
    POSTAMT_TRY(p.sc.sp());
  }
  // "" is the server; any other name is a mailbox, decoded as elsewhere.
  auto mbox = p.mailbox();
  if (!mbox) return mbox.error();
  cmd.mailbox = std::move(*mbox);
  POSTAMT_TRY(p.sc.sp());
  if (p.sc.peek() == '(') {
    // Options, or the entry list: an entry starts with '/'.
    Scanner probe = p.sc;
    probe.consume('(');
    if (probe.peek() != '/' && probe.peek() != '"') {
      POSTAMT_TRY(getmetadata_options(p, cmd));
      POSTAMT_TRY(p.sc.sp());
    }
  }
  if (p.sc.consume('(')) {
    do {
      auto entry = metadata_entry(p);
      if (!entry) return entry.error();
      cmd.entries.push_back(std::move(*entry));
    } while (p.sc.consume(' '));
    POSTAMT_TRY(p.sc.expect(')', "')' closing the entries"));
  } else {
    auto entry = metadata_entry(p);
    if (!entry) return entry.error();
    cmd.entries.push_back(std::move(*entry));
  }
  POSTAMT_TRY(p.sc.end());
  return CommandBody(std::move(cmd));
}

// RFC 5464 §5: "SETMETADATA" SP mailbox SP "(" entry SP value *(SP entry SP value) ")",
// value = nstring / literal8.
Result<CommandBody> setmetadata(Parser& p) {
  SetMetadataCmd cmd;
  POSTAMT_TRY(p.sc.sp());
  auto mbox = p.mailbox();
  if (!mbox) return mbox.error();
  cmd.mailbox = std::move(*mbox);
  POSTAMT_TRY(p.sc.sp());
  POSTAMT_TRY(p.sc.expect('(', "'(' opening the entries"));
  do {
    auto entry = metadata_entry(p);
    if (!entry) return entry.error();
    POSTAMT_TRY(p.sc.sp());
    std::optional<std::string> value;
    if (!p.sc.consume_word("NIL")) {
      auto v = p.sc.string(LiteralForm::binary);
      if (!v) return v.error();
      value = std::move(*v);
    }
    cmd.entries.emplace_back(std::move(*entry), std::move(value));
  } while (p.sc.consume(' '));
  POSTAMT_TRY(p.sc.expect(')', "')' closing the entries"));
  POSTAMT_TRY(p.sc.end());
  return CommandBody(std::move(cmd));
}

// RFC 5267 §5: "CANCELUPDATE" 1*(SP tag-string), tag-string = string.
Result<CommandBody> cancel_update(Parser& p) {
  CancelUpdateCmd cmd;
  do {
    POSTAMT_TRY(p.sc.sp());
    auto tag = p.sc.astring();
    if (!tag) return tag.error();
    cmd.tags.push_back(std::move(*tag));
  } while (!p.sc.at_end());
  return CommandBody(std::move(cmd));
}

// RFC 4978 §5: "COMPRESS" SP algorithm, an atom.
Result<CommandBody> compress(Parser& p) {
  POSTAMT_TRY(p.sc.sp());
  auto mechanism = p.sc.atom();
  if (!mechanism) return syntax_error("expected a compression mechanism");
  POSTAMT_TRY(p.sc.end());
  return CommandBody(CompressCmd{ascii_upper(*mechanism)});
}

Result<CommandBody> get_quota(Parser& p) {
  GetQuotaCmd cmd;
  POSTAMT_TRY(p.sc.sp());
  auto root = p.sc.astring();
  if (!root) return root.error();
  POSTAMT_TRY(p.sc.end());
  cmd.root = std::move(*root);
  return CommandBody(std::move(cmd));
}

template <class T>
Result<CommandBody> wrap(Result<T> r) {
  if (!r) return r.error();
  return CommandBody(std::move(*r));
}

Result<CommandBody> uid_command(Parser& p, std::string& name) {
  POSTAMT_TRY(p.sc.sp());
  auto sub = p.sc.atom();
  if (!sub) return syntax_error("expected a command after UID");
  std::string s = ascii_upper(*sub);
  name = "UID " + s;
  if (s == "FETCH") return wrap(parse_fetch(p, NumberKind::uid));
  if (s == "SEARCH") return wrap(parse_search(p, NumberKind::uid));
  if (s == "SORT") return wrap(parse_sort(p, NumberKind::uid));
  if (s == "THREAD") return wrap(parse_thread(p, NumberKind::uid));
  if (s == "STORE") return store(p, NumberKind::uid);
  if (s == "COPY") return copy(p, Transfer::copy, NumberKind::uid);
  if (s == "MOVE") return copy(p, Transfer::move, NumberKind::uid);
  if (s == "EXPUNGE") return uid_expunge(p);
  return syntax_error("unknown UID command");
}

Result<CommandBody> dispatch(Parser& p, const std::string& name, std::string& label) {
  if (name == "CAPABILITY") return no_arguments<CapabilityCmd>(p);
  if (name == "NOOP") return no_arguments<NoopCmd>(p);
  if (name == "LOGOUT") return no_arguments<LogoutCmd>(p);
  if (name == "IDLE") return no_arguments<IdleCmd>(p);
  if (name == "NAMESPACE") return no_arguments<NamespaceCmd>(p);
  if (name == "STARTTLS") return no_arguments<StartTlsCmd>(p);
  if (name == "CHECK") return no_arguments<CheckCmd>(p);
  if (name == "CLOSE") return no_arguments<CloseCmd>(p);
  if (name == "UNSELECT") return no_arguments<UnselectCmd>(p);
  if (name == "EXPUNGE") return no_arguments<ExpungeCmd>(p);
  if (name == "AUTHENTICATE") return authenticate(p);
  if (name == "LOGIN") return login(p);
  if (name == "SELECT") return select(p, SelectMode::select);
  if (name == "EXAMINE") return select(p, SelectMode::examine);
  if (name == "CREATE") return create(p);
  if (name == "DELETE") return one_mailbox(p, DeleteCmd{});
  if (name == "RENAME") return rename(p);
  if (name == "SUBSCRIBE") return one_mailbox(p, SubscribeCmd{Subscription::subscribe, {}});
  if (name == "UNSUBSCRIBE") return one_mailbox(p, SubscribeCmd{Subscription::unsubscribe, {}});
  if (name == "LIST") return list(p, ListCmd::Kind::list);
  if (name == "LSUB") return list(p, ListCmd::Kind::lsub);
  if (name == "STATUS") return status(p);
  if (name == "APPEND") return append(p);
  if (name == "SEARCH") return wrap(parse_search(p, NumberKind::sequence));
  if (name == "SORT") return wrap(parse_sort(p, NumberKind::sequence));
  if (name == "THREAD") return wrap(parse_thread(p, NumberKind::sequence));
  if (name == "FETCH") return wrap(parse_fetch(p, NumberKind::sequence));
  if (name == "STORE") return store(p, NumberKind::sequence);
  if (name == "COPY") return copy(p, Transfer::copy, NumberKind::sequence);
  if (name == "MOVE") return copy(p, Transfer::move, NumberKind::sequence);
  if (name == "UID") return uid_command(p, label);
  if (name == "ID") return id(p);
  if (name == "ENABLE") return enable(p);
  if (name == "GETQUOTA") return get_quota(p);
  if (name == "GETQUOTAROOT") return one_mailbox(p, GetQuotaRootCmd{});
  if (name == "COMPRESS") return compress(p);
  if (name == "CANCELUPDATE") return cancel_update(p);
  if (name == "GETMETADATA") return getmetadata(p);
  if (name == "SETMETADATA") return setmetadata(p);
  if (name == "NOTIFY") return wrap(parse_notify(p));
  if (name == "SETQUOTA") return wrap(parse_set_quota(p));
  p.error_kind = ParseErrorKind::unknown_command;
  return syntax_error("unknown command");
}

}  // namespace

Result<Command, ParseError> parse_command(std::string_view text, const ParseOptions& options) {
  Parser p(text, options);
  auto tag = p.sc.run(chars::is_tag_char);
  if (tag.empty() || (!p.sc.at_end() && p.sc.peek() != ' '))
    return ParseError{ParseErrorKind::syntax, {}, "invalid tag"};
  std::string tag_str(tag);
  if (!p.sc.consume(' ')) return ParseError{ParseErrorKind::syntax, tag_str, "missing command"};
  auto name = p.sc.atom();
  if (!name) return ParseError{ParseErrorKind::syntax, tag_str, "missing command"};
  std::string upper = ascii_upper(*name);
  std::string label = upper;
  auto body = dispatch(p, upper, label);
  if (!body) {
    return ParseError{p.error_kind, tag_str,
                      p.error_kind == ParseErrorKind::unknown_command
                          ? "Unknown command " + label.substr(0, 32)
                          : label + ": " + body.error().message};
  }
  return Command{std::move(tag_str), std::move(*body)};
}

}  // namespace postamt::imap::proto
