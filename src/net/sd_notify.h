// Telling systemd what the server is doing (Type=notify and Type=notify-reload units),
// with the datagram protocol of sd_notify(3) written out instead of linking libsystemd:
// one AF_UNIX datagram of "KEY=value" lines per notification, sent to the socket named
// by $NOTIFY_SOCKET ("/path", or "@name" for the abstract namespace). docs/process.md
// lists what `serve` sends and when.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>

#include "base/result.h"

namespace postamt::net {

// The notifications, as exact bytes (no I/O), following systemd.service(5) and
// sd_notify(3). `status` is one line of free text for `systemctl status`; a line break
// in it would start another assignment, so line breaks become spaces.
//   "READY=1\nSTATUS=<status>\nMAINPID=<pid>"       start-up done
std::string ready_message(std::string_view status, int main_pid);
//   "RELOADING=1\nMONOTONIC_USEC=<usec>"             a reload begins (SIGHUP); systemd
//                                                    wants CLOCK_MONOTONIC in microseconds
std::string reloading_message(uint64_t monotonic_usec);
//   "READY=1\nSTATUS=<status>"                       the reload is over
std::string reloaded_message(std::string_view status);
//   "STOPPING=1\nSTATUS=<status>"                    shutdown begins (SIGTERM, SIGINT)
std::string stopping_message(std::string_view status);

// CLOCK_MONOTONIC now, in microseconds (for reloading_message).
uint64_t monotonic_usec();

// A connection to the notification socket. Inactive (send() does nothing and succeeds)
// when the process was not started with $NOTIFY_SOCKET. Move-only; not thread-safe for
// moves, but send() may be called from any thread.
class SystemdNotifier {
 public:
  SystemdNotifier() = default;  // inactive
  SystemdNotifier(SystemdNotifier&& other) noexcept;
  SystemdNotifier& operator=(SystemdNotifier&& other) noexcept;
  ~SystemdNotifier();

  // From $NOTIFY_SOCKET: inactive when it is unset or empty, else connect(value).
  static Result<SystemdNotifier> from_environment();

  // Opens a datagram socket and connects it to `address` now, so that notifications
  // still reach systemd after the process gave up its privileges (the socket's file
  // may not be writable by the user `serve` drops to). Errors: ErrorKind::invalid for an
  // address that is neither an absolute path nor "@name", or too long for a socket
  // address; ErrorKind::io when the socket cannot be reached. Messages name the address.
  static Result<SystemdNotifier> connect(std::string_view address);

  bool active() const { return fd_ >= 0; }
  const std::string& address() const { return address_; }

  // Sends `message` as one datagram without blocking. Errors: ErrorKind::io (the
  // receiver is gone or its queue is full), naming the address and the reason.
  Result<void> send(std::string_view message) const;

 private:
  int fd_ = -1;
  std::string address_;
};

}  // namespace postamt::net
