// Differential test against GMime 3 (test-only oracle, docs/architecture.md, Dependencies): for
// every copied corpus file, the part tree (type/subtype per part, nesting) and the decoded Subject
// and From display names must match GMime's, except for the documented differences.
#include <gmime/gmime.h>
#include <gtest/gtest.h>

#include <map>
#include <string>

#include "mime/address.h"
#include "mime/encoded_word.h"
#include "mime/message.h"
#include "mime/test_support.h"

namespace postamt::mime {
namespace {

std::string ours_tree(const Message& m, const Part& p) {
  std::string s = p.content_type.type + "/" + p.content_type.subtype;
  if (p.is_multipart() || p.is_message()) {
    s += "(";
    bool first = true;
    for (uint32_t c : m.children(p)) {
      if (!first) s += ",";
      first = false;
      s += ours_tree(m, m.part(c));
    }
    s += ")";
  }
  return s;
}

std::string gmime_tree(GMimeObject* obj) {
  GMimeContentType* ct = g_mime_object_get_content_type(obj);
  std::string s = std::string(ct ? g_mime_content_type_get_media_type(ct) : "?") + "/" +
                  (ct ? g_mime_content_type_get_media_subtype(ct) : "?");
  for (char& c : s) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  if (GMIME_IS_MULTIPART(obj)) {
    s += "(";
    int n = g_mime_multipart_get_count(GMIME_MULTIPART(obj));
    for (int i = 0; i < n; ++i) {
      if (i) s += ",";
      s += gmime_tree(g_mime_multipart_get_part(GMIME_MULTIPART(obj), i));
    }
    s += ")";
  } else if (GMIME_IS_MESSAGE_PART(obj)) {
    s += "(";
    GMimeMessage* inner = g_mime_message_part_get_message(GMIME_MESSAGE_PART(obj));
    if (inner && g_mime_message_get_mime_part(inner))
      s += gmime_tree(g_mime_message_get_mime_part(inner));
    s += ")";
  }
  return s;
}

struct GMimeResult {
  std::string tree;
  std::string subject;
  std::vector<std::string> from_names;
};

GMimeResult parse_with_gmime(const std::string& text) {
  GMimeResult r;
  GMimeStream* stream = g_mime_stream_mem_new_with_buffer(text.data(), text.size());
  GMimeParser* parser = g_mime_parser_new_with_stream(stream);
  GMimeMessage* msg = g_mime_parser_construct_message(parser, nullptr);
  if (msg) {
    if (GMimeObject* body = g_mime_message_get_mime_part(msg)) r.tree = gmime_tree(body);
    if (const char* s = g_mime_message_get_subject(msg)) r.subject = s;
    InternetAddressList* from = g_mime_message_get_from(msg);
    for (int i = 0; from && i < internet_address_list_length(from); ++i) {
      const char* name = internet_address_get_name(internet_address_list_get_address(from, i));
      r.from_names.push_back(name ? name : "");
    }
    g_object_unref(msg);
  }
  g_object_unref(parser);
  g_object_unref(stream);
  return r;
}

// Known, justified differences: file -> reason. Each entry must still differ (checked
// below), so a fixed difference cannot linger here.
const std::map<std::string, std::string> kKnownTreeDifferences = {
    {"malformed-000.eml",
     "two delimiter lines in a row enclose an empty body part (RFC 2046 §5.1.1: a body-part "
     "may have no fields and no body); GMime drops it"},
    {"malformed-007.eml",
     "a line that is not a field ends the header (RFC 5322 §2.2/§3.5), so the child keeps "
     "Content-Type multipart/mixed; GMime skips the line and reads later fields as header"},
    {"malformed-019.eml", "same as malformed-007: non-field lines end a header for us"},
    {"malformed-017.eml",
     "'multipart/mixed <fold> boundary=...' lacks the ';'; we still read the boundary and "
     "find the part, GMime finds no boundary and reports no parts"},
    {"rfc-008.eml",
     "message/rfc822 with a content-transfer-encoding other than 7bit/8bit/binary (RFC 2046 "
     "§5.2.1 forbids it) cannot be parsed in place, so it is an opaque "
     "application/octet-stream leaf (IMAP BODYSTRUCTURE for message/rfc822 needs an "
     "envelope and body); GMime keeps the type as a leaf"},
};
const std::map<std::string, std::string> kKnownHeaderDifferences = {};

class GMimeDiff : public ::testing::Test {
 protected:
  static void SetUpTestSuite() { g_mime_init(); }
};

TEST_F(GMimeDiff, TreesSubjectsAndFromNamesMatch) {
  for (const auto& path : testing::corpus_files()) {
    std::string name = path.filename().string();
    SCOPED_TRACE(name);
    std::string text = testing::read_file(path);
    Message m = parse(text);
    GMimeResult g = parse_with_gmime(text);
    std::string ours = ours_tree(m, m.root());
    if (kKnownTreeDifferences.count(name))
      EXPECT_NE(ours, g.tree) << "difference is gone; remove the entry";
    else
      EXPECT_EQ(ours, g.tree);

    HeaderView h = m.header(m.root());
    std::string subject;
    if (const HeaderField* f = h.find_first("subject"))
      subject = decode_unstructured(f->raw_value(text));
    std::vector<std::string> from_names;
    if (const HeaderField* f = h.find_first("from"))
      for (const Address& a : parse_address_list(f->raw_value(text)))
        if (const auto* mb = std::get_if<Mailbox>(&a)) from_names.push_back(mb->name);
    bool same = subject == g.subject && from_names == g.from_names;
    if (kKnownHeaderDifferences.count(name)) {
      EXPECT_FALSE(same) << "difference is gone; remove the entry";
    } else {
      EXPECT_EQ(subject, g.subject);
      EXPECT_EQ(from_names, g.from_names);
    }
  }
}

}  // namespace
}  // namespace postamt::mime
