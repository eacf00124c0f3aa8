// Fuzzes net::SseDecoder with an event stream that arrives in arbitrary pieces.
//
// Invariants checked, beyond "no crash, no sanitizer report":
// - Split independence: whole and split feeding give the same events, the same ok / stopped result and the
//   same has_partial_event() at the end (when not stopped).
// - Reference model: with no size limit, the events equal those of a deliberately naive byte-by-byte
//   implementation of the WHATWG rules written here (line ends LF / CRLF / CR, leading BOM skipped, "data"
//   lines joined with "\n", comments and other fields ignored, dispatch at a blank line only).
// - Size limit: with a small max_event_bytes (option bit 0) no dispatched event is larger than the limit.
// - Early stop: when on_event returns false after N events (option bits 1-3), feeding stops there.
// - Reuse: after reset(), the same decoder decodes the stream again to the same events.

#include <string>
#include <vector>

#include "fuzz_input.h"
#include "net/sse_decoder.h"

namespace {

constexpr const char* kTarget = "fuzz_sse_decoder";
constexpr size_t kSmallLimit = 64;

struct Outcome {
  std::vector<std::string> events;
  bool ok = true;
  bool partial = false;
  bool operator==(const Outcome&) const = default;
};

// stop_after: on_event returns false on that event (0 = never).
template <typename Feeder>
Outcome decode(ie::net::SseDecoder& decoder, size_t stop_after, Feeder&& feeder) {
  Outcome out;
  out.ok = feeder([&](const char* data, size_t size) {
    return decoder.feed(data, size, [&](std::string_view event) {
      out.events.emplace_back(event);
      return stop_after == 0 || out.events.size() < stop_after;
    });
  });
  // After a stop the decoder must be reset, so its partial state is unspecified then.
  out.partial = out.ok && decoder.has_partial_event();
  return out;
}

// The WHATWG event-stream interpretation, restricted to the data field, one byte at a time.
std::vector<std::string> reference_events(std::string_view stream) {
  if (stream.substr(0, 3) == "\xEF\xBB\xBF") stream.remove_prefix(3);
  std::vector<std::string> events;
  std::string line;
  std::string data;
  bool has_data = false;
  auto apply = [&] {
    if (line.empty()) {
      if (has_data) events.push_back(data);
      data.clear();
      has_data = false;
      return;
    }
    size_t colon = line.find(':');
    std::string field = line.substr(0, colon);
    std::string value = colon == std::string::npos ? "" : line.substr(colon + 1);
    if (!value.empty() && value[0] == ' ') value.erase(0, 1);
    if (field == "data") {
      if (has_data) data += '\n';
      data += value;
      has_data = true;
    }
    line.clear();
  };
  for (size_t i = 0; i < stream.size(); ++i) {
    char c = stream[i];
    if (c == '\r') {
      apply();
      if (i + 1 < stream.size() && stream[i + 1] == '\n') ++i;
    } else if (c == '\n') {
      apply();
    } else {
      line += c;
    }
  }
  return events;
}

std::string describe(const Outcome& o) {
  std::string text = std::string(o.ok ? "ok" : "stopped") + (o.partial ? " partial" : "") + ", " +
                     std::to_string(o.events.size()) + " events:";
  for (const std::string& e : o.events) text += " [" + std::to_string(e.size()) + "B]";
  return text;
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  ie::fuzz::Input in = ie::fuzz::take_input(data, size);
  bool small_limit = (in.options & 1) != 0;
  size_t max_event_bytes = small_limit ? kSmallLimit : size_t{16} << 20;
  size_t stop_after = (in.options >> 1) & 7;

  ie::net::SseDecoder whole_decoder(max_event_bytes);
  Outcome whole =
      decode(whole_decoder, stop_after, [&](auto&& feed) { return ie::fuzz::feed_whole(in.payload, feed); });
  ie::net::SseDecoder split_decoder(max_event_bytes);
  Outcome split = decode(split_decoder, stop_after, [&](auto&& feed) {
    return ie::fuzz::feed_in_pieces(in.payload, in.split_seed, feed);
  });
  if (!(whole == split)) {
    ie::fuzz::violated(
        kTarget, "whole and split differ:\n  whole: " + describe(whole) + "\n  split: " + describe(split));
  }

  if (!small_limit && stop_after == 0) {
    if (!whole.ok) ie::fuzz::violated(kTarget, "stopped with no limit and no early stop");
    if (whole.events != reference_events(in.payload))
      ie::fuzz::violated(kTarget, "events differ from the reference model: " + describe(whole));
  }
  for (const std::string& event : whole.events) {
    if (event.size() > max_event_bytes) ie::fuzz::violated(kTarget, "an event larger than the limit");
  }
  if (stop_after != 0 && whole.events.size() > stop_after)
    ie::fuzz::violated(kTarget, "events dispatched after on_event returned false");

  split_decoder.reset();
  Outcome again = decode(split_decoder, stop_after, [&](auto&& feed) {
    return ie::fuzz::feed_in_pieces(in.payload, in.split_seed, feed);
  });
  if (!(again == split))
    ie::fuzz::violated(kTarget, "a reset decoder differs: " + describe(again) + " vs " + describe(split));
  return 0;
}
