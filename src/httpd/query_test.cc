#include "httpd/query.h"

#include <gtest/gtest.h>

namespace cbit::httpd {
namespace {

TEST(Query, AValueKeepsEveryCharacterAfterTheFirstEquals) {
  Params p;
  ParseQuery("uri=http%3A%2F%2Fx%2Fy%3Fa%3Db&raw=http://x/y?a=b&k=v=w", p, "the form");
  EXPECT_EQ(p.find("uri")->second, "http://x/y?a=b");
  EXPECT_EQ(p.find("raw")->second, "http://x/y?a=b");
  EXPECT_EQ(p.find("k")->second, "v=w");
}

TEST(Query, PlusIsASpaceEmptyPairsAreSkippedAndAKeyAloneIsEmpty) {
  Params p;
  ParseQuery("a=1+2&&flag&b=%2B&c=%zz%4", p, "q");
  EXPECT_EQ(p.find("a")->second, "1 2");
  EXPECT_EQ(p.find("flag")->second, "");
  EXPECT_EQ(p.find("b")->second, "+");
  EXPECT_EQ(p.find("c")->second, "%zz%4");  // not an escape: kept as sent
  EXPECT_EQ(p.size(), 4u);
}

TEST(Query, ANulByteIsRefusedNamingWhere) {
  Params p;
  try {
    ParseQuery("a=x%00y", p, "the form");
    FAIL() << "accepted %00";
  } catch (const BadInput& e) {
    EXPECT_NE(std::string(e.what()).find("the form"), std::string::npos) << e.what();
  }
  EXPECT_THROW(ParseQuery("a%00=1", p, "q"), BadInput);
  EXPECT_THROW(ParseQuery(std::string("a=\0", 3), p, "q"), BadInput);
  EXPECT_THROW(Decode("/job/1%00", false, "the path"), BadInput);
}

TEST(Query, APathDecodesEscapesButNotPlus) {
  EXPECT_EQ(Decode("/package/details/g%2B%2B+x", false, "p"), "/package/details/g+++x");
  EXPECT_EQ(Decode("/package/details/g%2B%2B+x", true, "p"), "/package/details/g++ x");
  EXPECT_EQ(Decode("/a+b", false, "p"), "/a+b");
}

}  // namespace
}  // namespace cbit::httpd
