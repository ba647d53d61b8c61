// SystemdNotifier against a real datagram socket standing in for systemd's.
#include "net/sd_notify.h"

#include <fmt/format.h>
#include <gtest/gtest.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <unistd.h>

#include <cstddef>
#include <cstdlib>
#include <cstring>
#include <memory>

#include "support/files.h"

namespace postamt::net {
namespace {

using postamt::testing::TempDir;

// A bound AF_UNIX datagram socket, like the one systemd passes in $NOTIFY_SOCKET.
class Receiver {
 public:
  // `name`: a path, or "@name" for the abstract namespace.
  explicit Receiver(const std::string& name) {
    fd_ = ::socket(AF_UNIX, SOCK_DGRAM | SOCK_CLOEXEC, 0);
    sockaddr_un sun{};
    sun.sun_family = AF_UNIX;
    std::memcpy(sun.sun_path, name.data(), name.size());
    socklen_t length = static_cast<socklen_t>(offsetof(sockaddr_un, sun_path) + name.size());
    if (name.front() == '@') sun.sun_path[0] = '\0';
    bound_ = fd_ >= 0 && ::bind(fd_, reinterpret_cast<sockaddr*>(&sun), length) == 0;
  }
  ~Receiver() { ::close(fd_); }
  bool bound() const { return bound_; }
  // The next datagram, or "(none)" when nothing is queued.
  std::string next() {
    char buf[4096];
    ssize_t n = ::recv(fd_, buf, sizeof buf, MSG_DONTWAIT);
    return n < 0 ? "(none)" : std::string(buf, static_cast<size_t>(n));
  }

 private:
  int fd_ = -1;
  bool bound_ = false;
};

}  // namespace

TEST(SdNotify, MessagesAreExact) {
  EXPECT_EQ(ready_message("Serving with 3 listeners", 4242),
            "READY=1\nSTATUS=Serving with 3 listeners\nMAINPID=4242");
  EXPECT_EQ(reloading_message(123456789), "RELOADING=1\nMONOTONIC_USEC=123456789");
  EXPECT_EQ(reloaded_message("TLS reloaded"), "READY=1\nSTATUS=TLS reloaded");
  EXPECT_EQ(stopping_message("Shutting down"), "STOPPING=1\nSTATUS=Shutting down");
  // A line break in the status text would start a new assignment.
  EXPECT_EQ(reloaded_message("bad\nREADY=0\r"), "READY=1\nSTATUS=bad READY=0 ");
}

TEST(SdNotify, MonotonicClockInMicroseconds) {
  uint64_t first = monotonic_usec();
  ::usleep(2000);
  uint64_t second = monotonic_usec();
  EXPECT_GE(second - first, 2000u);
  EXPECT_LT(second - first, 5'000'000u);
  timespec now{};
  ::clock_gettime(CLOCK_MONOTONIC, &now);
  EXPECT_LE(second / 1'000'000u, static_cast<uint64_t>(now.tv_sec));
}

TEST(SdNotify, SendsToAPathSocket) {
  TempDir dir;
  Receiver systemd(dir.path("notify"));
  ASSERT_TRUE(systemd.bound());
  auto notifier = SystemdNotifier::connect(dir.path("notify"));
  ASSERT_TRUE(notifier) << notifier.error().message;
  EXPECT_TRUE(notifier->active());
  EXPECT_EQ(notifier->address(), dir.path("notify"));
  ASSERT_TRUE(notifier->send(ready_message("up", 7)));
  ASSERT_TRUE(notifier->send(stopping_message("down")));
  EXPECT_EQ(systemd.next(), "READY=1\nSTATUS=up\nMAINPID=7");
  EXPECT_EQ(systemd.next(), "STOPPING=1\nSTATUS=down");
  EXPECT_EQ(systemd.next(), "(none)");
}

TEST(SdNotify, SendsToAnAbstractSocket) {
  std::string name = fmt::format("@postamt-sd-notify-test-{}", ::getpid());
  Receiver systemd(name);
  ASSERT_TRUE(systemd.bound());
  auto notifier = SystemdNotifier::connect(name);
  ASSERT_TRUE(notifier) << notifier.error().message;
  ASSERT_TRUE(notifier->send(reloading_message(5)));
  EXPECT_EQ(systemd.next(), "RELOADING=1\nMONOTONIC_USEC=5");
  // The name without '@' is a different (path) socket: the leading NUL is what makes it
  // abstract.
  EXPECT_FALSE(SystemdNotifier::connect(name.substr(1)));
}

TEST(SdNotify, FromTheEnvironment) {
  TempDir dir;
  Receiver systemd(dir.path("notify"));
  ASSERT_TRUE(systemd.bound());
  ::unsetenv("NOTIFY_SOCKET");
  auto none = SystemdNotifier::from_environment();
  ASSERT_TRUE(none);
  EXPECT_FALSE(none->active());
  EXPECT_TRUE(none->send("READY=1"));  // inactive: nothing to do, no error
  ::setenv("NOTIFY_SOCKET", "", 1);
  EXPECT_FALSE(SystemdNotifier::from_environment()->active());
  ::setenv("NOTIFY_SOCKET", dir.path("notify").c_str(), 1);
  auto set = SystemdNotifier::from_environment();
  ::unsetenv("NOTIFY_SOCKET");
  ASSERT_TRUE(set) << set.error().message;
  ASSERT_TRUE(set->send("READY=1"));
  EXPECT_EQ(systemd.next(), "READY=1");
  // Moved: the new owner sends, the old one is inactive.
  SystemdNotifier moved = std::move(*set);
  EXPECT_FALSE(set->active());
  ASSERT_TRUE(moved.send("STOPPING=1"));
  EXPECT_EQ(systemd.next(), "STOPPING=1");
}

TEST(SdNotify, BadAddresses) {
  auto relative = SystemdNotifier::connect("run/notify");
  ASSERT_FALSE(relative);
  EXPECT_EQ(relative.error().kind, ErrorKind::invalid);
  EXPECT_EQ(relative.error().message,
            "NOTIFY_SOCKET \"run/notify\" is neither an absolute path nor \"@name\"");
  // systemd 253's vsock form is not supported.
  EXPECT_EQ(SystemdNotifier::connect("vsock:2:1234").error().kind, ErrorKind::invalid);
  EXPECT_EQ(SystemdNotifier::connect("@").error().kind, ErrorKind::invalid);
  std::string too_long = "/" + std::string(sizeof(sockaddr_un::sun_path), 'x');
  EXPECT_EQ(SystemdNotifier::connect(too_long).error().message,
            fmt::format("NOTIFY_SOCKET \"{}\" is not a usable socket address", too_long));
  TempDir dir;
  auto missing = SystemdNotifier::connect(dir.path("nobody-listens"));
  ASSERT_FALSE(missing);
  EXPECT_EQ(missing.error().kind, ErrorKind::io);
  EXPECT_EQ(missing.error().message,
            fmt::format("NOTIFY_SOCKET {}: No such file or directory", dir.path("nobody-listens")));
}

TEST(SdNotify, SendFailsWhenTheReceiverIsGone) {
  TempDir dir;
  auto systemd = std::make_unique<Receiver>(dir.path("notify"));
  auto notifier = SystemdNotifier::connect(dir.path("notify"));
  ASSERT_TRUE(notifier);
  systemd.reset();
  auto sent = notifier->send("READY=1");
  ASSERT_FALSE(sent);
  EXPECT_EQ(sent.error().kind, ErrorKind::io);
  EXPECT_EQ(sent.error().message.rfind(fmt::format("NOTIFY_SOCKET {}: ", dir.path("notify")), 0),
            0u)
      << sent.error().message;
}

}  // namespace postamt::net
