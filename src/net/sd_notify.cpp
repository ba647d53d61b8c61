#include "net/sd_notify.h"

#include <fmt/format.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <unistd.h>

#include <cerrno>
#include <cstddef>
#include <cstdlib>
#include <cstring>
#include <ctime>
#include <utility>

namespace postamt::net {
namespace {

// One line of free text: a line break would end the STATUS= assignment and start another.
std::string one_line(std::string_view text) {
  std::string out(text);
  for (char& c : out)
    if (c == '\n' || c == '\r') c = ' ';
  return out;
}

}  // namespace

std::string ready_message(std::string_view status, int main_pid) {
  return fmt::format("READY=1\nSTATUS={}\nMAINPID={}", one_line(status), main_pid);
}

std::string reloading_message(uint64_t monotonic_usec) {
  return fmt::format("RELOADING=1\nMONOTONIC_USEC={}", monotonic_usec);
}

std::string reloaded_message(std::string_view status) {
  return fmt::format("READY=1\nSTATUS={}", one_line(status));
}

std::string stopping_message(std::string_view status) {
  return fmt::format("STOPPING=1\nSTATUS={}", one_line(status));
}

uint64_t monotonic_usec() {
  timespec now{};
  ::clock_gettime(CLOCK_MONOTONIC, &now);
  return static_cast<uint64_t>(now.tv_sec) * 1'000'000u +
         static_cast<uint64_t>(now.tv_nsec) / 1000u;
}

SystemdNotifier::SystemdNotifier(SystemdNotifier&& other) noexcept
    : fd_(std::exchange(other.fd_, -1)), address_(std::move(other.address_)) {}

SystemdNotifier& SystemdNotifier::operator=(SystemdNotifier&& other) noexcept {
  if (this != &other) {
    if (fd_ >= 0) ::close(fd_);
    fd_ = std::exchange(other.fd_, -1);
    address_ = std::move(other.address_);
  }
  return *this;
}

SystemdNotifier::~SystemdNotifier() {
  if (fd_ >= 0) ::close(fd_);
}

Result<SystemdNotifier> SystemdNotifier::from_environment() {
  const char* value = std::getenv("NOTIFY_SOCKET");
  if (!value || !*value) return SystemdNotifier{};
  return connect(value);
}

Result<SystemdNotifier> SystemdNotifier::connect(std::string_view address) {
  sockaddr_un sun{};
  sun.sun_family = AF_UNIX;
  // sd_notify(3): an absolute path, or '@' for a name in the abstract namespace, which
  // the socket address spells with a leading NUL and without a terminating one.
  if (address.empty() || (address.front() != '/' && address.front() != '@'))
    return Error{
        ErrorKind::invalid,
        fmt::format("NOTIFY_SOCKET \"{}\" is neither an absolute path nor \"@name\"", address)};
  if (address.size() >= sizeof sun.sun_path || address == "@")
    return Error{ErrorKind::invalid,
                 fmt::format("NOTIFY_SOCKET \"{}\" is not a usable socket address", address)};
  std::memcpy(sun.sun_path, address.data(), address.size());
  socklen_t length = static_cast<socklen_t>(offsetof(sockaddr_un, sun_path) + address.size());
  if (address.front() == '@')
    sun.sun_path[0] = '\0';
  else
    ++length;  // the path's terminating NUL

  SystemdNotifier notifier;
  notifier.address_ = std::string(address);
  notifier.fd_ = ::socket(AF_UNIX, SOCK_DGRAM | SOCK_CLOEXEC, 0);
  if (notifier.fd_ < 0 ||
      ::connect(notifier.fd_, reinterpret_cast<const sockaddr*>(&sun), length) != 0)
    return Error{ErrorKind::io,
                 fmt::format("NOTIFY_SOCKET {}: {}", notifier.address_, std::strerror(errno))};
  return notifier;
}

Result<void> SystemdNotifier::send(std::string_view message) const {
  if (fd_ < 0) return {};
  ssize_t sent = ::send(fd_, message.data(), message.size(), MSG_NOSIGNAL | MSG_DONTWAIT);
  if (sent < 0)
    return Error{ErrorKind::io,
                 fmt::format("NOTIFY_SOCKET {}: {}", address_, std::strerror(errno))};
  if (static_cast<size_t>(sent) != message.size())
    return Error{ErrorKind::io, fmt::format("NOTIFY_SOCKET {}: datagram cut short", address_)};
  return {};
}

}  // namespace postamt::net
