// JMAP blob ids (RFC 8620 §1.2 Id syntax: 1-255 of A-Za-z0-9-_) for whole blobs and for
// the decoded content of one MIME part of a stored message.
//
// Scheme, reversible by parse_blob_id():
//   whole blob:  "B" + the 64 lowercase hex digits of its BlobRef           (65 chars)
//   one part:    "B" + 64 hex + "_" + the part id with every "." written "-"
//                ("1.2.3" -> "B<hex>_1-2-3")
// Part ids are IMAP section numbers (RFC 9051 §6.4.5): "1", "2.1", ...; the root of a
// non-multipart message is "1". Each number is a decimal without leading zeros, >= 1.
//
// Threads: pure functions, any thread.
#pragma once

#include <optional>
#include <string>
#include <string_view>

#include "model/blob_ref.h"

namespace postamt::jmap {

// Requires a non-empty BlobRef.
std::string blob_id(const BlobRef& blob);

// Requires a non-empty BlobRef and a valid part id (is_valid_part_id).
std::string part_blob_id(const BlobRef& message, std::string_view part_id);

struct BlobIdRef {
  BlobRef blob;
  std::string part_id;  // "" = the whole blob
  bool operator==(const BlobIdRef&) const = default;
};

// nullopt for anything that blob_id() or part_blob_id() cannot have produced.
std::optional<BlobIdRef> parse_blob_id(std::string_view id);

// "1", "1.2", "2.10.3": dot-separated decimals, each >= 1 without leading zeros.
bool is_valid_part_id(std::string_view part_id);

}  // namespace postamt::jmap
