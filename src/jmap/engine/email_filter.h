// Email/query's filter (RFC 8621 §4.4.1) over the mail core's search evaluator
// (mail/search.h): each FilterCondition's message conditions compile to one
// SearchQuery; the conditions about mailboxes, threads and attachments, which are about
// the Email rather than one stored message, are judged here from the account view.
#pragma once

#include <boost/json/value.hpp>

#include <memory>

#include "blob/blob_store.h"
#include "jmap/engine/account_view.h"

namespace postamt::jmap {

class EmailFilter {
 public:
  // Throws MethodFailure: unsupportedFilter for an unknown condition or a wrong value type,
  // invalidArguments for a malformed operator.
  static EmailFilter compile(const AccountView& view, const boost::json::value& filter);
  EmailFilter(EmailFilter&&) noexcept;
  ~EmailFilter();

  // Throws MethodFailure serverFail when a message cannot be read.
  bool matches(const EmailEntry& email, blob::BlobStore& blobs) const;

  struct Node;

 private:
  explicit EmailFilter(std::unique_ptr<Node> root);
  std::unique_ptr<Node> root_;
  const AccountView* view_ = nullptr;
};

}  // namespace postamt::jmap
