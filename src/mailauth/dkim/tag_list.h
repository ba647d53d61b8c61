// The tag=value list of DKIM-Signature fields and key records (RFC 6376 §3.2), also used
// by ARC (RFC 8617 §4.1). A codec: bytes in, typed value out, no I/O.
//
//   tag-list  =  tag-spec *( ";" tag-spec ) [ ";" ]
//   tag-spec  =  [FWS] tag-name [FWS] "=" [FWS] tag-value [FWS]
//   tag-name  =  ALPHA *ALNUMPUNC                 (ALNUMPUNC = ALPHA / DIGIT / "_")
//   tag-value =  [ tval *( 1*(WSP / FWS) tval ) ]  (tval = 1*VALCHAR, %x21-3A / %x3C-7E)
//
// Tag names are case-sensitive (§3.2). A tag given twice makes the whole list invalid.
// Values keep the whitespace (and folding CRLFs) between their tvals; leading and
// trailing whitespace is not part of a value. An empty list (only whitespace) is valid.
#pragma once

#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "base/result.h"

namespace postamt::dkim {

struct Tag {
  std::string_view name;
  std::string_view value;   // views into the parsed text
  size_t value_offset = 0;  // where `value` starts in the parsed text
};

class TagList {
 public:
  // ErrorKind::invalid with a message naming the problem (a duplicate tag, a bad tag
  // name, a byte not allowed in a value, a missing '=').
  static Result<TagList> parse(std::string_view text);

  const std::vector<Tag>& tags() const { return tags_; }
  const Tag* find(std::string_view name) const;
  // The value of tag `name`, or nullopt when it is absent.
  std::optional<std::string_view> get(std::string_view name) const;

 private:
  std::vector<Tag> tags_;
};

// `value` without any whitespace (SP, HTAB, CR, LF): how base64 values (b=, bh=, p=)
// are read (§3.5: "Whitespace is ignored in this value").
std::string strip_whitespace(std::string_view value);

}  // namespace postamt::dkim
