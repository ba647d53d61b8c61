// What one method call works with (RFC 8620 §3.3): the authenticated account, the
// services, the creation ids of the whole request (§3.3 createdIds, §5.3), and the view
// of the account, loaded on first use and reloaded after a method wrote.
//
// Methods run one after another on a store thread (api.cpp); nothing here is shared
// between requests.
#pragma once

#include <boost/json/object.hpp>

#include <map>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "jmap/engine/account_view.h"
#include "jmap/engine/services.h"
#include "jmap/proto/request.h"

namespace postamt::jmap {

namespace json = boost::json;

// The account ids this server gives out: "A" + the store's account id.
std::string account_object_id(AccountId account);

// Which credential authenticated the request (password, token or webmail session, with
// its id): RFC 8620 §7.2 ties push subscriptions to it.
using Credential = store::Credential;
using CredentialKind = store::CredentialKind;

class CallContext {
 public:
  CallContext(const Services& services, store::Account account,
              std::map<std::string, std::string>& created_ids, Credential credential = {})
      : services_(services),
        account_(std::move(account)),
        credential_(credential),
        created_ids_(created_ids) {}

  const Services& services() const { return services_; }
  store::Store& store() const { return *services_.store; }
  blob::BlobStore& blobs() const { return *services_.blobs; }
  const store::Account& account() const { return account_; }
  std::string account_id() const { return account_object_id(account_.id); }
  const Credential& credential() const { return credential_; }

  // The view as of the last write; throws MethodFailure (serverFail) when the store
  // cannot be read.
  const AccountView& view();
  // Call after every write, so that later reads see it.
  void invalidate() { view_.reset(); }
  // The account's modseq now: the view's, or after a write one cheap store read instead
  // of loading the view again (a /set's newState). Throws MethodFailure serverFail.
  ModSeq current_modseq();

  // Checks `accountId` (required): accountNotFound unless it is this account.
  void require_account(const json::object& args);

  // §5.3: "#creationId" names an id created earlier in this request.
  std::map<std::string, std::string>& created_ids() { return created_ids_; }
  // The id an argument means: itself, or for "#x" the id created as "x" (nullopt when x
  // was not created).
  std::optional<std::string> resolve_id(std::string_view id) const;

  // Responses a method adds after its own (§5.4 onSuccessUpdateEmail's implicit
  // Email/set), with the call's id.
  std::vector<Invocation>& follow_ups() { return follow_ups_; }

  // Whole messages handed out (Email/get bodies): reported to the read-receipt engine
  // once the response is on its way (mail/events.h).
  std::vector<mail::DownloadEvent>& downloads() { return downloads_; }

 private:
  const Services& services_;
  store::Account account_;
  Credential credential_;
  std::map<std::string, std::string>& created_ids_;
  std::shared_ptr<const AccountView> view_;
  std::vector<Invocation> follow_ups_;
  std::vector<mail::DownloadEvent> downloads_;
};

}  // namespace postamt::jmap
