#pragma once
// Server-sent events framing (the WHATWG event-stream format) over a byte stream that arrives in arbitrary
// pieces. Lines end in LF, CRLF or CR; a CR at the end of one piece followed by LF in the next is one line
// end. Only the "data" field matters to us: several data lines of one event are joined with "\n"; comments
// and other fields are skipped. An event is dispatched at its blank line, never earlier, and never split. A
// UTF-8 byte order mark at stream start is ignored.

#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>

#include "common/piece_bytes.h"

namespace ie::net {

class SseDecoder {
 public:
  explicit SseDecoder(size_t max_event_bytes = 16 << 20);

  // Feeds the next piece of the stream. Calls on_event(std::string_view data) once per complete event that
  // has at least one data line. The view is valid only during the call. Returns false (and stops) when a
  // single event exceeds max_event_bytes or on_event returns false; the decoder must then be reset.
  template <typename OnEvent>
  bool feed(const char* bytes, size_t size, OnEvent&& on_event);

  // Forgets any partial line or event: call between responses on a reused connection.
  void reset();

  // True when bytes of an unfinished event are buffered (a stream that ends here was cut short).
  bool has_partial_event() const { return !line_.empty() || has_data_; }

 private:
  enum class Step { need_more, line_ready, too_large };
  // The usual event, "data:[ ]<value>\n\n" whole in this piece at a line start with nothing pending and no CR
  // in it: sets *data (a view into `bytes`) and returns the bytes it spans; 0 for anything else, which the
  // line-by-line path below then handles. One memchr per event instead of two per line.
  size_t take_whole_event(const char* bytes, size_t size, std::string_view* data) const;
  // Finds the next line end; sets *consumed and, on line_ready, *line: a view into `bytes` when the whole
  // line is in this piece (the common case: no copy), else into line_. Out of line so the template stays
  // small.
  Step take_line(const char* bytes, size_t size, size_t* consumed, std::string_view* line);
  // Applies one complete line: returns true when it ends an event that has data (then in data_).
  bool apply_line(std::string_view line);
  void end_event();
  // Consumes the leading bytes of a UTF-8 byte order mark at stream start; returns how many it consumed.
  size_t skip_bom(const char* bytes, size_t size);

  size_t max_event_bytes_;
  std::string line_;  // the current line, when it began in an earlier piece
  // The data of the event being assembled; while it lies in the piece being fed, a view into it, which saves
  // two copies of every event that arrives whole. Kept before feed() returns.
  PieceBytes data_;
  bool has_data_ = false;
  bool skip_lf_ = false;  // the previous piece ended in CR: a leading LF belongs to that line end
  // Bytes of the byte order mark matched so far at stream start; kBomDone once the stream start is behind us.
  uint8_t bom_matched_ = 0;
  static constexpr uint8_t kBomDone = 0xff;
};

template <typename OnEvent>
bool SseDecoder::feed(const char* bytes, size_t size, OnEvent&& on_event) {
  while (size > 0) {
    std::string_view whole;
    if (size_t used = take_whole_event(bytes, size, &whole); used > 0) {
      bytes += used;
      size -= used;
      if (!on_event(whole)) return false;
      continue;
    }
    size_t consumed = 0;
    std::string_view line;
    Step step = take_line(bytes, size, &consumed, &line);
    bytes += consumed;
    size -= consumed;
    if (step == Step::too_large) [[unlikely]] {
      data_.keep();
      return false;
    }
    if (step == Step::need_more) break;
    if (apply_line(line)) {
      bool keep_going = on_event(data_.view());
      end_event();
      if (!keep_going) return false;
    }
  }
  data_.keep();
  return true;
}

}  // namespace ie::net
