#include "net/sse_decoder.h"

#include <cstring>

namespace ie::net {
namespace {

constexpr char kBom[] = "\xEF\xBB\xBF";
constexpr size_t kBomSize = 3;
constexpr size_t kInitialCapacity = 4096;  // a typical chunk event is a few hundred bytes

}  // namespace

SseDecoder::SseDecoder(size_t max_event_bytes) : max_event_bytes_(max_event_bytes) {
  // Sized at setup so the first events of the first response do not allocate on the hot path.
  line_.reserve(kInitialCapacity);
  data_.reserve(kInitialCapacity);
}

void SseDecoder::reset() {
  line_.clear();  // clear() keeps the capacity: a reused decoder stays allocation-free
  end_event();
  skip_lf_ = false;
  bom_matched_ = 0;
}

void SseDecoder::end_event() {
  data_.clear();
  has_data_ = false;
}

size_t SseDecoder::skip_bom(const char* bytes, size_t size) {
  size_t used = 0;
  while (bom_matched_ < kBomSize && used < size) {
    if (bytes[used] != kBom[bom_matched_]) {
      // Not a byte order mark after all: the bytes matched so far are stream content.
      line_.append(kBom, bom_matched_);
      bom_matched_ = kBomDone;
      return used;
    }
    ++bom_matched_;
    ++used;
  }
  if (bom_matched_ == kBomSize) bom_matched_ = kBomDone;
  return used;
}

size_t SseDecoder::take_whole_event(const char* bytes, size_t size, std::string_view* data) const {
  constexpr std::string_view kData = "data:";
  if (!line_.empty() || has_data_ || skip_lf_ || bom_matched_ != kBomDone) return 0;
  if (size < kData.size() + 2 || std::memcmp(bytes, kData.data(), kData.size()) != 0) return 0;
  const char* lf = static_cast<const char*>(std::memchr(bytes, '\n', size));
  if (lf == nullptr || lf + 1 == bytes + size || lf[1] != '\n') return 0;
  const size_t line_length = static_cast<size_t>(lf - bytes);
  if (line_length > max_event_bytes_ || std::memchr(bytes, '\r', line_length) != nullptr) return 0;
  const char* value = bytes + kData.size();
  if (value < lf && *value == ' ') ++value;
  *data = std::string_view(value, static_cast<size_t>(lf - value));
  return line_length + 2;
}

SseDecoder::Step SseDecoder::take_line(const char* bytes, size_t size, size_t* consumed,
                                       std::string_view* line) {
  size_t start = 0;
  if (bom_matched_ != kBomDone) [[unlikely]] {
    start = skip_bom(bytes, size);
  }
  if (skip_lf_ && start < size) {
    skip_lf_ = false;
    if (bytes[start] == '\n') ++start;
  }
  const char* begin = bytes + start;
  size_t available = size - start;
  // Two memchr passes (vectorised in libc) instead of a byte loop: the CR scan stops at the first LF, so each
  // byte of a line is looked at at most twice. The blank line that ends every event needs neither.
  const char* end = nullptr;
  if (available > 0 && (*begin == '\n' || *begin == '\r')) {
    end = begin;
  } else {
    const char* lf = static_cast<const char*>(std::memchr(begin, '\n', available));
    size_t before_lf = lf ? static_cast<size_t>(lf - begin) : available;
    const char* cr = static_cast<const char*>(std::memchr(begin, '\r', before_lf));
    end = cr ? cr : lf;
  }
  size_t length = end ? static_cast<size_t>(end - begin) : available;
  if (line_.size() + data_.size() + length > max_event_bytes_) [[unlikely]] {
    return Step::too_large;
  }
  if (end == nullptr) {
    line_.append(begin, length);
    *consumed = size;
    return Step::need_more;
  }
  if (line_.empty()) {
    *line = std::string_view(begin, length);
  } else {
    line_.append(begin, length);
    *line = line_;
  }
  size_t used = start + length + 1;
  if (*end == '\r') {
    if (used == size) {
      skip_lf_ = true;  // the LF of a CRLF may start the next piece
    } else if (bytes[used] == '\n') {
      ++used;
    }
  }
  *consumed = used;
  return Step::line_ready;
}

bool SseDecoder::apply_line(std::string_view line) {
  if (line.empty()) return has_data_;  // the blank line ends the event; feed() dispatches it
  // A line starting with ':' is a comment (servers send them as keep-alives); it has an empty field name and
  // therefore never matches "data".
  size_t colon = line.find(':');
  std::string_view field = line.substr(0, colon);
  if (field == "data") {
    std::string_view value;
    if (colon != std::string_view::npos) {
      value = line.substr(colon + 1);
      if (!value.empty() && value.front() == ' ') value.remove_prefix(1);
    }
    if (has_data_) data_.append_copy("\n");
    // A line in the piece being fed may be borrowed (the usual event: one data line, whole in this piece);
    // one assembled in line_ is cleared below.
    if (line.data() != line_.data()) {
      data_.add(value);
    } else {
      data_.append_copy(value);
    }
    has_data_ = true;
  }
  // event:, id:, retry: and unknown fields do not affect what we measure.
  line_.clear();
  return false;
}

}  // namespace ie::net
