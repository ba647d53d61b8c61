// The ARC header fields of a message grouped into ARC Sets, with the structure checks of
// RFC 8617 §5.2 steps 1 to 3. A codec: header fields in, a typed chain out; no DNS and
// no cryptography (verify.h does those).
//
//   auto chain = arc::collect_chain(dkim::split_header(message), 50);
//   if (!chain) ...            // Chain Validation Status "fail"; chain.error().message says why
//   if (chain->sets.empty())   // no ARC field at all: "none"
//
// What makes a chain "fail" here, in the order RFC 8617 §5.2 checks it:
//   - an ARC field whose instance cannot be read (AAR: "i=<1*2DIGIT>;" before the
//     authres-payload, §4.1.1; AMS and AS: the i= tag of their tag-list, §4.1.2/§4.1.3),
//     an instance outside 1..50 (§4.2.1) or above `max_instances` (step 1);
//   - the ARC-Seal of the highest instance says cv=fail (step 2);
//   - a set without exactly one AAR, AMS and AS, a gap in 1..N (step 3 A and B);
//   - cv not "none" at i=1 or not "pass" above it (step 3 C);
//   - an AMS or AS whose tag-list does not parse or lacks a required tag (AMS: a, b, bh,
//     d, h, s as a DKIM-Signature without v=/i=, §4.1.2; AS: a, b, cv, d, s, §4.1.3), or
//     an AS with an h= tag (§4.1.3: "MUST result in a cv status of fail").
#pragma once

#include <string>
#include <string_view>
#include <vector>

#include "base/result.h"
#include "mailauth/dkim/canon.h"
#include "mailauth/dkim/tag_list.h"

namespace postamt::arc {

// RFC 8617 §4.2.1: instance values range from 1 to 50; a configured limit can only be
// lower.
inline constexpr int kMaxInstances = 50;

// The three fields of one ARC Set. The raw fields and every tag view point into the
// message that split_header was given: a Chain lives no longer than that message.
struct ArcSet {
  int instance = 0;
  std::string_view aar;   // ARC-Authentication-Results, the whole raw field
  std::string_view ams;   // ARC-Message-Signature, the whole raw field
  std::string_view seal;  // ARC-Seal, the whole raw field
  dkim::TagList ams_tags;
  dkim::TagList seal_tags;
  std::string_view cv;  // the seal's cv= value: "none" or "pass" once the chain is valid
};

struct Chain {
  // sets[k].instance == k + 1. Empty when the message has no ARC field (status "none").
  std::vector<ArcSet> sets;
};

// Which ARC field a header field name is (case-insensitive), if any.
enum class FieldType { none, authentication_results, message_signature, seal };
FieldType field_type(std::string_view name);

// The instance of an ARC-Authentication-Results value (the text after the colon):
// [CFWS] "i" [CFWS] "=" [CFWS] 1*2DIGIT [CFWS] ";" (RFC 8617 §3.9, §4.1.1), 1..50.
// ErrorKind::invalid otherwise.
Result<int> aar_instance(std::string_view value);

// Groups the ARC fields among `header` (in message order, as dkim::split_header gives
// them) into a chain and checks its structure (see the top of this file).
// `max_instances` is clamped to 1..kMaxInstances. ErrorKind::invalid with the reason
// when the chain fails.
Result<Chain> collect_chain(const std::vector<dkim::HeaderField>& header, int max_instances);

// For a sealer (RFC 8617 §5.1 steps 2 and 3): the highest instance among the ARC fields
// whose instance can be read (0 when there is none), and whether an ARC-Seal of that
// instance says cv=fail. Works on any header, valid chain or not.
struct ChainTop {
  int highest = 0;
  bool newest_seal_failed = false;
};
ChainTop chain_top(const std::vector<dkim::HeaderField>& header);

// The value of a raw field: the bytes after the first colon, without the final CRLF.
std::string_view field_value(std::string_view raw);

}  // namespace postamt::arc
