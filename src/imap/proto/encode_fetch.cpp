// FETCH response items (RFC 9051 §7.5.2), envelope and body structure (RFC 9051 §9).
#include <algorithm>

#include "base/strings.h"
#include "imap/proto/encode_internal.h"

namespace postamt::imap::proto {

namespace {

void write_addresses(Writer& w, const std::vector<Address>& list) {
  if (list.empty()) {
    w.nil();
    return;
  }
  w.open();
  for (const Address& a : list) {
    // RFC 9051 §9 env-from = "(" 1*address ")": addresses are adjacent.
    w.glue().open().nstring(a.name).nstring(a.adl).nstring(a.mailbox).nstring(a.host).close();
  }
  w.close();
}

void write_envelope(Writer& w, const Envelope& e) {
  w.open().nstring(e.date).nstring(e.subject);
  write_addresses(w, e.from);
  write_addresses(w, e.sender);
  write_addresses(w, e.reply_to);
  write_addresses(w, e.to);
  write_addresses(w, e.cc);
  write_addresses(w, e.bcc);
  w.nstring(e.in_reply_to).nstring(e.message_id).close();
}

void write_params(Writer& w, const std::vector<std::pair<std::string, std::string>>& params) {
  if (params.empty()) {
    w.nil();
    return;
  }
  w.open();
  for (const auto& [k, v] : params) w.string(k).string(v);
  w.close();
}

// body-fld-dsp SP body-fld-lang SP body-fld-loc
void write_extension_tail(Writer& w, const BodyStructure& b) {
  if (b.disposition) {
    w.open().string(b.disposition->type);
    write_params(w, b.disposition->params);
    w.close();
  } else {
    w.nil();
  }
  if (b.language.empty()) {
    w.nil();
  } else if (b.language.size() == 1) {
    w.string(b.language[0]);
  } else {
    w.open();
    for (const std::string& l : b.language) w.string(l);
    w.close();
  }
  w.nstring(b.location);
}

void write_body(Writer& w, const BodyStructure& b, Extensible ext) {
  w.open();
  if (iequals(b.type, "MULTIPART")) {
    // RFC 9051 §9 body-type-mpart = 1*body SP media-subtype: the bodies are adjacent.
    for (const BodyStructure& part : b.parts) {
      w.glue();
      write_body(w, part, ext);
    }
    w.string(b.subtype);
    if (ext == Extensible::yes) {
      write_params(w, b.params);
      write_extension_tail(w, b);
    }
    w.close();
    return;
  }
  w.string(b.type).string(b.subtype);
  write_params(w, b.params);
  w.nstring(b.id).nstring(b.description).string(b.encoding).number(b.size);
  bool message = iequals(b.type, "MESSAGE") &&
                 (iequals(b.subtype, "RFC822") || iequals(b.subtype, "GLOBAL")) && b.envelope &&
                 b.parts.size() == 1;
  if (message) {
    write_envelope(w, *b.envelope);
    write_body(w, b.parts[0], ext);
    w.number(b.lines);
  } else if (iequals(b.type, "TEXT")) {
    w.number(b.lines);
  }
  if (ext == Extensible::yes) {
    w.nstring(b.md5);
    write_extension_tail(w, b);
  }
  w.close();
}

std::string part_label(const std::vector<uint32_t>& part) {
  std::string out;
  for (size_t i = 0; i < part.size(); ++i) {
    if (i) out += '.';
    out += std::to_string(part[i]);
  }
  return out;
}

std::string origin_suffix(const std::optional<uint64_t>& origin) {
  return origin ? "<" + std::to_string(*origin) + ">" : std::string();
}

// Message data always goes as a literal so that the client gets the exact octets, with
// one exception: a literal may not carry NUL (RFC 3501 §4.3 CHAR8, RFC 9051 §4.3) and
// literal8 is reserved for BINARY answers, so a stored NUL goes out as 0x80, keeping
// every offset (as Dovecot does). BINARY[] returns the exact octets.
void write_data(Writer& w, const std::optional<std::string>& data) {
  if (!data) {
    w.nil();
  } else if (data->find('\0') == std::string::npos) {
    w.literal(*data);
  } else {
    std::string cleaned = *data;
    std::replace(cleaned.begin(), cleaned.end(), '\0', '\x80');
    w.literal(cleaned);
  }
}

struct ItemVisitor {
  Writer& w;
  void operator()(const FetchFlags& f) {
    w.atom("FLAGS").open();
    for (const std::string& flag : f.flags) w.atom(flag);
    w.close();
  }
  void operator()(const FetchUid& u) { w.atom("UID").number(u.uid); }
  // RFC 7162 §3.1.4.1: "MODSEQ" SP "(" permsg-modsequence ")"
  void operator()(const FetchModSeq& m) { w.atom("MODSEQ").open().number(m.mod_seq).close(); }
  void operator()(const FetchInternalDate& d) {
    w.atom("INTERNALDATE").atom("\"" + format_date_time(d.date) + "\"");
  }
  void operator()(const FetchSaveDate& d) {
    w.atom("SAVEDATE");
    if (d.date)
      w.atom("\"" + format_date_time(*d.date) + "\"");
    else
      w.nil();
  }
  void operator()(const FetchSize& s) { w.atom("RFC822.SIZE").number(s.size); }
  // RFC 8474 §7: "EMAILID" SP "(" objectid ")", "THREADID" SP ("(" objectid ")" / nil)
  void operator()(const FetchEmailId& e) { w.atom("EMAILID").open().atom(e.id).close(); }
  void operator()(const FetchThreadId& t) {
    w.atom("THREADID");
    if (t.id)
      w.open().atom(*t.id).close();
    else
      w.nil();
  }
  void operator()(const FetchEnvelope& e) {
    w.atom("ENVELOPE");
    write_envelope(w, e.envelope);
  }
  void operator()(const FetchBody& b) {
    w.atom(b.extensible == Extensible::yes ? "BODYSTRUCTURE" : "BODY");
    write_body(w, b.body, b.extensible);
  }
  void operator()(const FetchSection& s) {
    w.atom("BODY[" + section_label(s.section) + "]" + origin_suffix(s.origin));
    write_data(w, s.data);
  }
  void operator()(const FetchBinary& b) {
    w.atom("BINARY[" + part_label(b.part) + "]" + origin_suffix(b.origin));
    // RFC 3516 §4.2: literal8 is needed only when the decoded data holds NUL.
    if (b.data && b.data->find('\0') != std::string::npos)
      w.literal8(*b.data);
    else
      write_data(w, b.data);
  }
  void operator()(const FetchBinarySize& b) {
    w.atom("BINARY.SIZE[" + part_label(b.part) + "]").number(b.size);
  }
  void operator()(const FetchPreview& p) {
    w.atom("PREVIEW");
    if (p.text)
      w.string(*p.text);
    else
      w.nil();
  }
  void operator()(const FetchRfc822& r) {
    switch (r.kind) {
      case FetchRfc822::Kind::whole:
        w.atom("RFC822");
        break;
      case FetchRfc822::Kind::header:
        w.atom("RFC822.HEADER");
        break;
      case FetchRfc822::Kind::text:
        w.atom("RFC822.TEXT");
        break;
    }
    write_data(w, r.data);
  }
};

}  // namespace

void write_fetch_items(const FetchData& data, Writer& w) {
  w.open();
  for (const FetchAttr& item : data.items) std::visit(ItemVisitor{w}, item);
  w.close();
}

}  // namespace postamt::imap::proto
