// The response to an outbound request (client.h), parsed from the bytes the peer sends:
// status line, header fields and body (Content-Length, chunked, or up to the end of the
// connection; RFC 9112 §6). Interim 1xx responses are skipped. A codec: no I/O, one
// thread at a time. Beast stays in response.cpp.
#pragma once

#include <cstddef>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "base/result.h"
#include "http/message.h"

namespace postamt::http {

// Named limits (docs/architecture.md, Limits).
struct ResponseLimits {
  size_t max_header_bytes = 16 * 1024;  // status line and header fields
  size_t max_body_bytes = 64 * 1024;    // the body after de-chunking
};

struct ClientResponse {
  int status = 0;
  std::vector<Header> headers;  // in order, as sent
  std::string body;
  std::optional<std::string_view> header(std::string_view name) const;  // first, any case
};

class ResponseParser {
 public:
  explicit ResponseParser(ResponseLimits limits = {});
  ~ResponseParser();
  ResponseParser(const ResponseParser&) = delete;
  ResponseParser& operator=(const ResponseParser&) = delete;

  // Takes the next octets from the peer, in pieces of any size. Returns true once a
  // final (non-1xx) response is complete; octets after it are ignored. Errors: invalid
  // for a malformed message ("malformed response: <why>"), limit when the head or the
  // body passes its limit. After an error or completion, further calls return the same.
  Result<bool> feed(std::string_view bytes);

  // The peer closed the connection: a body that runs to the end of the connection is
  // complete now. Returns true when a final response is complete, invalid ("the response
  // ended early") otherwise.
  Result<bool> finish();

  // The response; meaningful once feed() or finish() returned true.
  const ClientResponse& response() const { return response_; }

 private:
  struct State;
  Result<bool> drain();
  Result<bool> complete();
  std::unique_ptr<State> state_;
  ResponseLimits limits_;
  ClientResponse response_;
  std::string buffer_;  // fed and not yet consumed
  bool done_ = false;
  std::optional<Error> error_;
};

}  // namespace postamt::http
