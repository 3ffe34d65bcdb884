#include "http/controller_probe.h"

#include <gtest/gtest.h>

namespace cbit::http {
namespace {

using peercheck::State;

TEST(ControllerProbe, CredentialsRefusedAreARefusal) {
  EXPECT_EQ(ClassifyControllerStatus(401, "").state, State::kRefused);
  EXPECT_EQ(ClassifyControllerStatus(403, "").state, State::kRefused);
}

TEST(ControllerProbe, NoAnswerOrAServerErrorIsWaitedFor) {
  EXPECT_EQ(ClassifyControllerStatus(0, "").state, State::kUnreachable);
  EXPECT_EQ(ClassifyControllerStatus(503, "").state, State::kUnreachable);
  EXPECT_EQ(ClassifyControllerStatus(429, "").state, State::kUnreachable);
}

TEST(ControllerProbe, AnAnswerPastTheCredentialsIsReady) {
  for (int s : {200, 204, 400, 404, 405, 409})
    EXPECT_EQ(ClassifyControllerStatus(s, "").state, State::kReady) << s;
}

TEST(ControllerProbe, DescribesOneOrSeveralControllers) {
  EXPECT_EQ(DescribeControllers({"http://a:8080"}), "the controller at http://a:8080");
  EXPECT_EQ(DescribeControllers({"http://a:1", "http://b:2"}),
            "the controllers at http://a:1, http://b:2");
}

}  // namespace
}  // namespace cbit::http
