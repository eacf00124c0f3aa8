// llhttp wrapper: requests come out one at a time, whole and in order, however the bytes are split.

#include "stub/request_parser.h"

#include <gtest/gtest.h>
#include <sys/mman.h>
#include <unistd.h>

#include <cstring>
#include <string>
#include <vector>

namespace ie::stub {
namespace {

struct Seen {
  HttpMethod method;
  std::string path;
  std::string body;
  bool keep_alive;
  bool operator==(const Seen&) const = default;
};

// Holds bytes at the very end of a readable page followed by an unreadable one, so a read past the end
// crashes.
class GuardedBytes {
 public:
  explicit GuardedBytes(const std::string& bytes) {
    page_ = static_cast<size_t>(sysconf(_SC_PAGESIZE));
    pages_ = (bytes.size() + page_ - 1) / page_ + 1;
    base_ = static_cast<char*>(
        mmap(nullptr, pages_ * page_, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0));
    mprotect(base_ + (pages_ - 1) * page_, page_, PROT_NONE);
    data_ = base_ + (pages_ - 1) * page_ - bytes.size();
    std::memcpy(data_, bytes.data(), bytes.size());
  }
  ~GuardedBytes() { munmap(base_, pages_ * page_); }
  const char* data() const { return data_; }

 private:
  size_t page_, pages_;
  char* base_;
  char* data_;
};

// Feeds `segments` in order, answering each ready request, like the worker does.
std::vector<Seen> parse(RequestParser& parser, const std::vector<std::string>& segments) {
  std::vector<Seen> seen;
  for (const std::string& segment : segments) {
    GuardedBytes guarded(segment);
    size_t offset = 0;
    while (offset < segment.size()) {
      RequestParser::FeedResult r = parser.feed(guarded.data() + offset, segment.size() - offset);
      offset += r.consumed_bytes;
      if (r.status == RequestParser::Status::need_more) break;
      if (r.status != RequestParser::Status::request_ready) {
        ADD_FAILURE() << "unexpected parse failure: " << parser.error_reason();
        return seen;
      }
      const HttpRequest& req = parser.request();
      seen.push_back(Seen{req.method, std::string(req.path), parser.body(), req.keep_alive});
    }
  }
  return seen;
}

const std::string kStream =
    "POST /v1/chat/completions HTTP/1.1\r\nHost: a\r\nContent-Length: 13\r\n\r\n{\"stream\":1}\n"
    "POST /openai/v1/completions?x=1 HTTP/1.1\r\nHost: a\r\nTransfer-Encoding: chunked\r\n\r\n"
    "3\r\nabc\r\n2\r\nde\r\n0\r\n\r\n"
    "GET /health HTTP/1.1\r\nConnection: close\r\n\r\n";

const std::vector<Seen> kExpected = {
    {HttpMethod::post, "/v1/chat/completions", "{\"stream\":1}\n", true},
    {HttpMethod::post, "/openai/v1/completions", "abcde", true},
    {HttpMethod::get, "/health", "", false},
};

TEST(RequestParser, PipelinedRequestsComeOutInOrderAtEverySplit) {
  for (size_t split = 0; split <= kStream.size(); ++split) {
    RequestParser parser;
    EXPECT_EQ(parse(parser, {kStream.substr(0, split), kStream.substr(split)}), kExpected)
        << "split at " << split;
  }
}

TEST(RequestParser, OneByteAtATimeGivesTheSameRequests) {
  std::vector<std::string> bytes;
  for (char c : kStream) bytes.emplace_back(1, c);
  RequestParser parser;
  EXPECT_EQ(parse(parser, bytes), kExpected);
}

TEST(RequestParser, Http10WithoutKeepAliveIsNotKeptAlive) {
  RequestParser parser;
  std::vector<Seen> seen = parse(parser, {"GET /v1/models HTTP/1.0\r\n\r\n"});
  ASSERT_EQ(seen.size(), 1u);
  EXPECT_FALSE(seen[0].keep_alive);
}

TEST(RequestParser, GarbageIsMalformed) {
  RequestParser parser;
  std::string garbage = "HELLO\r\n\r\n";
  EXPECT_EQ(parser.feed(garbage.data(), garbage.size()).status, RequestParser::Status::malformed);
}

TEST(RequestParser, AnnouncedOversizedBodyIsTooLargeBeforeAnyIsBuffered) {
  RequestParser parser;
  std::string head =
      "POST /v1/completions HTTP/1.1\r\nContent-Length: " + std::to_string(RequestParser::kMaxBodyBytes + 1) +
      "\r\n\r\n";
  EXPECT_EQ(parser.feed(head.data(), head.size()).status, RequestParser::Status::too_large);
}

TEST(RequestParser, ExpectContinueIsReportedOnceWhileTheBodyIsAwaited) {
  RequestParser parser;
  std::string head = "POST /v1/completions HTTP/1.1\r\nEXPECT: 100-Continue\r\nContent-Length: 2\r\n\r\n";
  EXPECT_EQ(parser.feed(head.data(), head.size()).status, RequestParser::Status::need_more);
  EXPECT_TRUE(parser.take_continue_request());
  EXPECT_FALSE(parser.take_continue_request());
  EXPECT_EQ(parser.feed("{}", 2).status, RequestParser::Status::request_ready);

  std::string whole = "POST /v1/completions HTTP/1.1\r\nExpect: 100-continue\r\nContent-Length: 2\r\n\r\n{}";
  EXPECT_EQ(parser.feed(whole.data(), whole.size()).status, RequestParser::Status::request_ready);
  EXPECT_FALSE(parser.take_continue_request()) << "the body already came; a 100 now would corrupt the stream";
}

TEST(RequestParser, ResetForgetsAPartialRequest) {
  RequestParser parser;
  std::string partial = "POST /v1/completions HTTP/1.1\r\nContent-Le";
  EXPECT_EQ(parser.feed(partial.data(), partial.size()).status, RequestParser::Status::need_more);
  parser.reset();
  std::vector<Seen> seen = parse(parser, {"GET /health HTTP/1.1\r\n\r\n"});
  ASSERT_EQ(seen.size(), 1u);
  EXPECT_EQ(seen[0].path, "/health");
}

}  // namespace
}  // namespace ie::stub
