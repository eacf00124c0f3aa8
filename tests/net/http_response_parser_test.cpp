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

// Feeds the wire whole and returns the parse status; the recorder keeps what the handler saw.
ParseStatus parse_whole(HttpResponseParser<Recorder>& parser, Recorder& r, const std::string& wire) {
  return parser.feed(r, wire.data(), wire.size());
}

TEST(HttpResponseParser, InterimResponsesAreSkipped) {
  HttpResponseParser<Recorder> parser;
  Recorder r;
  std::string wire =
      "HTTP/1.1 100 Continue\r\nContent-Length: 10\r\n\r\n"  // 1xx never has a body (RFC 9110 15.2)
      "HTTP/1.1 103 Early Hints\r\nLink: </style.css>; rel=preload\r\n\r\n"
      "HTTP/1.1 200 OK\r\nContent-Length: 2\r\n\r\nok";
  ASSERT_EQ(parse_whole(parser, r, wire), ParseStatus::ok);
  EXPECT_EQ(r.status, 200);
  EXPECT_EQ(r.completed, 1);
  EXPECT_EQ(r.body, "ok");
}

TEST(HttpResponseParser, SwitchingProtocolsIsRefused) {
  HttpResponseParser<Recorder> parser;
  Recorder r;
  EXPECT_EQ(parse_whole(parser, r, "HTTP/1.1 101 Switching Protocols\r\nUpgrade: h2c\r\n\r\n"),
            ParseStatus::error);
  EXPECT_EQ(r.completed, 0);
  EXPECT_NE(std::string(parser.error_reason()).find("101"), std::string::npos);
}

TEST(HttpResponseParser, NoContentAndNotModifiedHaveNoBody) {
  for (const char* status : {"204 No Content", "304 Not Modified"}) {
    HttpResponseParser<Recorder> parser;
    Recorder r;
    // A Content-Length on these describes another representation, not bytes that follow (RFC 9110 8.6).
    std::string wire = std::string("HTTP/1.1 ") + status + "\r\nContent-Length: 5\r\n\r\n";
    ASSERT_EQ(parse_whole(parser, r, wire + wire), ParseStatus::ok) << status;
    EXPECT_EQ(r.completed, 2) << status;
    EXPECT_EQ(r.body, "") << status;
    EXPECT_TRUE(parser.keep_alive()) << status;
  }
}

TEST(HttpResponseParser, Http10PersistsOnlyWhenAskedTo) {
  {  // close wins over keep-alive (RFC 9112, section 9.3); llhttp 8.1 lets keep-alive win for HTTP/1.0
    HttpResponseParser<Recorder> parser;
    Recorder r;
    ASSERT_EQ(parse_whole(parser, r,
                          "HTTP/1.0 200 OK\r\nConnection: keep-alive, close\r\nContent-Length: 0\r\n\r\n"),
              ParseStatus::ok);
    EXPECT_EQ(r.completed, 1);
    EXPECT_FALSE(parser.keep_alive());
  }
  {
    HttpResponseParser<Recorder> parser;
    Recorder r;
    ASSERT_EQ(parse_whole(parser, r, "HTTP/1.0 200 OK\r\nContent-Length: 1\r\n\r\na"), ParseStatus::ok);
    EXPECT_EQ(r.completed, 1);
    EXPECT_FALSE(parser.keep_alive());
  }
  {
    HttpResponseParser<Recorder> parser;
    Recorder r;
    ASSERT_EQ(
        parse_whole(parser, r, "HTTP/1.0 200 OK\r\nConnection: Keep-Alive\r\nContent-Length: 1\r\n\r\na"),
        ParseStatus::ok);
    EXPECT_TRUE(parser.keep_alive());
  }
}

TEST(HttpResponseParser, CloseAnywhereInTheConnectionListEndsTheConnection) {
  HttpResponseParser<Recorder> parser;
  Recorder r;
  std::string wire = "HTTP/1.1 200 OK\r\nConnection: upgrade, CLOSE\r\nContent-Length: 1\r\n\r\na";
  ASSERT_EQ(parse_whole(parser, r, wire), ParseStatus::ok);
  EXPECT_EQ(r.completed, 1);
  EXPECT_FALSE(parser.keep_alive());
}

TEST(HttpResponseParser, BytesAfterAConnectionEndingResponseAreIgnored) {
  HttpResponseParser<Recorder> parser;
  Recorder r;
  std::string wire = "HTTP/1.1 200 OK\r\nConnection: close\r\nContent-Length: 1\r\n\r\na";
  ASSERT_EQ(parse_whole(parser, r, wire + "HTTP/1.1 200 OK\r\nContent-Length: 1\r\n\r\nb"), ParseStatus::ok);
  EXPECT_EQ(r.completed, 1);
  EXPECT_EQ(r.body, "a");
  EXPECT_EQ(parser.finish(r), ParseStatus::ok);
}

TEST(HttpResponseParser, GarbageAfterAResponseForbidsReuse) {
  HttpResponseParser<Recorder> parser;
  Recorder r;
  std::string wire = "HTTP/1.1 200 OK\r\nContent-Length: 1\r\n\r\naJUNK\r\n";
  EXPECT_EQ(parse_whole(parser, r, wire), ParseStatus::error);
  EXPECT_EQ(r.completed, 1);
  EXPECT_FALSE(parser.keep_alive());  // the client must not send another request down this connection
}

TEST(HttpResponseParser, TransferCodingNotEndingInChunkedIsReadUntilClose) {
  HttpResponseParser<Recorder> parser;
  Recorder r;
  ASSERT_EQ(parse_whole(parser, r, "HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked, gzip\r\n\r\n1\r\nz"),
            ParseStatus::ok);
  EXPECT_EQ(r.completed, 0);
  ASSERT_EQ(parser.finish(r), ParseStatus::ok);
  EXPECT_EQ(r.completed, 1);
  EXPECT_EQ(r.body, "1\r\nz");
  EXPECT_FALSE(parser.keep_alive());
}

TEST(HttpResponseParser, ChunkExtensionsAndTrailersAreSkipped) {
  expect_every_split_parses(
      "HTTP/1.1 200 OK\r\nTransfer-Encoding: gzip, Chunked\r\n\r\n"
      // Trailer fields never frame the message, so even a nonsensical Content-Length there is ignored
      // (RFC 9110, section 6.5; llhttp applies header rules to trailers and refuses it).
      "3;name=value;flag\r\nabc\r\n00\r\nX-Checksum: 1234\r\nServer-Timing: total;dur=12\r\n"
      "Content-Length: oops\r\n\r\n",
      200, "abc", false);
}

TEST(HttpResponseParser, HeaderNamesAndValuesAreMatchedWithoutRegardToCase) {
  expect_every_split_parses(
      "HTTP/1.1 200 OK\r\nCONTENT-type:\tTEXT/Event-Stream \r\ncontent-LENGTH:3  \r\n\r\nabc", 200, "abc",
      true);
}

TEST(HttpResponseParser, TrailingTabIsWhitespace) {
  // llhttp 8.1 keeps a trailing HTAB in the value (so "close<HTAB>" does not close there); RFC 9110 OWS is
  // SP or HTAB on both sides.
  HttpResponseParser<Recorder> parser;
  Recorder r;
  std::string wire =
      "HTTP/1.1 200 OK\r\nConnection: close\t\r\nTransfer-Encoding: chunked\t\r\n\r\n1\r\na\r\n0\r\n\r\n";
  ASSERT_EQ(parse_whole(parser, r, wire), ParseStatus::ok);
  EXPECT_EQ(r.completed, 1);
  EXPECT_EQ(r.body, "a");
  EXPECT_FALSE(parser.keep_alive());
}

TEST(HttpResponseParser, ErrorsAreStickyUntilReset) {
  HttpResponseParser<Recorder> parser;
  Recorder r;
  EXPECT_EQ(parse_whole(parser, r, "HTTP/1.1 2000 OK\r\n"), ParseStatus::error);
  std::string good = "HTTP/1.1 200 OK\r\nContent-Length: 0\r\n\r\n";
  EXPECT_EQ(parse_whole(parser, r, good), ParseStatus::error);
  EXPECT_EQ(parser.finish(r), ParseStatus::error);
  EXPECT_EQ(r.completed, 0);
}

struct Refusal {
  const char* wire;
  const char* reason;  // part of error_reason()
};

TEST(HttpResponseParser, MalformedResponsesAreRefusedWithAReason) {
  const std::string long_value(HttpResponseFramer::kMaxHeadBytes, 'x');
  std::string many_headers = "HTTP/1.1 200 OK\r\n";
  while (many_headers.size() <= HttpResponseFramer::kMaxHeadBytes) many_headers += "X-Filler: 0123456789\r\n";
  const std::string long_line = "HTTP/1.1 200 OK\r\nX-Long: " + long_value + "\r\n\r\n";
  const Refusal refusals[] = {
      {"HTTP/1.1 200 OK\nContent-Length: 0\n\n", "LF without CR"},
      {"HTTP/2.0 200 OK\r\n\r\n", "HTTP/1.0 or HTTP/1.1"},
      {"http/1.1 200 OK\r\n\r\n", "HTTP/1.0 or HTTP/1.1"},
      {"HTTP/1.1 20 OK\r\n\r\n", "three digits"},
      {"HTTP/1.1 099 OK\r\n\r\n", "three digits"},
      {"HTTP/1.1 200OK\r\n\r\n", "three digits"},
      {"HTTP/1.1 200 O\x01K\r\n\r\n", "control character"},
      {"HTTP/1.1 200 OK\r\nContent-Length: 1\r\nContent-Length: 1\r\n\r\na", "more than one Content-Length"},
      {"HTTP/1.1 200 OK\r\nContent-Length: 1\r\nTransfer-Encoding: chunked\r\n\r\n", "ambiguous"},
      {"HTTP/1.1 200 OK\r\nContent-Length: +1\r\n\r\na", "invalid character in Content-Length"},
      {"HTTP/1.1 200 OK\r\nContent-Length: 1 2\r\n\r\na", "invalid character in Content-Length"},
      {"HTTP/1.1 200 OK\r\nContent-Length:\r\n\r\n", "empty Content-Length"},
      {"HTTP/1.1 200 OK\r\nContent-Length: 99999999999999999999\r\n\r\n", "overflows"},
      {"HTTP/1.1 200 OK\r\nX-A: 1\r\n folded\r\n\r\n", "obs-fold"},
      {"HTTP/1.1 200 OK\r\nContent Length: 1\r\n\r\n", "header name"},
      {"HTTP/1.1 200 OK\r\nNoColon\r\n\r\n", "without a name and a colon"},
      {"HTTP/1.1 200 OK\r\n: value\r\n\r\n", "without a name and a colon"},
      {"HTTP/1.1 200 OK\r\nX-A: a\x7f\r\n\r\n", "control character"},
      {"HTTP/1.1 200 OK\r\nX-A: a\rb\r\n\r\n", "CR in a line is not followed by LF"},
      {"HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n1 \r\na\r\n", "invalid chunk size"},
      {"HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n\r\n", "invalid chunk size"},
      {"HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n1;a b\r\na\r\n", "chunk extension"},
      {"HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n1\r\naX", "not followed by CR LF"},
      {"HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n10000000000000000\r\n", "chunk size overflows"},
      {"HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n0\r\nbad trailer\r\n\r\n", "without a name"},
  };
  for (const Refusal& refusal : refusals) {
    HttpResponseParser<Recorder> parser;
    Recorder r;
    EXPECT_EQ(parse_whole(parser, r, refusal.wire), ParseStatus::error) << refusal.wire;
    EXPECT_NE(std::string(parser.error_reason()).find(refusal.reason), std::string::npos)
        << refusal.wire << " gave: " << parser.error_reason();
  }
  for (const std::string& wire : {long_line, many_headers}) {
    HttpResponseParser<Recorder> parser;
    Recorder r;
    EXPECT_EQ(parse_whole(parser, r, wire), ParseStatus::error);
    EXPECT_NE(std::string(parser.error_reason()).find("64 KiB"), std::string::npos) << parser.error_reason();
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
