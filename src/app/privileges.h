// Who Postamt runs as (docs/process.md). Started as root, `serve` binds its listeners,
// then becomes [process] user/group for good before it opens a file or starts a
// thread; the admin commands become that user before they touch the store, so that
// every file under data_dir belongs to the user the server runs as.
#pragma once

#include <sys/types.h>

#include <functional>
#include <string>

#include "base/config.h"
#include "base/result.h"

namespace postamt::app {

// Whether `serve` may start as the user `euid` with this configuration, decided before
// anything is bound. Root with [process] user: yes (it drops after binding). Root
// without: refused (ErrorKind::invalid, naming the file, the listener and what to set)
// when a listener asks for a port below 1024, since only root may bind those and that
// makes it a real deployment; otherwise allowed with a warning, returned as one line
// (development and test runs as root on high ports, e.g. CI containers). Not root: yes.
// Returns the warning, empty when there is none.
Result<std::string> check_serve_identity(const Config& config, uid_t euid);

enum class ProcessRole {
  server,  // `serve`: capabilities are dropped too (a unit may grant CAP_NET_BIND_SERVICE)
  admin,   // an admin command
};

// Applies [process] user/group for good. When the key is unset: nothing, except that
// `serve` not started as root still clears its capabilities and sets
// PR_SET_NO_NEW_PRIVS. Otherwise:
// - started as root: creates data_dir (mode 0700, as open_backends does) when missing;
//   refuses (ErrorKind::invalid) when a folder above it, or a link on its path, is not
//   root's or may be written by others (sticky folders like /tmp excepted); and when data_dir or an
//   entry directly in it belongs to someone else, gives it and every file below it that belongs to
//   someone else to the user (without following links: see take_over_data_dir); then sets the
//   supplementary groups (initgroups), the group and the user, checks with getresuid/getresgid that
//   real, effective and saved ids all changed and that root cannot be regained;
// - not root: checks that the process already runs as that user and group (only root
//   can switch); ErrorKind::invalid otherwise, naming both;
// then (serve only) clears every capability, and sets PR_SET_NO_NEW_PRIVS.
// Capabilities and PR_SET_NO_NEW_PRIVS belong to the calling thread and are inherited
// by threads created later: call it while the process has one thread.
// Returns one line for the log ("running as postamt (uid 998), group postamt (gid 998)",
// plus what was given to the user), empty when nothing was configured. Errors name
// the call that failed and why.
Result<std::string> become_process_user(const Config& config, ProcessRole role);

// The data_dir part of become_process_user, for serve to run earlier (before it reads
// the store as the user, see read_as_process_user): when root and [process] user is set,
// creates data_dir when missing, checks the folders above it and gives what belongs to
// someone else to the user. Returns "; gave N entries of DIR to USER" when it did, else
// "". Nothing when not root or without the key.
Result<std::string> prepare_data_dir(const Config& config);

// Runs `read` with the effective ids of [process] user/group (and only the user's group
// as supplementary group) when the process is root and the key is set, then returns to
// root: the saved ids stay root's. Otherwise it just runs `read`. For what serve must read
// from data_dir before it binds and becomes the user for good (the first-start guard
// reads the store): root never opens a file in the tree the user controls, so a link
// planted there leads only to what the user could read anyway. Errors: a failed change
// of ids (ErrorKind::io), or what `read` returns.
Result<bool> read_as_process_user(const Config& config, const std::function<Result<bool>()>& read);

// What take_over_data_dir changed.
struct TakeOver {
  size_t changed = 0;  // entries given to the user (data_dir itself included)
  size_t skipped = 0;  // entries left alone: links to files, devices, unreadable folders
};

// Gives `dir` and everything below it whose owner is not `uid` to uid:gid (entries the
// user already owns keep their group). Safe against a user who owns part of the tree
// swapping names during the walk: folders are entered with O_NOFOLLOW, a regular file
// is changed through a descriptor opened without following links and only when it has
// one link (a hard link to a file elsewhere is skipped), a symbolic link itself is
// changed and never followed. `dir` must have no link in its last component (pass
// the resolved path). Mode bits stay. Errors: only for `dir` itself.
Result<TakeOver> take_over_data_dir(const std::string& dir, uid_t uid, gid_t gid);

}  // namespace postamt::app
