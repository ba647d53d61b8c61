#include "jmap/email/email_view.h"

#include <gtest/gtest.h>

namespace postamt::jmap {
namespace {
TEST(EmailView, Placeholder) {}
}  // namespace
}  // namespace postamt::jmap
