#include "httpd/head.h"

#include <gtest/gtest.h>

#include "httpd/query.h"

namespace cbit::httpd {
namespace {
namespace http = boost::beast::http;

http::request_header<> Head(http::verb method, const std::string& target) {
  http::request_header<> h;
  h.method(method);
  h.target(target);
  h.version(11);
  return h;
}

TEST(Head, TheRequestHasTheDecodedPathQueryAndEveryHeader) {
  auto h = Head(http::verb::get, "/job/1%2B2+x?a=1+2&b=%2F&flag");
  h.insert("Authorization", "Bearer t");
  h.insert("X-Twice", "1");
  h.insert("x-twice", "2");
  Request req = RequestOfHead(h);
  EXPECT_EQ(req.method, "GET");
  EXPECT_EQ(req.target, "/job/1%2B2+x?a=1+2&b=%2F&flag");
  EXPECT_EQ(req.path, "/job/1+2+x");
  EXPECT_EQ(req.get_param_value("a"), "1 2");
  EXPECT_EQ(req.get_param_value("b"), "/");
  EXPECT_TRUE(req.has_param("flag"));
  EXPECT_EQ(req.get_header_value("authorization"), "Bearer t");
  EXPECT_EQ(req.headers.count("X-TWICE"), 2u);
}

TEST(Head, ANulInThePathOrQueryIsBadInputNamingWhere) {
  try {
    RequestOfHead(Head(http::verb::get, "/job/1%00"));
    FAIL() << "accepted %00 in the path";
  } catch (const BadInput& e) {
    EXPECT_NE(std::string(e.what()).find("the path"), std::string::npos) << e.what();
  }
  EXPECT_THROW(RequestOfHead(Head(http::verb::get, "/job?a=%00")), BadInput);
}

TEST(Head, AnEncodedBodyIs415AndOneOverTheLimit413) {
  Request req;
  EXPECT_FALSE(RefuseBody(req, std::nullopt, 10));
  EXPECT_FALSE(RefuseBody(req, 10, 10));
  auto big = RefuseBody(req, 11, 10);
  ASSERT_TRUE(big);
  EXPECT_EQ(big->status, 413);
  EXPECT_EQ(big->message, BodyTooLarge(10));
  req.headers.emplace("Content-Encoding", "IDENTITY");
  EXPECT_FALSE(RefuseBody(req, 1, 10));
  req.headers.clear();
  req.headers.emplace("content-encoding", "gzip");
  auto gzip = RefuseBody(req, 1, 10);
  ASSERT_TRUE(gzip);
  EXPECT_EQ(gzip->status, 415);
  EXPECT_NE(gzip->message.find("gzip"), std::string::npos) << gzip->message;
}

TEST(Head, AnEncodingInASecondContentEncodingFieldIs415) {
  Request req;
  req.headers.emplace("Content-Encoding", "identity");
  req.headers.emplace("Content-Encoding", "gzip");
  auto refusal = RefuseBody(req, 9, 10);
  ASSERT_TRUE(refusal) << "a gzip body passed as unencoded";
  EXPECT_EQ(refusal->status, 415);
  EXPECT_NE(refusal->message.find("gzip"), std::string::npos) << refusal->message;
}

TEST(Head, ATransferCodingOtherThanChunkedIs501) {
  Request req;
  req.headers.emplace("Transfer-Encoding", "Chunked");
  EXPECT_FALSE(RefuseBody(req, std::nullopt, 10));
  req.headers.clear();
  req.headers.emplace("Transfer-Encoding", "gzip , chunked");
  auto refusal = RefuseBody(req, std::nullopt, 10);
  ASSERT_TRUE(refusal) << "a gzip body passed as uncoded";
  EXPECT_EQ(refusal->status, 501);
  EXPECT_NE(refusal->message.find("gzip"), std::string::npos) << refusal->message;
}

TEST(Head, TheDeclaredLengthIsTheParsersContentLength) {
  RequestParser p;
  boost::beast::error_code ec;
  EXPECT_FALSE(DeclaredLength(p));
  std::string head = "POST /job HTTP/1.1\r\nHost: x\r\nContent-Length: 17\r\n\r\n";
  p.put(boost::asio::buffer(head), ec);
  ASSERT_FALSE(ec) << ec.message();
  EXPECT_EQ(DeclaredLength(p), 17u);
}

}  // namespace
}  // namespace cbit::httpd
