#include <algorithm>
#include <cstdio>

#include "imap/proto/chars.h"
#include "imap/proto/encode_internal.h"
#include "imap/proto/mailbox_name.h"
#include "imap/proto/response.h"

namespace postamt::imap::proto {

namespace {

std::string_view code_name(ResponseCode::Kind k) {
  using K = ResponseCode::Kind;
  switch (k) {
    case K::alert:
      return "ALERT";
    case K::parse:
      return "PARSE";
    case K::permanent_flags:
      return "PERMANENTFLAGS";
    case K::read_only:
      return "READ-ONLY";
    case K::read_write:
      return "READ-WRITE";
    case K::trycreate:
      return "TRYCREATE";
    case K::uid_next:
      return "UIDNEXT";
    case K::uid_validity:
      return "UIDVALIDITY";
    case K::unseen:
      return "UNSEEN";
    case K::append_uid:
      return "APPENDUID";
    case K::copy_uid:
      return "COPYUID";
    case K::uid_not_sticky:
      return "UIDNOTSTICKY";
    case K::highest_mod_seq:
      return "HIGHESTMODSEQ";
    case K::no_mod_seq:
      return "NOMODSEQ";
    case K::modified:
      return "MODIFIED";
    case K::capability:
      return "CAPABILITY";
    case K::badcharset:
      return "BADCHARSET";
    case K::closed:
      return "CLOSED";
    case K::toobig:
      return "TOOBIG";
    case K::unknown_cte:
      return "UNKNOWN-CTE";
    case K::unavailable:
      return "UNAVAILABLE";
    case K::authentication_failed:
      return "AUTHENTICATIONFAILED";
    case K::authorization_failed:
      return "AUTHORIZATIONFAILED";
    case K::expired:
      return "EXPIRED";
    case K::privacy_required:
      return "PRIVACYREQUIRED";
    case K::contact_admin:
      return "CONTACTADMIN";
    case K::no_perm:
      return "NOPERM";
    case K::in_use:
      return "INUSE";
    case K::expunge_issued:
      return "EXPUNGEISSUED";
    case K::corruption:
      return "CORRUPTION";
    case K::server_bug:
      return "SERVERBUG";
    case K::client_bug:
      return "CLIENTBUG";
    case K::cannot:
      return "CANNOT";
    case K::limit:
      return "LIMIT";
    case K::over_quota:
      return "OVERQUOTA";
    case K::already_exists:
      return "ALREADYEXISTS";
    case K::nonexistent:
      return "NONEXISTENT";
    case K::not_saved:
      return "NOTSAVED";
    case K::has_children:
      return "HASCHILDREN";
    case K::use_attr:
      return "USEATTR";
    case K::badurl:
      return "BADURL";
    case K::noupdate:
      return "NOUPDATE";
    case K::metadata:
      return "METADATA";
    case K::mailbox_id:
      return "MAILBOXID";
    case K::badevent:
      return "BADEVENT";
    case K::notification_overflow:
      return "NOTIFICATIONOVERFLOW";
  }
  return "ALERT";
}

std::string_view condition_name(Condition c) {
  switch (c) {
    case Condition::ok:
      return "OK";
    case Condition::no:
      return "NO";
    case Condition::bad:
      return "BAD";
    case Condition::preauth:
      return "PREAUTH";
    case Condition::bye:
      return "BYE";
  }
  return "BAD";
}

std::string_view status_item_name(StatusItem item) {
  switch (item) {
    case StatusItem::messages:
      return "MESSAGES";
    case StatusItem::recent:
      return "RECENT";
    case StatusItem::uid_next:
      return "UIDNEXT";
    case StatusItem::uid_validity:
      return "UIDVALIDITY";
    case StatusItem::unseen:
      return "UNSEEN";
    case StatusItem::deleted:
      return "DELETED";
    case StatusItem::size:
      return "SIZE";
    case StatusItem::highest_mod_seq:
      return "HIGHESTMODSEQ";
    case StatusItem::mailbox_id:
      return "MAILBOXID";
    case StatusItem::deleted_storage:
      return "DELETED-STORAGE";
    case StatusItem::append_limit:
      return "APPENDLIMIT";
  }
  return "MESSAGES";
}

// resp-text: TEXT-CHAR excludes CR and LF (RFC 9051 §9); 8-bit only as UTF-8 after
// IMAP4rev2/UTF8=ACCEPT. A text may quote what a client or a message said, so no
// control character reaches the client's screen or log: CR, LF and NUL become a space;
// the other C0 controls, DEL, malformed UTF-8 and, for UTF-8 clients, C1 controls and
// U+2028/U+2029 (RFC 6855 §3) become "?", as does every 8-bit octet for the others.
void append_text(std::string& out, std::string_view text, StringCharset charset) {
  size_t i = 0;
  while (i < text.size()) {
    const auto c = static_cast<unsigned char>(text[i]);
    if (c < 0x80 || charset == StringCharset::ascii) {
      if (c == '\r' || c == '\n' || c == 0)
        out += ' ';
      else if (c < 0x20 || c >= 0x7F)
        out += '?';
      else
        out += static_cast<char>(c);
      ++i;
      continue;
    }
    const size_t start = i;
    const int64_t cp = next_code_point(text, i);
    if (cp < 0) {
      out += '?';
      i = start + 1;
    } else if (cp <= 0x9F || cp == 0x2028 || cp == 0x2029) {
      out += '?';
    } else {
      out.append(text.substr(start, i - start));
    }
  }
}

void write_code(std::string& out, const ResponseCode& code, const EncodeOptions& options) {
  using K = ResponseCode::Kind;
  out += '[';
  out += code_name(code.kind);
  Writer w(out, options.strings);
  w.append("");
  switch (code.kind) {
    case K::uid_next:
    case K::uid_validity:
    case K::unseen:
    case K::highest_mod_seq:
      w.number(code.number);
      break;
    case K::permanent_flags:
      w.open();
      for (const std::string& f : code.words) w.atom(f);
      w.close();
      break;
    case K::capability:
      for (const std::string& c : code.words) w.atom(c);
      break;
    case K::badcharset:
      // RFC 9051 §9: "BADCHARSET" [SP "(" charset *(SP charset) ")"]
      if (!code.words.empty()) {
        w.open();
        for (const std::string& c : code.words) w.string(c);
        w.close();
      }
      break;
    case K::append_uid:
      w.number(code.number).atom(code.set.to_string());
      break;
    case K::copy_uid:
      w.number(code.number).atom(code.set.to_string()).atom(code.set2.to_string());
      break;
    case K::modified:
      w.atom(code.set.to_string());
      break;
    case K::noupdate:
      w.string(code.words.empty() ? std::string() : code.words[0]);
      break;
    case K::badevent:
      // RFC 5465 §8: "BADEVENT" SP "(" event-name *(SP event-name) ")"
      w.open();
      for (const std::string& e : code.words) w.atom(e);
      w.close();
      break;
    case K::metadata:
      if (!code.words.empty()) w.atom(code.words[0]);
      if (!code.words.empty() && (code.words[0] == "LONGENTRIES" || code.words[0] == "MAXSIZE"))
        w.number(code.number);
      break;
    case K::mailbox_id:
      w.open().atom(code.words.empty() ? std::string_view("?") : std::string_view(code.words[0]));
      w.close();
      break;
    case K::badurl: {
      // RFC 4469 §5 url-resp-text: TEXT-CHARs but "]"; the client's URL, cut short.
      std::string url;
      std::string_view given = code.words.empty() ? std::string_view() : code.words[0];
      for (char c : given.substr(0, 200))
        url += (c == ']' || c == '\r' || c == '\n' || c == '\0') ? '?' : c;
      if (url.empty()) url = "?";
      w.atom(url);
      break;
    }
    default:
      break;
  }
  out += ']';
}

std::string_view default_text(Condition c) {
  switch (c) {
    case Condition::ok:
      return "Completed";
    case Condition::no:
      return "Failed";
    case Condition::bad:
      return "Error in command";
    case Condition::preauth:
      return "Logged in";
    case Condition::bye:
      return "Logging out";
  }
  return "Completed";
}

void write_status(std::string& out, const StatusResponse& r, const EncodeOptions& options) {
  out += r.tag.empty() ? std::string_view("*") : std::string_view(r.tag);
  out += ' ';
  out += condition_name(r.condition);
  if (r.code) {
    out += ' ';
    write_code(out, *r.code, options);
  }
  // RFC 3501 §9 resp-text requires text (1*TEXT-CHAR); say something when none given.
  out += ' ';
  append_text(out, r.text.empty() ? default_text(r.condition) : std::string_view(r.text),
              options.strings);
}

void write_list_of_atoms(Writer& w, const std::vector<std::string>& words) {
  for (const std::string& s : words) w.atom(s);
}

void write_delimiter(Writer& w, std::optional<char> d) {
  if (d)
    w.string(std::string(1, *d));
  else
    w.nil();
}

void write_namespace_list(Writer& w, const std::vector<NamespaceData::Entry>& list,
                          const EncodeOptions& options) {
  if (list.empty()) {
    w.nil();
    return;
  }
  w.open();
  for (const auto& e : list) {
    w.open();
    write_mailbox(w, e.prefix, options);
    write_delimiter(w, e.delimiter);
    w.close();
  }
  w.close();
}

// RFC 5256 §5 thread-list for every root, without recursion (a reply chain may be as
// long as the mailbox): a run of only children is "1 2 3", a branch "1 (2 ...)(5 ...)", a
// dummy only its children's lists.
std::string thread_lists(const ThreadData& d) {
  std::string out;
  // Work still to do, last first: a node to write, or text to add.
  struct Task {
    uint32_t node = 0;
    std::string_view text;
  };
  std::vector<Task> stack;
  auto push_lists = [&stack](const std::vector<uint32_t>& nodes) {
    for (auto it = nodes.rbegin(); it != nodes.rend(); ++it) {
      stack.push_back({0, ")"});
      stack.push_back({*it, {}});
      stack.push_back({0, "("});
    }
  };
  push_lists(d.roots);
  while (!stack.empty()) {
    Task task = stack.back();
    stack.pop_back();
    if (!task.text.empty()) {
      out += task.text;
      continue;
    }
    uint32_t node = task.node;
    if (d.nodes[node].number == 0) {
      // A lone child needs no list of its own (thread-nested is two or more).
      if (d.nodes[node].children.size() == 1)
        stack.push_back({d.nodes[node].children.front(), {}});
      else
        push_lists(d.nodes[node].children);
      continue;
    }
    out += std::to_string(d.nodes[node].number);
    while (d.nodes[node].children.size() == 1 && d.nodes[d.nodes[node].children[0]].number != 0) {
      node = d.nodes[node].children[0];
      out += ' ';
      out += std::to_string(d.nodes[node].number);
    }
    if (d.nodes[node].children.empty()) continue;
    out += ' ';
    if (d.nodes[node].children.size() == 1)
      stack.push_back({d.nodes[node].children.front(), {}});
    else
      push_lists(d.nodes[node].children);
  }
  return out;
}

struct Visitor {
  std::string& out;
  const EncodeOptions& options;
  Writer w{out, options.strings};

  void untagged(std::string_view word) {
    out += "* ";
    w.atom(word);
  }

  void operator()(const StatusResponse& r) { write_status(out, r, options); }
  void operator()(const Continuation& c) {
    // RFC 9051 §7.6: "+" SP (resp-text / base64); an empty SASL challenge is "+ ".
    out += "+ ";
    append_text(out, c.text, options.strings);
  }
  void operator()(const CapabilityData& c) {
    untagged("CAPABILITY");
    write_list_of_atoms(w, c.capabilities);
  }
  void operator()(const ExistsData& d) {
    out += "* ";
    w.number(d.count).atom("EXISTS");
  }
  void operator()(const RecentData& d) {
    out += "* ";
    w.number(d.count).atom("RECENT");
  }
  void operator()(const ExpungeData& d) {
    out += "* ";
    w.number(d.seq).atom("EXPUNGE");
  }
  void operator()(const FlagsData& d) {
    untagged("FLAGS");
    w.open();
    write_list_of_atoms(w, d.flags);
    w.close();
  }
  void operator()(const ListData& d) {
    untagged(d.kind == ListCmd::Kind::lsub ? "LSUB" : "LIST");
    w.open();
    write_list_of_atoms(w, d.attributes);
    w.close();
    write_delimiter(w, d.delimiter);
    write_mailbox(w, d.mailbox, options);
    if (!d.child_info.empty() || d.old_name) {
      // RFC 5258 §9 mbox-list-extended; RFC 9051 §9 childinfo-extended-item, OLDNAME.
      w.open();
      if (!d.child_info.empty()) {
        w.string("CHILDINFO").open();
        for (const std::string& c : d.child_info) w.string(c);
        w.close();
      }
      if (d.old_name) {
        w.string("OLDNAME").open();
        write_mailbox(w, *d.old_name, options);
        w.close();
      }
      w.close();
    }
  }
  void operator()(const StatusData& d) {
    untagged("STATUS");
    write_mailbox(w, d.mailbox, options);
    w.open();
    for (const auto& [item, value] : d.items) {
      w.atom(status_item_name(item));
      // RFC 8474 §4.3: "MAILBOXID" SP "(" objectid ")"
      if (item == StatusItem::mailbox_id)
        w.open().atom(d.mailbox_id).close();
      else
        w.number(value);
    }
    w.close();
  }
  // "* SEARCH ..." and "* SORT ...": numbers, then "(MODSEQ n)" (RFC 7162 §3.1.5, §3.1.9).
  void numbers(std::string_view name, const std::vector<uint32_t>& numbers,
               std::optional<uint64_t> mod_seq) {
    untagged(name);
    for (uint32_t n : numbers) w.number(n);
    if (mod_seq) w.open().atom("MODSEQ").number(*mod_seq).close();
  }
  void operator()(const SearchData& d) { numbers("SEARCH", d.numbers, d.mod_seq); }
  void operator()(const ESearchData& d) {
    untagged("ESEARCH");
    if (!d.tag.empty()) w.open().atom("TAG").string(d.tag).close();
    if (d.numbers == NumberKind::uid) w.atom("UID");
    if (d.min) w.atom("MIN").number(*d.min);
    if (d.max) w.atom("MAX").number(*d.max);
    // RFC 4731 §3.1: ALL is omitted when no message matched.
    if (d.all && !d.all->empty()) w.atom("ALL").atom(d.all->to_string());
    if (d.count) w.atom("COUNT").number(*d.count);
    if (d.mod_seq) w.atom("MODSEQ").number(*d.mod_seq);
    if (d.partial) {
      w.atom("PARTIAL").open().atom(std::to_string(d.partial->first) + ":" +
                                    std::to_string(d.partial->last));
      if (d.partial_set && !d.partial_set->empty())
        w.atom(d.partial_set->to_string());
      else
        w.nil();
      w.close();
    }
    auto changes = [this](std::string_view name, const std::vector<ContextChange>& list) {
      if (list.empty()) return;
      w.atom(name).open();
      for (const ContextChange& c : list) w.number(c.position).atom(c.set.to_string());
      w.close();
    };
    changes("REMOVEFROM", d.removed);
    changes("ADDTO", d.added);
  }
  void operator()(const SortData& d) { numbers("SORT", d.numbers, d.mod_seq); }
  void operator()(const ThreadData& d) {
    untagged("THREAD");
    if (!d.roots.empty()) w.append(" " + thread_lists(d));
  }
  void operator()(const NamespaceData& d) {
    untagged("NAMESPACE");
    write_namespace_list(w, d.personal, options);
    write_namespace_list(w, d.other_users, options);
    write_namespace_list(w, d.shared, options);
  }
  void operator()(const IdData& d) {
    untagged("ID");
    if (!d.params) {
      w.nil();
      return;
    }
    w.open();
    for (const auto& [key, value] : *d.params) w.string(key).nstring(value);
    w.close();
  }
  void operator()(const EnabledData& d) {
    untagged("ENABLED");
    write_list_of_atoms(w, d.capabilities);
  }
  void operator()(const QuotaData& d) {
    untagged("QUOTA");
    w.string(d.root).open();
    for (const auto& r : d.resources) w.atom(r.name).number(r.usage).number(r.limit);
    w.close();
  }
  void operator()(const QuotaRootData& d) {
    untagged("QUOTAROOT");
    write_mailbox(w, d.mailbox, options);
    for (const std::string& r : d.roots) w.string(r);
  }
  void operator()(const MetadataData& d) {
    untagged("METADATA");
    write_mailbox(w, d.mailbox, options);
    if (d.names_only) {
      // RFC 5464 §4.4.2: entry-list = entry *(SP entry), no parentheses, no values.
      for (const auto& entry : d.entries) {
        const std::string& name = entry.first;
        if (!name.empty() && std::all_of(name.begin(), name.end(), chars::is_astring_char))
          w.atom(name);
        else
          w.string(name);
      }
      return;
    }
    w.open();
    for (const auto& [name, value] : d.entries) {
      bool plain = !name.empty() && std::all_of(name.begin(), name.end(), chars::is_astring_char);
      if (plain)
        w.atom(name);
      else
        w.string(name);
      if (!value)
        w.nil();
      else if (value->find('\0') != std::string::npos)
        w.literal8(*value);  // RFC 5464 §5: value = nstring / literal8
      else
        w.string(*value);
    }
    w.close();
  }
  void operator()(const VanishedData& d) {
    untagged("VANISHED");
    if (d.earlier == Earlier::yes) w.open().atom("EARLIER").close();
    w.atom(d.uids.to_string());
  }
  void operator()(const FetchData& d) {
    out += "* ";
    w.number(d.seq).atom("FETCH");
    write_fetch_items(d, w);
  }
};

}  // namespace

void write_mailbox(Writer& w, const std::string& name, const EncodeOptions& options) {
  auto wire = mailbox_to_wire(name, options.mailbox_encoding);
  if (!wire) {
    w.literal(name);
    return;
  }
  // RFC 9051 §9 mailbox = "INBOX" / astring: an atom when it can be one, as in the
  // RFC's own examples.
  bool is_atom = !wire->empty();
  for (char c : *wire) is_atom = is_atom && chars::is_astring_char(c);
  if (is_atom)
    w.atom(*wire);
  else
    w.string(*wire);
}

void encode(const Response& response, const EncodeOptions& options, std::string& out) {
  std::visit(Visitor{out, options}, response);
  out += "\r\n";
}

std::string encode(const Response& response, const EncodeOptions& options) {
  std::string out;
  encode(response, options, out);
  return out;
}

std::string format_date_time(const DateTime& dt) {
  static constexpr const char* kMonths[] = {"Jan", "Feb", "Mar", "Apr", "May", "Jun",
                                            "Jul", "Aug", "Sep", "Oct", "Nov", "Dec"};
  int month = dt.date.month >= 1 && dt.date.month <= 12 ? dt.date.month : 1;
  int zone = dt.zone_minutes < 0 ? -dt.zone_minutes : dt.zone_minutes;
  char buf[64];
  // RFC 9051 §9 date-day-fixed = (SP DIGIT) / 2DIGIT
  std::snprintf(buf, sizeof buf, "%2d-%s-%04d %02d:%02d:%02d %c%02d%02d", dt.date.day,
                kMonths[month - 1], dt.date.year, dt.hour, dt.minute, dt.second,
                dt.zone_minutes < 0 ? '-' : '+', zone / 60, zone % 60);
  return buf;
}

}  // namespace postamt::imap::proto
