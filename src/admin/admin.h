// Administration commands behind `postamt domain|user|alias|auth|gc ...` (src/app wires
// them to the command line). Each works on the store directly, so it works whether or
// not a server runs; the server reads the store on every lookup, so changes take
// effect at once without a restart.
//
// Contract of every function: returns the text for standard output (possibly empty)
// or an Error whose message is one plain line for standard error. Blocking.
#pragma once

#include <string>
#include <string_view>
#include <vector>

#include "base/result.h"
#include "blob/blob_store.h"
#include "store/api/store.h"

namespace postamt::admin {

enum class Format { text, json };

Result<std::string> domain_add(store::Store& store, std::string_view name);
Result<std::string> domain_remove(store::Store& store, std::string_view name);
Result<std::string> domain_list(store::Store& store, Format format);

// `password_hash` is a stored-format hash (auth/password.h): either made by
// auth::hash_password from a password the user typed, or an imported Dovecot hash.
Result<std::string> user_add(store::Store& store, std::string_view address,
                             std::string_view password_hash);
Result<std::string> user_remove(store::Store& store, std::string_view address);
// Text: one address per line. JSON: [{"address", "quota": admin/quota_json.h}].
Result<std::string> user_list(store::Store& store, Format format);
Result<std::string> user_password(store::Store& store, std::string_view address,
                                  std::string_view password_hash);

Result<std::string> alias_add(store::Store& store, std::string_view alias,
                              const std::vector<std::string>& targets);
Result<std::string> alias_remove(store::Store& store, std::string_view alias);
Result<std::string> alias_list(store::Store& store, Format format);

// Checks a password the way a login does. ErrorKind::auth_failed "authentication
// failed for x" on a wrong password or an unknown user (the same words for both).
Result<std::string> auth_test(store::Store& store, std::string_view address,
                              std::string_view password);

// Removes blobs that no message refers to and that are older than `grace`.
Result<std::string> collect_garbage(store::Store& store, blob::BlobStore& blobs,
                                    std::chrono::seconds grace);

// `postamt deliver`: local delivery of one message read from standard input, like an
// LDA, through the delivery transaction (which prepends "Return-Path: <sender>", RFC
// 5321 §4.4); a read receipt among them is recorded as received (mdn/received.h). Line
// ends become CRLF. Every recipient must be local (ErrorKind::invalid names the first
// remote address, since this command does not relay); an unknown one is
// ErrorKind::not_found. Nothing is delivered unless every recipient is accepted. On
// success the output names each account and the UID the message got in its INBOX.
Result<std::string> deliver(store::Store& store, blob::BlobStore& blobs,
                            std::string_view envelope_sender,
                            const std::vector<std::string>& recipients, std::string_view message);

// A stored-format hash given on the command line for import: must carry a scheme that
// verify_password knows ({ARGON2ID}, {SHA512-CRYPT}, {BLF-CRYPT}, ...).
Result<void> check_imported_hash(std::string_view hash);

}  // namespace postamt::admin
