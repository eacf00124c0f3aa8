#include "net/http_response_parser.h"

#include <gtest/gtest.h>

#include <string>
#include <vector>

namespace ie::net {
namespace {

struct Recorder {
  void on_headers(int status_code, bool is_event_stream) {
    status = status_code;
    event_stream = is_event_stream;
  }
  void on_body(const char* data, size_t size) { body.append(data, size); }
  void on_complete() { ++completed; }

  int status = 0;
  bool event_stream = false;
  std::string body;
  int completed = 0;
};

// Feeds the text split at every possible point (and byte by byte) and checks each run sees the same response.
void expect_every_split_parses(const std::string& wire, int status, const std::string& body,
                               bool event_stream) {
  for (size_t split = 0; split <= wire.size(); ++split) {
    HttpResponseParser<Recorder> parser;
    Recorder r;
    ASSERT_EQ(parser.feed(r, wire.data(), split), ParseStatus::ok) << "split " << split;
    ASSERT_EQ(parser.feed(r, wire.data() + split, wire.size() - split), ParseStatus::ok) << "split " << split;
    EXPECT_EQ(r.completed, 1) << "split " << split;
    EXPECT_EQ(r.status, status);
    EXPECT_EQ(r.body, body);
    EXPECT_EQ(r.event_stream, event_stream);
  }
  HttpResponseParser<Recorder> parser;
  Recorder r;
  for (char c : wire) ASSERT_EQ(parser.feed(r, &c, 1), ParseStatus::ok);
  EXPECT_EQ(r.completed, 1);
  EXPECT_EQ(r.body, body);
}

TEST(HttpResponseParser, ContentLengthBodyAtEverySplit) {
  expect_every_split_parses(
      "HTTP/1.1 200 OK\r\nContent-Type: application/json\r\nContent-Length: 11\r\n\r\n{\"a\":\"xyz\"}", 200,
      "{\"a\":\"xyz\"}", false);
}

TEST(HttpResponseParser, ChunkedEventStreamAtEverySplit) {
  std::string wire =
      "HTTP/1.1 200 OK\r\ncontent-type: Text/Event-Stream; charset=utf-8\r\nTransfer-Encoding: "
      "chunked\r\n\r\n"
      "6\r\ndata: \r\n"
      "9\r\n{\"x\":1}\n\n\r\n"
      "0\r\n\r\n";
  expect_every_split_parses(wire, 200, "data: {\"x\":1}\n\n", true);
}

TEST(HttpResponseParser, ErrorStatusKeepsBody) {
  expect_every_split_parses("HTTP/1.1 503 Service Unavailable\r\nContent-Length: 4\r\n\r\nbusy", 503, "busy",
                            false);
}

TEST(HttpResponseParser, KeepAliveConnectionCarriesSuccessiveResponses) {
  HttpResponseParser<Recorder> parser;
  Recorder r;
  std::string one = "HTTP/1.1 200 OK\r\nContent-Length: 1\r\n\r\na";
  ASSERT_EQ(parser.feed(r, one.data(), one.size()), ParseStatus::ok);
  EXPECT_TRUE(parser.keep_alive());
  ASSERT_EQ(parser.feed(r, one.data(), one.size()), ParseStatus::ok);
  EXPECT_EQ(r.completed, 2);
  EXPECT_EQ(r.body, "aa");
}

TEST(HttpResponseParser, ConnectionCloseForbidsReuse) {
  HttpResponseParser<Recorder> parser;
  Recorder r;
  std::string wire = "HTTP/1.1 200 OK\r\nConnection: close\r\nContent-Length: 1\r\n\r\na";
  ASSERT_EQ(parser.feed(r, wire.data(), wire.size()), ParseStatus::ok);
  EXPECT_EQ(r.completed, 1);
  EXPECT_FALSE(parser.keep_alive());
}

TEST(HttpResponseParser, BodyUntilCloseCompletesOnFinish) {
  HttpResponseParser<Recorder> parser;
  Recorder r;
  std::string wire = "HTTP/1.1 200 OK\r\nConnection: close\r\n\r\nall of it";
  ASSERT_EQ(parser.feed(r, wire.data(), wire.size()), ParseStatus::ok);
  EXPECT_EQ(r.completed, 0);
  ASSERT_EQ(parser.finish(r), ParseStatus::ok);
  EXPECT_EQ(r.completed, 1);
  EXPECT_EQ(r.body, "all of it");
}

TEST(HttpResponseParser, TruncatedContentLengthBodyFailsOnFinish) {
  HttpResponseParser<Recorder> parser;
  Recorder r;
  std::string wire = "HTTP/1.1 200 OK\r\nContent-Length: 10\r\n\r\nshort";
  ASSERT_EQ(parser.feed(r, wire.data(), wire.size()), ParseStatus::ok);
  EXPECT_EQ(parser.finish(r), ParseStatus::error);
  EXPECT_EQ(r.completed, 0);
}

TEST(HttpResponseParser, MalformedStatusLineAndChunkSizeAreErrors) {
  {
    HttpResponseParser<Recorder> parser;
    Recorder r;
    std::string wire = "HTTX/1.1 200 OK\r\n\r\n";
    EXPECT_EQ(parser.feed(r, wire.data(), wire.size()), ParseStatus::error);
    EXPECT_STRNE(parser.error_reason(), "");
  }
  {
    HttpResponseParser<Recorder> parser;
    Recorder r;
    std::string wire = "HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\nzz\r\n";
    EXPECT_EQ(parser.feed(r, wire.data(), wire.size()), ParseStatus::error);
  }
}

TEST(HttpResponseParser, ResetStartsCleanAfterAnError) {
  HttpResponseParser<Recorder> parser;
  Recorder r;
  std::string bad = "garbage\r\n\r\n";
  EXPECT_EQ(parser.feed(r, bad.data(), bad.size()), ParseStatus::error);
  parser.reset();
  std::string good = "HTTP/1.1 204 No Content\r\n\r\n";
  EXPECT_EQ(parser.feed(r, good.data(), good.size()), ParseStatus::ok);
  EXPECT_EQ(r.status, 204);
  EXPECT_EQ(r.completed, 1);
}

}  // namespace
}  // namespace ie::net
