// The one ErrorKind -> RFC 5530 mapping, every kind.
#include "imap/session/error_codes.h"

#include <gtest/gtest.h>

namespace postamt::imap {
namespace {

std::string encoded(const Error& error) {
  Reply reply = reply_for(error);
  return proto::encode(proto::StatusResponse{"a", reply.condition, reply.code, reply.text});
}

TEST(ErrorCodes, EveryKind) {
  EXPECT_EQ(encoded({ErrorKind::invalid, "bad name"}), "a NO [CANNOT] bad name\r\n");
  EXPECT_EQ(encoded({ErrorKind::not_found, "no such"}), "a NO [NONEXISTENT] no such\r\n");
  EXPECT_EQ(encoded({ErrorKind::exists, "taken"}), "a NO [ALREADYEXISTS] taken\r\n");
  EXPECT_EQ(encoded({ErrorKind::limit, "too many"}), "a NO [LIMIT] too many\r\n");
  EXPECT_EQ(encoded({ErrorKind::over_quota, "full"}), "a NO [OVERQUOTA] full\r\n");
  EXPECT_EQ(encoded({ErrorKind::permission, "not yours"}), "a NO [NOPERM] not yours\r\n");
  EXPECT_EQ(encoded({ErrorKind::auth_failed, "wrong password"}),
            "a NO [AUTHENTICATIONFAILED] Authentication failed\r\n");
  for (ErrorKind kind :
       {ErrorKind::temporary, ErrorKind::io, ErrorKind::timeout, ErrorKind::closed})
    EXPECT_EQ(encoded({kind, "disk /var/x failed"}),
              "a NO [UNAVAILABLE] Temporary failure, try again later\r\n");
  EXPECT_EQ(encoded({ErrorKind::no_space, "cannot write /var/x: No space left on device"}),
            "a NO [UNAVAILABLE] Not enough disk space on the server, try again later\r\n");
  EXPECT_EQ(encoded({ErrorKind::internal, "assert x"}),
            "a NO [SERVERBUG] Internal server error\r\n");
}

}  // namespace
}  // namespace postamt::imap
