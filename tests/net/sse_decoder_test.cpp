#include "net/sse_decoder.h"

#include <gtest/gtest.h>
#include <sys/mman.h>
#include <unistd.h>

#include <cstring>
#include <string>
#include <vector>

namespace ie::net {
namespace {

// Holds one piece at the very end of a readable page followed by an unmapped page, so reading past the piece
// crashes the test instead of passing by luck.
class GuardedPiece {
 public:
  GuardedPiece() {
    page_ = static_cast<size_t>(sysconf(_SC_PAGESIZE));
    void* mapping = mmap(nullptr, 2 * page_, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
    EXPECT_NE(mapping, MAP_FAILED);
    base_ = static_cast<char*>(mapping);
    EXPECT_EQ(mprotect(base_ + page_, page_, PROT_NONE), 0);
  }
  ~GuardedPiece() { munmap(base_, 2 * page_); }
  GuardedPiece(const GuardedPiece&) = delete;
  GuardedPiece& operator=(const GuardedPiece&) = delete;

  const char* place(std::string_view piece) {
    EXPECT_LE(piece.size(), page_);
    char* start = base_ + page_ - piece.size();
    std::memcpy(start, piece.data(), piece.size());
    return start;
  }

 private:
  size_t page_ = 0;
  char* base_ = nullptr;
};

struct Feeder {
  SseDecoder decoder;
  GuardedPiece guard;
  std::vector<std::string> events;
  bool ok = true;

  explicit Feeder(size_t max_event_bytes = 16 << 20) : decoder(max_event_bytes) {}

  void feed(std::string_view piece) {
    const char* bytes = guard.place(piece);
    ok = decoder.feed(bytes, piece.size(), [&](std::string_view data) {
      events.emplace_back(data);
      return true;
    });
  }
};

std::vector<std::string> decode_whole(std::string_view stream) {
  Feeder feeder;
  feeder.feed(stream);
  EXPECT_TRUE(feeder.ok);
  return feeder.events;
}

using Events = std::vector<std::string>;

TEST(SseDecoder, LfFramedEventsAreDispatchedInOrder) {
  EXPECT_EQ(decode_whole("data: {\"a\":1}\n\ndata: {\"b\":2}\n\n"), (Events{"{\"a\":1}", "{\"b\":2}"}));
}

TEST(SseDecoder, CrLfFramedEventsAreDispatchedInOrder) {
  EXPECT_EQ(decode_whole("data: one\r\n\r\ndata: two\r\n\r\n"), (Events{"one", "two"}));
}

TEST(SseDecoder, CrFramedEventsAreDispatchedInOrder) {
  EXPECT_EQ(decode_whole("data: one\r\rdata: two\r\r"), (Events{"one", "two"}));
}

TEST(SseDecoder, MixedLineEndsInOneStreamAllWork) {
  EXPECT_EQ(decode_whole("data: a\n\r\ndata: b\r\rdata: c\r\n\n"), (Events{"a", "b", "c"}));
}

TEST(SseDecoder, MultiLineDataIsJoinedWithNewline) {
  EXPECT_EQ(decode_whole("data: first\ndata: second\ndata:third\n\n"), (Events{"first\nsecond\nthird"}));
}

TEST(SseDecoder, OnlyOneLeadingSpaceIsRemovedFromTheValue) {
  EXPECT_EQ(decode_whole("data:  two spaces\n\ndata:none\n\n"), (Events{" two spaces", "none"}));
}

TEST(SseDecoder, ColonsInsideTheValueAreKept) {
  EXPECT_EQ(decode_whole("data: {\"k\":\"a:b\"}\n\n"), (Events{"{\"k\":\"a:b\"}"}));
}

TEST(SseDecoder, EventWithoutDataIsNotDispatched) {
  EXPECT_EQ(decode_whole("event: ping\n\nid: 7\nretry: 100\n\n\n\ndata: x\n\n"), (Events{"x"}));
}

TEST(SseDecoder, CommentLinesAreIgnored) {
  EXPECT_EQ(decode_whole(": keep-alive\n\n:\ndata: a\n: inside an event\ndata: b\n\n"), (Events{"a\nb"}));
}

TEST(SseDecoder, OtherFieldsInsideAnEventAreIgnored) {
  EXPECT_EQ(decode_whole("event: message\nid: 1\ndata: x\nretry: 5\nfoo: bar\n\n"), (Events{"x"}));
}

TEST(SseDecoder, FieldNameWithoutColonHasEmptyValue) {
  // "data" alone is a data field with an empty value: the event is dispatched with empty data.
  EXPECT_EQ(decode_whole("data\n\n"), (Events{""}));
  EXPECT_EQ(decode_whole("data\ndata\n\n"), (Events{"\n"}));
  EXPECT_EQ(decode_whole("dataX\n\nDATA: y\n\n"), (Events{}));  // field names are exact and case-sensitive
}

TEST(SseDecoder, DoneSentinelIsAnOrdinaryEvent) {
  EXPECT_EQ(decode_whole("data: {\"x\":1}\n\ndata: [DONE]\n\n"), (Events{"{\"x\":1}", "[DONE]"}));
}

TEST(SseDecoder, ByteOrderMarkAtStreamStartIsIgnored) {
  EXPECT_EQ(decode_whole("\xEF\xBB\xBF"
                         "data: a\n\n"),
            (Events{"a"}));
}

TEST(SseDecoder, ByteOrderMarkLaterInTheStreamIsContent) {
  EXPECT_EQ(decode_whole("data: a\n\ndata: \xEF\xBB\xBF"
                         "b\n\n"),
            (Events{"a",
                    "\xEF\xBB\xBF"
                    "b"}));
}

TEST(SseDecoder, PartialByteOrderMarkIsKeptAsContent) {
  // EF BB followed by something else is not a BOM: the bytes belong to the first line (an unknown field
  // here).
  EXPECT_EQ(decode_whole("\xEF\xBB"
                         "data: a\n\ndata: b\n\n"),
            (Events{"b"}));
}

TEST(SseDecoder, EventIsNotDispatchedBeforeItsBlankLine) {
  Feeder feeder;
  feeder.feed("data: a\n");
  EXPECT_TRUE(feeder.events.empty());
  EXPECT_TRUE(feeder.decoder.has_partial_event());
  feeder.feed("\n");
  EXPECT_EQ(feeder.events, (Events{"a"}));
  EXPECT_FALSE(feeder.decoder.has_partial_event());
}

TEST(SseDecoder, UnfinishedLineCountsAsPartialEvent) {
  Feeder feeder;
  EXPECT_FALSE(feeder.decoder.has_partial_event());
  feeder.feed("dat");
  EXPECT_TRUE(feeder.decoder.has_partial_event());
}

TEST(SseDecoder, CrAtPieceEndAndLfAtNextPieceStartAreOneLineEnd) {
  // Were the LF taken as a second line end, it would be a blank line and dispatch "a" on its own.
  Feeder feeder;
  feeder.feed("data: a\r");
  feeder.feed("\ndata: b\r\n\r\n");
  EXPECT_EQ(feeder.events, (Events{"a\nb"}));
}

TEST(SseDecoder, CrAtPieceEndCompletesTheLineWithoutWaiting) {
  Feeder feeder;
  feeder.feed("data: a\r\r");
  EXPECT_EQ(feeder.events, (Events{"a"}));  // a CR-framed stream must not hold an event for the next piece
}

// A stream exercising every framing rule at once.
const std::string kRichStream =
    "\xEF\xBB\xBF"
    ": comment\n"
    "data: {\"id\":\"c1\",\"choices\":[{\"delta\":{\"role\":\"assistant\"}}]}\n\n"
    "event: message\r\n"
    "data:{\"choices\":[{\"delta\":{\"content\":\"Hi\"}}]}\r\n\r\n"
    "data: line one\rdata: line two\r\r"
    "data: crlf one\r\ndata: crlf two\r\n\r\n"
    "id: 9\n\n"
    "data\n\n"
    "data: x\r\n\n"
    "data: [DONE]\n\n";
const Events kRichEvents = {
    "{\"id\":\"c1\",\"choices\":[{\"delta\":{\"role\":\"assistant\"}}]}",
    "{\"choices\":[{\"delta\":{\"content\":\"Hi\"}}]}",
    "line one\nline two",
    "crlf one\ncrlf two",
    "",
    "x",
    "[DONE]",
};

TEST(SseDecoder, RichStreamDecodesAsExpected) {
  EXPECT_EQ(decode_whole(kRichStream), kRichEvents);
}

TEST(SseDecoder, OneByteAtATimeGivesTheSameEvents) {
  Feeder feeder;
  for (char c : kRichStream) feeder.feed(std::string_view(&c, 1));
  EXPECT_TRUE(feeder.ok);
  EXPECT_EQ(feeder.events, kRichEvents);
}

TEST(SseDecoder, EverySplitPointGivesTheSameEvents) {
  for (size_t split = 0; split <= kRichStream.size(); ++split) {
    Feeder feeder;
    feeder.feed(std::string_view(kRichStream).substr(0, split));
    feeder.feed(std::string_view(kRichStream).substr(split));
    EXPECT_EQ(feeder.events, kRichEvents) << "split at " << split;
  }
}

TEST(SseDecoder, EveryPairOfSplitPointsGivesTheSameEvents) {
  std::string_view stream(kRichStream);
  for (size_t first = 0; first <= stream.size(); ++first) {
    for (size_t second = first; second <= stream.size(); ++second) {
      Feeder feeder;
      feeder.feed(stream.substr(0, first));
      feeder.feed(stream.substr(first, second - first));
      feeder.feed(stream.substr(second));
      ASSERT_EQ(feeder.events, kRichEvents) << "splits at " << first << " and " << second;
    }
  }
}

TEST(SseDecoder, EventLargerThanTheLimitStopsTheStream) {
  Feeder feeder(16);
  feeder.feed("data: 0123456789abcdef\n\n");
  EXPECT_FALSE(feeder.ok);
  EXPECT_TRUE(feeder.events.empty());
}

TEST(SseDecoder, ManyDataLinesAddingUpPastTheLimitStopTheStream) {
  Feeder feeder(16);
  feeder.feed("data: 0123\ndata: 4567\ndata: 89ab\ndata: cdef\n\n");
  EXPECT_FALSE(feeder.ok);
  EXPECT_TRUE(feeder.events.empty());
}

TEST(SseDecoder, UnterminatedLineLargerThanTheLimitStopsTheStream) {
  Feeder feeder(16);
  feeder.feed("data: 0123");
  EXPECT_TRUE(feeder.ok);
  feeder.feed("456789abcdef");
  EXPECT_FALSE(feeder.ok);
}

TEST(SseDecoder, EventsAtTheLimitPass) {
  Feeder feeder(16);
  feeder.feed("data: 0123456789\n\ndata: 0123456789\n\n");  // each line is exactly 16 bytes
  EXPECT_TRUE(feeder.ok);
  EXPECT_EQ(feeder.events, (Events{"0123456789", "0123456789"}));
}

TEST(SseDecoder, ReturningFalseFromTheCallbackStopsFeeding) {
  SseDecoder decoder;
  int calls = 0;
  std::string stream = "data: a\n\ndata: b\n\n";
  EXPECT_FALSE(decoder.feed(stream.data(), stream.size(), [&](std::string_view) { return ++calls < 1; }));
  EXPECT_EQ(calls, 1);
}

TEST(SseDecoder, ResetForgetsAPartialEvent) {
  Feeder feeder;
  feeder.feed("data: stale\ndata: half");
  feeder.decoder.reset();
  EXPECT_FALSE(feeder.decoder.has_partial_event());
  feeder.feed("data: fresh\n\n");
  EXPECT_EQ(feeder.events, (Events{"fresh"}));
}

TEST(SseDecoder, ResetForgetsAPendingCrLf) {
  Feeder feeder;
  feeder.feed("data: a\r");
  feeder.decoder.reset();
  feeder.feed("\ndata: b\n\n");  // a new stream: its leading LF is a blank line, not the end of a CRLF
  EXPECT_EQ(feeder.events, (Events{"b"}));
}

TEST(SseDecoder, ResetRecognisesAByteOrderMarkAgain) {
  Feeder feeder;
  feeder.feed("data: a\n\n");
  feeder.decoder.reset();
  feeder.feed(
      "\xEF\xBB\xBF"
      "data: b\n\n");
  EXPECT_EQ(feeder.events, (Events{"a", "b"}));
}

TEST(SseDecoder, ResetAfterTooLargeMakesTheDecoderUsableAgain) {
  Feeder feeder(8);
  feeder.feed("data: far too long\n\n");
  EXPECT_FALSE(feeder.ok);
  feeder.decoder.reset();
  feeder.feed("data: ok\n\n");
  EXPECT_TRUE(feeder.ok);
  EXPECT_EQ(feeder.events, (Events{"ok"}));
}

TEST(SseDecoder, AnEventWholeInOnePieceIsAViewIntoThatPieceNotACopy) {
  SseDecoder decoder;
  std::string stream = "data: first\n\n: comment\ndata: second\r\n\r\n";
  std::vector<std::string_view> events;
  EXPECT_TRUE(decoder.feed(stream.data(), stream.size(), [&](std::string_view data) {
    events.push_back(data);
    return true;
  }));
  ASSERT_EQ(events.size(), 2u);
  for (std::string_view data : events) {
    EXPECT_GE(data.data(), stream.data());
    EXPECT_LE(data.data() + data.size(), stream.data() + stream.size());
  }
  EXPECT_EQ(events[0], "first");
  EXPECT_EQ(events[1], "second");
}

TEST(SseDecoder, AnEventSpanningPiecesSurvivesTheCallerReusingItsBuffer) {
  // The worker reads every piece into the same buffer: data seen in one feed must be kept before it returns.
  SseDecoder decoder;
  std::vector<std::string> events;
  auto record = [&](std::string_view data) {
    events.emplace_back(data);
    return true;
  };
  const std::vector<std::string> pieces = {"data: whole line\n", "\n",      "data: a\n",
                                           "data: b\n\nda",      "ta: c\r", "\n\r\n"};
  std::string buffer(64, '\0');
  for (const std::string& piece : pieces) {
    std::fill(buffer.begin(), buffer.end(), '#');  // what a stale view would see
    std::copy(piece.begin(), piece.end(), buffer.begin());
    EXPECT_TRUE(decoder.feed(buffer.data(), piece.size(), record));
  }
  EXPECT_EQ(events, (std::vector<std::string>{"whole line", "a\nb", "c"}));
}

TEST(SseDecoder, EventBufferIsReusedAcrossEventsAndStreams) {
  // The hot-path promise: once grown, the buffer for events that arrive in pieces is not reallocated, so
  // their views point at the same storage.
  SseDecoder decoder;
  std::vector<const char*> addresses;
  auto record = [&](std::string_view data) {
    addresses.push_back(data.data());
    return true;
  };
  std::string stream = "data: " + std::string(1000, 'x') + "\n\ndata: short\n\n";
  for (int round = 0; round < 2; ++round) {
    for (char byte : stream) EXPECT_TRUE(decoder.feed(&byte, 1, record));
    decoder.reset();
  }
  ASSERT_EQ(addresses.size(), 4u);
  for (const char* address : addresses) EXPECT_EQ(address, addresses[0]);
}

}  // namespace
}  // namespace ie::net
