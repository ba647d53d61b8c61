#include "http/response.h"

// Beast's parser, here and in server.cpp only (docs/architecture.md, Build time).
#include <boost/asio/buffer.hpp>
#include <boost/beast/http/error.hpp>
#include <boost/beast/http/parser.hpp>
#include <boost/beast/http/string_body.hpp>

#include <algorithm>
#include <limits>
#include <optional>

#include "http/wire.h"

namespace postamt::http {

namespace bhttp = boost::beast::http;

std::optional<std::string_view> ClientResponse::header(std::string_view name) const {
  const Header* h = detail::find_header(headers, name);
  if (!h) return std::nullopt;
  return std::string_view(h->value);
}

struct ResponseParser::State {
  std::optional<bhttp::response_parser<bhttp::string_body>> parser;
};

namespace {

void start(std::optional<bhttp::response_parser<bhttp::string_body>>& parser,
           const ResponseLimits& limits) {
  parser.emplace();
  parser->eager(true);
  parser->header_limit(static_cast<std::uint32_t>(
      std::min<size_t>(limits.max_header_bytes, std::numeric_limits<std::uint32_t>::max())));
  parser->body_limit(limits.max_body_bytes);
}

Error failure(const boost::system::error_code& ec) {
  if (ec == bhttp::error::header_limit)
    return Error{ErrorKind::limit, "the response head is too large"};
  if (ec == bhttp::error::body_limit)
    return Error{ErrorKind::limit, "the response body is too large"};
  if (ec == bhttp::error::partial_message)
    return Error{ErrorKind::invalid, "the response ended early"};
  return Error{ErrorKind::invalid, "malformed response: " + ec.message()};
}

}  // namespace

ResponseParser::ResponseParser(ResponseLimits limits)
    : state_(std::make_unique<State>()), limits_(limits) {
  start(state_->parser, limits_);
}

ResponseParser::~ResponseParser() = default;

Result<bool> ResponseParser::complete() {
  const auto& message = state_->parser->get();
  response_.status = static_cast<int>(message.result_int());
  for (const auto& field : message)
    response_.headers.push_back({std::string(field.name_string()), std::string(field.value())});
  response_.body = message.body();
  done_ = true;
  buffer_.clear();
  return true;
}

Result<bool> ResponseParser::drain() {
  auto& parser = state_->parser;
  while (!buffer_.empty()) {
    boost::system::error_code ec;
    size_t used = parser->put(boost::asio::buffer(buffer_.data(), buffer_.size()), ec);
    buffer_.erase(0, used);
    if (ec == bhttp::error::need_more) {
      // Beast wants the whole head in one buffer: keep it, within the limit.
      if (!parser->is_header_done() && buffer_.size() > limits_.max_header_bytes) {
        error_ = Error{ErrorKind::limit, "the response head is too large"};
        return *error_;
      }
      return false;
    }
    if (ec) {
      error_ = failure(ec);
      return *error_;
    }
    // RFC 9110 §15: a status code is 100-599 (Beast takes any three digits).
    if (parser->is_header_done()) {
      unsigned status = parser->get().result_int();
      if (status < 100 || status > 599) {
        error_ = Error{ErrorKind::invalid, "malformed response: status " + std::to_string(status)};
        return *error_;
      }
    }
    if (parser->is_done()) {
      int status = static_cast<int>(parser->get().result_int());
      if (status < 200) {
        start(parser, limits_);  // RFC 9110 §15.2: an interim response; the final one follows
        continue;
      }
      return complete();
    }
    if (used == 0) return false;
  }
  return false;
}

Result<bool> ResponseParser::feed(std::string_view bytes) {
  if (error_) return *error_;
  if (done_) return true;
  buffer_.append(bytes);
  return drain();
}

Result<bool> ResponseParser::finish() {
  if (error_) return *error_;
  if (done_) return true;
  auto& parser = state_->parser;
  boost::system::error_code ec;
  if (parser->is_header_done()) parser->put_eof(ec);
  if (!parser->is_header_done() || ec || !parser->is_done()) {
    error_ = ec && ec != bhttp::error::partial_message
                 ? failure(ec)
                 : Error{ErrorKind::invalid, "the response ended early"};
    return *error_;
  }
  return complete();
}

}  // namespace postamt::http
