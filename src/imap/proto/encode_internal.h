// Pieces shared by encode_response.cpp and encode_fetch.cpp. Internal to imap/proto.
#pragma once

#include <string>

#include "imap/proto/response.h"

namespace postamt::imap::proto {

// Writes the fetch-att list "(...)" of a FETCH response.
void write_fetch_items(const FetchData& data, Writer& w);
// A mailbox name in the connection's encoding (see encode()).
void write_mailbox(Writer& w, const std::string& name, const EncodeOptions& options);

}  // namespace postamt::imap::proto
