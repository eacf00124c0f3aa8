#include "trace/trace_file.h"

#include <fcntl.h>
#include <fmt/format.h>
#include <unistd.h>
#ifdef __SSE4_2__
#include <nmmintrin.h>
#endif

#include <atomic>
#include <bit>
#include <cerrno>
#include <condition_variable>
#include <cstring>
#include <ctime>
#include <deque>
#include <mutex>
#include <thread>

#include "common/clock.h"
#include "common/error.h"
#include "common/spsc_ring.h"
#include "common/thread_name.h"

namespace ie::trace {
namespace {

constexpr uint8_t kMagic[8] = {0x89, 'I', 'E', 'T', 'R', 'A', 'C', 'E'};
constexpr size_t kHeaderPrefixBytes = 20;  // magic, version, body_len, checksum
constexpr size_t kBlockHeaderBytes = 12;
constexpr uint8_t kChunkBlock = 'C';
constexpr uint8_t kFooterBlock = 'F';
constexpr uint8_t kLastOfPassFlag = 0x01;
constexpr uint8_t kInterruptedFlag = 0x01;

// Record tag bits (see the format in the header).
constexpr uint8_t kEventEscape = 31;
constexpr uint8_t kHasId = 0x20;
constexpr uint8_t kHasPayload = 0x40;
constexpr uint8_t kHasSeqGap = 0x80;

// Writer limits. A chunk holds at most kMaxChunkRecords so its worst-case size is known before encoding it.
constexpr size_t kMaxChunkRecords = 4096;
constexpr size_t kMaxRecordBytes = 1 + 10 * 5;  // tag, escaped event, ts, id, payload, seq gap
constexpr size_t kMaxChunkBytes = kBlockHeaderBytes + 3 * 10 + kMaxChunkRecords * kMaxRecordBytes;
// The encoding thread hands bytes to the I/O thread every kHandOverBytes or kHandOverNs, and waits for the
// disk only when kMaxQueuedBytes are already waiting (at full client speed that is ~20 s of trace).
constexpr size_t kHandOverBytes = size_t{64} << 10;
constexpr int64_t kHandOverNs = 50'000'000;
constexpr size_t kMaxQueuedBytes = size_t{64} << 20;
constexpr size_t kBufferBytes = kHandOverBytes + kMaxChunkBytes;
// Buffers allocated before the run (~4.4 MB): ~1 MiB of trace (~0.3 s at full rate) may wait for the disk.
constexpr size_t kPreparedBuffers = 16;

// Reader limits: anything larger is corruption, not a trace this writer could have produced.
constexpr uint32_t kMaxHeaderBodyBytes = 64u << 20;
constexpr uint32_t kMaxBlockBodyBytes = 16u << 20;
constexpr size_t kMaxPassRecords = size_t{1} << 25;

// Little-endian stores and loads, byte by byte so the host's byte order never matters.
void store_le(uint8_t* at, uint64_t value, size_t bytes) {
  for (size_t i = 0; i < bytes; ++i) at[i] = static_cast<uint8_t>(value >> (8 * i));
}
uint64_t load_le(const uint8_t* at, size_t bytes) {
  uint64_t value = 0;
  for (size_t i = 0; i < bytes; ++i) value |= uint64_t{at[i]} << (8 * i);
  return value;
}
void append_le(std::vector<uint8_t>& out, uint64_t value, size_t bytes) {
  size_t at = out.size();
  out.resize(at + bytes);
  store_le(out.data() + at, value, bytes);
}

uint64_t zigzag(int64_t v) {
  return (static_cast<uint64_t>(v) << 1) ^ static_cast<uint64_t>(v >> 63);
}
int64_t unzigzag(uint64_t u) {
  return static_cast<int64_t>((u >> 1) ^ (~(u & 1) + 1));
}
// Differences in wrapping arithmetic: timestamps and ids are arbitrary 64-bit values in a corrupt or
// synthetic stream, and signed overflow must not be undefined behaviour.
int64_t wrapping_sub(int64_t a, int64_t b) {
  return static_cast<int64_t>(static_cast<uint64_t>(a) - static_cast<uint64_t>(b));
}
int64_t wrapping_add(int64_t a, int64_t b) {
  return static_cast<int64_t>(static_cast<uint64_t>(a) + static_cast<uint64_t>(b));
}

uint8_t* put_varint(uint8_t* out, uint64_t value) {
  while (value >= 0x80) {
    *out++ = static_cast<uint8_t>(value | 0x80);
    value >>= 7;
  }
  *out++ = static_cast<uint8_t>(value);
  return out;
}

// Events whose id is a request id: coded as a delta against the producer's previous request id, because
// consecutive events of a worker mostly belong to the same or a neighbouring request. Version 2 added
// BUNDLE (20); version 1 files never hold it, so one set reads both.
constexpr uint32_t kRequestEvents = 0x3FEu | (1u << 13) | (7u << 15) | (1u << 20);
bool is_request_event(uint16_t event) {
  return event < 32 && ((kRequestEvents >> event) & 1u) != 0;
}

// A BUNDLE's payload is two 32-bit halves, both small (the event set, the lead): two short varints beat one
// varint of the 64-bit whole (up to 9 bytes and as many loop turns).
constexpr uint16_t kBundleEvent = static_cast<uint16_t>(Event::bundle);

uint8_t* encode_record(uint8_t* out, const Record& r, ProducerCodecState& state, uint32_t& expected_seq) {
  uint8_t* tag = out++;
  uint8_t bits = r.event < kEventEscape ? static_cast<uint8_t>(r.event) : kEventEscape;
  if (bits == kEventEscape) out = put_varint(out, r.event);
  out = put_varint(out, zigzag(wrapping_sub(r.ts_ns, state.prev_ts_ns)));
  state.prev_ts_ns = r.ts_ns;
  uint64_t id_field = r.id;
  if (is_request_event(r.event)) {
    id_field = zigzag(static_cast<int64_t>(r.id - state.prev_request_id));
    state.prev_request_id = r.id;
  }
  if (id_field != 0) {
    bits |= kHasId;
    out = put_varint(out, id_field);
  }
  if (r.payload != 0) {
    bits |= kHasPayload;
    if (r.event == kBundleEvent) {
      out = put_varint(out, r.payload & 0xFFFF'FFFFu);
      out = put_varint(out, r.payload >> 32);
    } else {
      out = put_varint(out, r.payload);
    }
  }
  uint32_t seq_gap = r.seq - expected_seq;  // modulo 2^32: seq wraps
  if (seq_gap != 0) {
    bits |= kHasSeqGap;
    out = put_varint(out, seq_gap);
  }
  expected_seq = r.seq + 1;
  *tag = bits;
  return out;
}

// Bounds-checked cursor over a block body: every read reports whether the bytes were there.
class ByteCursor {
 public:
  ByteCursor(const uint8_t* data, size_t size) : at_(data), end_(data + size) {}
  bool at_end() const { return at_ == end_; }
  size_t remaining() const { return static_cast<size_t>(end_ - at_); }
  bool u8(uint8_t& out) {
    if (at_ == end_) return false;
    out = *at_++;
    return true;
  }
  bool fixed(uint64_t& out, size_t bytes) {
    if (remaining() < bytes) return false;
    out = load_le(at_, bytes);
    at_ += bytes;
    return true;
  }
  bool varint(uint64_t& out) {
    out = 0;
    for (int shift = 0; shift < 64; shift += 7) {
      uint8_t byte;
      if (!u8(byte)) return false;
      // The tenth byte may carry only the top bit of a 64-bit value.
      if (shift == 63 && byte > 1) return false;
      out |= uint64_t{byte & 0x7Fu} << shift;
      if ((byte & 0x80) == 0) return true;
    }
    return false;
  }
  bool bytes(std::string& out, size_t n) {
    if (remaining() < n) return false;
    out.assign(reinterpret_cast<const char*>(at_), n);
    at_ += n;
    return true;
  }

 private:
  const uint8_t* at_;
  const uint8_t* end_;
};

bool decode_record(ByteCursor& in, uint16_t producer, ProducerCodecState& state, uint32_t& expected_seq,
                   Record& r) {
  uint8_t tag;
  if (!in.u8(tag)) return false;
  uint64_t event = tag & 0x1Fu;
  if (event == kEventEscape && (!in.varint(event) || event > UINT16_MAX)) return false;
  uint64_t ts_delta, id_field = 0, payload = 0, seq_gap = 0;
  if (!in.varint(ts_delta)) return false;
  if ((tag & kHasId) && !in.varint(id_field)) return false;
  if (tag & kHasPayload) {
    if (!in.varint(payload)) return false;
    if (event == kBundleEvent) {
      uint64_t high;
      if (payload > UINT32_MAX || !in.varint(high) || high > UINT32_MAX) return false;
      payload |= high << 32;
    }
  }
  if ((tag & kHasSeqGap) && (!in.varint(seq_gap) || seq_gap > UINT32_MAX)) return false;
  r.event = static_cast<uint16_t>(event);
  r.producer = producer;
  r.ts_ns = wrapping_add(state.prev_ts_ns, unzigzag(ts_delta));
  state.prev_ts_ns = r.ts_ns;
  if (is_request_event(r.event)) {
    r.id = state.prev_request_id + static_cast<uint64_t>(unzigzag(id_field));
    state.prev_request_id = r.id;
  } else {
    r.id = id_field;
  }
  r.payload = payload;
  r.seq = expected_seq + static_cast<uint32_t>(seq_gap);
  expected_seq = r.seq + 1;
  return true;
}

// Fills the 12-byte block header at `at` for a body of `body_len` bytes that follows it.
void seal_block(uint8_t* at, uint8_t type, uint8_t flags, uint16_t producer, size_t body_len) {
  at[0] = type;
  at[1] = flags;
  store_le(at + 2, producer, 2);
  store_le(at + 4, body_len, 4);
  uint32_t sum = crc32c(0, at, 8);
  sum = crc32c(sum, at + kBlockHeaderBytes, body_len);
  store_le(at + 8, sum, 4);
}

int64_t clock_ns(clockid_t clock) {
  timespec ts;
  clock_gettime(clock, &ts);
  return int64_t{ts.tv_sec} * 1'000'000'000 + ts.tv_nsec;
}

}  // namespace

// Without SSE4.2 (a portable build) a bitwise loop gives the same values.
uint32_t crc32c(uint32_t crc, const uint8_t* bytes, size_t n) {
  crc = ~crc;
#ifdef __SSE4_2__
  for (; n >= 8; n -= 8, bytes += 8) {
    uint64_t word;
    std::memcpy(&word, bytes, 8);
    crc = static_cast<uint32_t>(_mm_crc32_u64(crc, word));
  }
  for (; n > 0; --n, ++bytes) crc = _mm_crc32_u8(crc, *bytes);
#else
  for (; n > 0; --n, ++bytes) {
    crc ^= *bytes;
    for (int bit = 0; bit < 8; ++bit) crc = (crc >> 1) ^ (0x82F63B78u & (0u - (crc & 1u)));
  }
#endif
  return ~crc;
}

void take_clock_anchor(int64_t& monotonic_ns, int64_t& realtime_ns) {
  // The realtime read is bracketed by two monotonic reads; the tightest bracket of a few tries wins, and its
  // midpoint is the monotonic instant paired with the realtime value.
  int64_t best_window_ns = INT64_MAX;
  for (int attempt = 0; attempt < 5; ++attempt) {
    int64_t before = clock_ns(CLOCK_MONOTONIC);
    int64_t real = clock_ns(CLOCK_REALTIME);
    int64_t after = clock_ns(CLOCK_MONOTONIC);
    if (after - before < best_window_ns) {
      best_window_ns = after - before;
      monotonic_ns = before + (after - before) / 2;
      realtime_ns = real;
    }
  }
}

// ---------------------------------------------------------------------------------------------- writer

// What the encoding thread and the I/O thread share.
struct TraceWriter::IoQueue {
  std::mutex mutex;
  std::condition_variable work;  // the I/O thread waits here for full buffers
  std::condition_variable room;  // the encoding thread waits here when kMaxQueuedBytes are queued
  std::deque<Buffer> full;       // to write, oldest first
  std::vector<Buffer> spare;     // written, ready for reuse
  size_t queued_bytes = 0;
  bool stopping = false;
  std::string error;                 // the first failure
  std::atomic<bool> failed{false};   // error is set (read without the lock on every pass)
  std::atomic<uint64_t> written{0};  // bytes handed to the kernel
  std::thread thread;
};

TraceWriter::TraceWriter(const std::string& path, const TraceHeader& header)
    : path_(path), io_(std::make_unique<IoQueue>()) {
  fd_ = ::open(path.c_str(), O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644);
  if (fd_ < 0) fail_setup(fmt::format("cannot create trace file {}: {}", path, std::strerror(errno)));

  std::vector<uint8_t> body;
  append_le(body, header.clock_id, 4);
  append_le(body, header.sample_one_in, 4);
  append_le(body, static_cast<uint64_t>(header.anchor_monotonic_ns), 8);
  append_le(body, static_cast<uint64_t>(header.anchor_realtime_ns), 8);
  append_le(body, header.metadata_json.size(), 4);
  body.insert(body.end(), header.metadata_json.begin(), header.metadata_json.end());
  append_le(body, std::bit_cast<uint64_t>(header.tsc_ns_per_tick), 8);

  std::vector<uint8_t> head(kMagic, kMagic + 8);
  append_le(head, kTraceFormatVersion, 4);
  append_le(head, body.size(), 4);
  append_le(head, crc32c(crc32c(0, head.data(), 16), body.data(), body.size()), 4);
  head.insert(head.end(), body.begin(), body.end());
  // Written here, before the I/O thread exists, so an unwritable file fails the constructor.
  if (!write_all(head.data(), head.size())) {
    ::close(fd_);
    fd_ = -1;
    fail_setup(io_->error);
  }
  bytes_encoded_ = head.size();
  // Every buffer the run should need, allocated and touched now. In the run, a malloc or a first-touch page
  // fault on the encoding thread can wait on a lock (the process's mmap lock, a malloc arena) held by the
  // collector, which runs SCHED_IDLE and so gets no CPU while a worker keeps the core busy: a traced run
  // once left the rings undrained for 240 ms that way. Only a disk stalled long enough to queue more than
  // these buffers makes the writer allocate during the run.
  current_ = new_buffer();
  for (size_t i = 0; i < kPreparedBuffers; ++i) io_->spare.push_back(new_buffer());
  io_->thread = std::thread([this] {
    name_this_thread("ie-trace-io");
    io_loop();
  });
}

TraceWriter::~TraceWriter() {
  stop_io();
  if (fd_ >= 0) ::close(fd_);
}

uint64_t TraceWriter::bytes_written() const {
  return io_->written.load(std::memory_order_relaxed);
}

std::string TraceWriter::error() const {
  std::lock_guard lock(io_->mutex);
  return io_->error;
}

bool TraceWriter::failed() const {
  return io_->failed.load(std::memory_order_acquire);
}

bool TraceWriter::append_pass(uint64_t pass, std::span<const Record> records) {
  begin_pass(pass);
  size_t begin = 0;
  while (begin < records.size()) {
    size_t end = begin + 1;
    while (end < records.size() && records[end].producer == records[begin].producer) ++end;
    add_records(records.subspan(begin, end - begin));
    begin = end;
  }
  return end_pass();
}

void TraceWriter::expect_producer(uint16_t producer) {
  codec_.try_emplace(producer);
}

void TraceWriter::begin_pass(uint64_t pass) {
  pass_ = pass;
}

void TraceWriter::add_records(std::span<const Record> records) {
  if (failed()) return;
  for (size_t begin = 0; begin < records.size(); begin += kMaxChunkRecords) {
    seal_unsealed(false);  // another chunk of this pass follows it
    if (current_.used + kMaxChunkBytes > kBufferBytes) hand_over();
    encode_chunk(records.subspan(begin, std::min(kMaxChunkRecords, records.size() - begin)));
  }
  records_written_ += records.size();
}

bool TraceWriter::end_pass() {
  seal_unsealed(true);
  if (current_.used >= kHandOverBytes || (current_.used > 0 && now_ns() - current_since_ns_ >= kHandOverNs))
    hand_over();
  return !failed();
}

void TraceWriter::seal_unsealed(bool last_of_pass) {
  if (unsealed_at_ == kNone) return;
  seal_block(current_.bytes.get() + unsealed_at_, kChunkBlock, last_of_pass ? kLastOfPassFlag : 0,
             unsealed_producer_, unsealed_body_len_);
  unsealed_at_ = kNone;
}

TraceWriter::Buffer TraceWriter::new_buffer() {
  Buffer buffer{std::unique_ptr<uint8_t[]>(new uint8_t[kBufferBytes]), 0};
  std::memset(buffer.bytes.get(), 0, kBufferBytes);  // fault the pages in here, not while encoding
  return buffer;
}

void TraceWriter::hand_over() {
  // A pass cut short here (an error unwinding) leaves a chunk without "last of pass": readers drop that pass.
  seal_unsealed(false);
  if (current_.used == 0) return;
  std::unique_lock lock(io_->mutex);
  io_->room.wait(lock, [&] { return io_->queued_bytes < kMaxQueuedBytes || io_->failed.load(); });
  if (io_->failed.load()) {  // nothing more reaches the file after a failure: drop the bytes, keep the buffer
    current_.used = 0;
    return;
  }
  io_->queued_bytes += current_.used;
  io_->full.push_back(std::move(current_));
  if (io_->spare.empty()) {
    current_ = new_buffer();
  } else {
    current_ = std::move(io_->spare.back());
    io_->spare.pop_back();
  }
  lock.unlock();
  io_->work.notify_one();
}

void TraceWriter::io_loop() {
  for (;;) {
    Buffer buffer;
    {
      std::unique_lock lock(io_->mutex);
      io_->work.wait(lock, [&] { return !io_->full.empty() || io_->stopping; });
      if (io_->full.empty()) return;
      buffer = std::move(io_->full.front());
      io_->full.pop_front();
    }
    if (!failed()) write_all(buffer.bytes.get(), buffer.used);
    {
      std::lock_guard lock(io_->mutex);
      io_->queued_bytes -= buffer.used;
      buffer.used = 0;
      io_->spare.push_back(std::move(buffer));
    }
    io_->room.notify_one();
  }
}

// Queues what is encoded and waits until the I/O thread has written all of it and exited. Idempotent.
void TraceWriter::stop_io() {
  if (!io_->thread.joinable()) return;
  hand_over();
  {
    std::lock_guard lock(io_->mutex);
    io_->stopping = true;
  }
  io_->work.notify_one();
  io_->thread.join();
}

// Encodes one chunk straight into the buffer (the caller made room for a worst-case chunk) and leaves its
// block header unsealed: whether it is the pass's last chunk is known only at the next chunk or at
// end_pass().
void TraceWriter::encode_chunk(std::span<const Record> records) {
  if (current_.used == 0) current_since_ns_ = now_ns();
  uint8_t* block = current_.bytes.get() + current_.used;
  uint8_t* out = block + kBlockHeaderBytes;
  out = put_varint(out, pass_);
  out = put_varint(out, records.size());
  out = put_varint(out, records.front().seq);
  ProducerCodecState& state = codec_[records.front().producer];
  uint32_t expected_seq = records.front().seq;
  for (size_t i = 0; i < records.size(); ++i) {
    prefetch_ahead(records.data(), i, records.size());
    out = encode_record(out, records[i], state, expected_seq);
  }
  unsealed_at_ = current_.used;
  unsealed_producer_ = records.front().producer;
  unsealed_body_len_ = static_cast<size_t>(out - block) - kBlockHeaderBytes;
  current_.used += kBlockHeaderBytes + unsealed_body_len_;
  bytes_encoded_ += kBlockHeaderBytes + unsealed_body_len_;
}

bool TraceWriter::finish(const TraceFooter& footer) {
  if (failed()) {
    stop_io();
    return false;
  }
  std::vector<uint8_t> block(kBlockHeaderBytes);
  append_le(block, static_cast<uint64_t>(footer.end_monotonic_ns), 8);
  append_le(block, static_cast<uint64_t>(footer.end_realtime_ns), 8);
  append_le(block, footer.passes, 8);
  append_le(block, footer.producers.size(), 4);
  for (const ProducerTotals& p : footer.producers) {
    append_le(block, p.producer, 2);
    append_le(block, p.emitted, 8);
    append_le(block, p.written, 8);
    append_le(block, p.dropped, 8);
  }
  seal_block(block.data(), kFooterBlock, footer.interrupted ? kInterruptedFlag : 0, 0,
             block.size() - kBlockHeaderBytes);
  stop_io();  // everything before the footer is written, in order, by the I/O thread
  if (failed() || !write_all(block.data(), block.size())) return false;
  bytes_encoded_ += block.size();
  // EINVAL: a pipe or socket, which has nothing to sync.
  if (::fsync(fd_) != 0 && errno != EINVAL) {
    std::lock_guard lock(io_->mutex);
    io_->error = fmt::format("{}: fsync failed: {}", path_, std::strerror(errno));
    io_->failed.store(true, std::memory_order_release);
    return false;
  }
  return true;
}

bool TraceWriter::write_all(const uint8_t* data, size_t size) {
  size_t done = 0;
  while (done < size) {
    ssize_t n = ::write(fd_, data + done, size - done);
    if (n < 0 && errno == EINTR) continue;
    if (n <= 0) {
      std::lock_guard lock(io_->mutex);
      if (io_->error.empty())
        io_->error = fmt::format("{}: write failed: {}", path_, n < 0 ? std::strerror(errno) : "no progress");
      io_->failed.store(true, std::memory_order_release);
      io_->room.notify_all();
      return false;
    }
    done += static_cast<size_t>(n);
    io_->written.fetch_add(static_cast<uint64_t>(n), std::memory_order_relaxed);
  }
  return true;
}

// ---------------------------------------------------------------------------------------------- reader

TraceReader::TraceReader(const std::string& path) : path_(path) {
  file_ = std::fopen(path.c_str(), "rbe");
  if (file_ == nullptr) fail_setup(fmt::format("cannot open trace file {}: {}", path, std::strerror(errno)));
  try {
    uint8_t prefix[kHeaderPrefixBytes];
    size_t got = std::fread(prefix, 1, sizeof prefix, file_);
    if (got < 8 || std::memcmp(prefix, kMagic, 8) != 0)
      fail_input(fmt::format("{}: not an inference-endpoint trace (bad magic)", path));
    if (got < sizeof prefix) fail_input(fmt::format("{}: trace header is cut short", path));
    header_.version = static_cast<uint32_t>(load_le(prefix + 8, 4));
    if (header_.version > kTraceFormatVersion)
      fail_input(fmt::format("{}: trace format version {} is newer than this build ({})", path,
                             header_.version, kTraceFormatVersion));
    if (header_.version == 0) fail_input(fmt::format("{}: trace format version 0 is not valid", path));
    uint32_t body_len = static_cast<uint32_t>(load_le(prefix + 12, 4));
    if (body_len > kMaxHeaderBodyBytes)
      fail_input(fmt::format("{}: trace header is corrupt (body of {} bytes)", path, body_len));
    body_.resize(body_len);
    if (std::fread(body_.data(), 1, body_len, file_) != body_len)
      fail_input(fmt::format("{}: trace header is cut short", path));
    uint32_t sum = crc32c(crc32c(0, prefix, 16), body_.data(), body_len);
    if (sum != load_le(prefix + 16, 4))
      fail_input(fmt::format("{}: trace header is corrupt (checksum)", path));
    ByteCursor in(body_.data(), body_len);
    uint64_t clock_id, one_in, mono, real, meta_len;
    if (!in.fixed(clock_id, 4) || !in.fixed(one_in, 4) || !in.fixed(mono, 8) || !in.fixed(real, 8) ||
        !in.fixed(meta_len, 4) || !in.bytes(header_.metadata_json, meta_len))
      fail_input(fmt::format("{}: trace header is corrupt (fields overrun it)", path));
    header_.clock_id = static_cast<uint32_t>(clock_id);
    header_.sample_one_in = static_cast<uint32_t>(one_in);
    header_.anchor_monotonic_ns = static_cast<int64_t>(mono);
    header_.anchor_realtime_ns = static_cast<int64_t>(real);
    uint64_t tsc_bits = 0;
    if (in.remaining() >= 8) in.fixed(tsc_bits, 8);  // an addition within version 2: older files lack it
    header_.tsc_ns_per_tick = std::bit_cast<double>(tsc_bits);
    offset_ = kHeaderPrefixBytes + body_len;
  } catch (...) {
    std::fclose(file_);
    throw;
  }
}

TraceReader::~TraceReader() {
  if (file_ != nullptr) std::fclose(file_);
}

void TraceReader::stop_damaged(const std::string& what) {
  std::string where = passes_read_ == 0 ? "before the first pass" : fmt::format("after pass {}", last_pass_);
  warnings_.push_back(fmt::format("{}: truncated {} (run crashed?): {}", path_, where, what));
  done_ = true;
}

TraceReader::BlockResult TraceReader::read_block() {
  block_offset_ = offset_;
  uint8_t head[kBlockHeaderBytes];
  size_t got = std::fread(head, 1, sizeof head, file_);
  offset_ += got;
  if (got == 0) return BlockResult::end_of_file;
  if (got < sizeof head) {
    stop_damaged(fmt::format("the block at byte {} is cut short", block_offset_));
    return BlockResult::damaged;
  }
  block_type_ = head[0];
  block_flags_ = head[1];
  block_producer_ = static_cast<uint16_t>(load_le(head + 2, 2));
  uint32_t body_len = static_cast<uint32_t>(load_le(head + 4, 4));
  if ((block_type_ != kChunkBlock && block_type_ != kFooterBlock) || body_len > kMaxBlockBodyBytes) {
    stop_damaged(fmt::format("the block at byte {} is corrupt (type {}, {} bytes)", block_offset_,
                             block_type_, body_len));
    return BlockResult::damaged;
  }
  body_.resize(body_len);
  got = std::fread(body_.data(), 1, body_len, file_);
  offset_ += got;
  if (got < body_len) {
    stop_damaged(fmt::format("the block at byte {} is cut short", block_offset_));
    return BlockResult::damaged;
  }
  uint32_t sum = crc32c(crc32c(0, head, 8), body_.data(), body_len);
  if (sum != load_le(head + 8, 4)) {
    stop_damaged(fmt::format("the block at byte {} is corrupt (checksum mismatch)", block_offset_));
    return BlockResult::damaged;
  }
  return BlockResult::ok;
}

bool TraceReader::next_pass(std::vector<Record>& out) {
  out.clear();
  bool pass_open = false;
  uint64_t pass = 0;
  while (!done_) {
    BlockResult result = read_block();
    if (result == BlockResult::end_of_file) {
      if (pass_open)
        stop_damaged("the last pass is incomplete");
      else
        stop_damaged("the file has no footer");
      break;
    }
    if (result == BlockResult::damaged) break;
    if (block_type_ == kFooterBlock) {
      if (pass_open)
        warnings_.push_back(fmt::format("{}: pass {} is incomplete before the footer", path_, pass));
      if (read_footer()) done_ = true;
      break;
    }
    // A chunk: it must continue the open pass, or open a pass numbered after the last one.
    ByteCursor in(body_.data(), body_.size());
    uint64_t chunk_pass;
    if (!in.varint(chunk_pass) || (pass_open && chunk_pass != pass) ||
        (!pass_open && passes_read_ > 0 && chunk_pass <= last_pass_)) {
      stop_damaged(fmt::format("the chunk at byte {} is out of pass order", block_offset_));
      break;
    }
    pass = chunk_pass;
    pass_open = true;
    if (!decode_chunk(out)) break;
    if (block_flags_ & kLastOfPassFlag) {
      ++passes_read_;
      last_pass_ = pass;
      return true;
    }
  }
  out.clear();
  return false;
}

bool TraceReader::decode_chunk(std::vector<Record>& out) {
  ByteCursor in(body_.data(), body_.size());
  uint64_t pass, count, first_seq;
  // Every record takes at least two bytes (tag, ts), which bounds `count` by the body before reserving.
  bool ok = in.varint(pass) && in.varint(count) && in.varint(first_seq) && count >= 1 &&
            count <= in.remaining() / 2 && first_seq <= UINT32_MAX && out.size() + count <= kMaxPassRecords;
  if (ok) {
    ProducerCodecState& state = codec_[block_producer_];
    uint32_t expected_seq = static_cast<uint32_t>(first_seq);
    size_t base = out.size();
    out.resize(base + count);
    for (size_t i = 0; ok && i < count; ++i)
      ok = decode_record(in, block_producer_, state, expected_seq, out[base + i]);
    ok = ok && in.at_end();
  }
  if (!ok) stop_damaged(fmt::format("the chunk at byte {} does not decode", block_offset_));
  return ok;
}

bool TraceReader::read_footer() {
  ByteCursor in(body_.data(), body_.size());
  uint64_t end_mono, end_real, passes, count;
  bool ok = in.fixed(end_mono, 8) && in.fixed(end_real, 8) && in.fixed(passes, 8) && in.fixed(count, 4) &&
            in.remaining() == count * 26;
  if (!ok) {
    stop_damaged(fmt::format("the footer at byte {} does not decode", block_offset_));
    return false;
  }
  footer_.end_monotonic_ns = static_cast<int64_t>(end_mono);
  footer_.end_realtime_ns = static_cast<int64_t>(end_real);
  footer_.passes = passes;
  footer_.interrupted = (block_flags_ & kInterruptedFlag) != 0;
  footer_.producers.resize(count);
  for (ProducerTotals& p : footer_.producers) {
    uint64_t producer = 0;  // the length check above guarantees these reads succeed
    in.fixed(producer, 2);
    p.producer = static_cast<uint16_t>(producer);
    in.fixed(p.emitted, 8);
    in.fixed(p.written, 8);
    in.fixed(p.dropped, 8);
  }
  has_footer_ = true;
  if (std::fgetc(file_) != EOF)
    warnings_.push_back(fmt::format("{}: unexpected data after the footer at byte {}", path_, offset_));
  return true;
}

}  // namespace ie::trace
