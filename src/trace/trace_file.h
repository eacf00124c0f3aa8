#pragma once
// The trace file: what the recorder writes with --trace-file and what `trace stats` / `trace export` read.
//
// clang-format off
// ---------------------------------------------------------------------------------------------------------
// TRACE FILE FORMAT, version 2 (version 1, which readers still accept, had no BUNDLE records)
//
// Conventions. Every fixed-width integer is little-endian. "varint" is unsigned LEB128: 7 bits per byte,
// least significant group first, high bit set on every byte but the last; at most 10 bytes. "zigzag(v)" maps
// a signed 64-bit v to unsigned as (v << 1) ^ (v >> 63), so small magnitudes of either sign stay short.
// "CRC-32C" is the Castagnoli CRC (reflected polynomial 0x82F63B78, initial and final XOR 0xFFFFFFFF, as
// in iSCSI / SSE4.2's crc32 instruction) over the bytes named.
//
// A file is a header followed by blocks. A finished file ends with exactly one footer block; a file without
// one was cut short (the run crashed or was killed before the recorder could finish).
//
// Header
//   offset size
//   0      8    magic: 0x89 'I' 'E' 'T' 'R' 'A' 'C' 'E'
//   8      4    u32 version (2). A reader rejects versions newer than its own.
//   12     4    u32 body_len: bytes of header body after the checksum
//   16     4    u32 checksum: CRC-32C of bytes 0..15 followed by the body
//   20     body:
//            u32 clock_id: the Linux clockid_t every ts_ns in the file is read from (1 = CLOCK_MONOTONIC)
//            u32 sample_one_in: 1 in N requests was traced (1 = all); see sampled() in record.h
//            i64 anchor_monotonic_ns  } read back to back when the recording started, so
//            i64 anchor_realtime_ns   } wall time = anchor_realtime_ns + (ts_ns - anchor_monotonic_ns)
//            u32 metadata_len, then metadata_len bytes: UTF-8 JSON describing the run (mode, model, ...)
//            f64 tsc_ns_per_tick (IEEE 754 binary64, its bits as a u64): the calibration of the TSC that
//              extrapolated the trace-only timestamps from the reactor's clock readings (docs/TRACE.md);
//              0 = every timestamp is a real clock reading. Absent in files written before it (read as 0).
//              Readers ignore body bytes after the fields they know (room for additions within a version).
//
// Block header (12 bytes), followed by body_len bytes of body
//   0      1    type: 'C' (0x43) chunk, 'F' (0x46) footer; anything else is corruption
//   1      1    flags: chunk: bit 0 = last chunk of its pass; footer: bit 0 = the run was interrupted
//   2      2    u16 producer (chunk: whose records these are; footer: 0)
//   4      4    u32 body_len
//   8      4    u32 checksum: CRC-32C of bytes 0..7 of this block header followed by the body
//
// Chunk body: records of one producer from one pass, in that producer's emit order
//   varint pass: the recorder's pass number; increasing through the file (gaps are passes with no records)
//   varint count: records in the chunk (>= 1)
//   varint first_seq: seq of the first record
//   count encoded records:
//     u8 tag: bits 0-4 = event id 0..30, or 31 = escape (a varint event id follows the tag)
//             bit 5 = an id field follows, bit 6 = a payload follows, bit 7 = a seq gap follows
//     [varint event]          only when bits 0-4 are 31
//     varint zigzag(ts_ns - prev_ts_ns)
//     [varint id field]       request events (ids 1-9, 13, 15-17, 20): zigzag(id - prev_request_id);
//                             every other event: the id itself. Absent means a delta of 0 / an id of 0.
//     [varint payload]        absent means 0. BUNDLE (20): two varints, the low 32 bits then the high 32.
//     [varint seq gap]        seq - expected_seq modulo 2^32; absent means 0
//   Decoder state is kept per producer for the whole file: prev_ts_ns and prev_request_id start at 0 and
//   carry over from one chunk of that producer to the next (so chunks must be decoded in file order);
//   expected_seq is first_seq at the start of each chunk and seq + 1 after each record. The record's
//   producer field is the chunk's producer. The set of request events is frozen for version 2.
//   A pass is the chunks from the first chunk with its pass number up to the one flagged "last of pass"; a
//   pass without its flagged chunk is incomplete and is discarded by readers.
//
// Footer body
//   i64 end_monotonic_ns, i64 end_realtime_ns: when the recorder finished
//   u64 passes: drain passes the recorder ran
//   u32 producer_count, then producer_count entries of
//     u16 producer, u64 emitted, u64 written, u64 dropped
//   emitted = written + dropped; written counts records taken off that producer's ring (all are in the
//   file). TRACE_DROPS records are made by the recorder, not emitted: they are in the file on top of these.
// ---------------------------------------------------------------------------------------------------------
// clang-format on

#include <cstdint>
#include <cstdio>
#include <memory>
#include <span>
#include <string>
#include <unordered_map>
#include <vector>

#include "trace/record.h"

namespace ie::trace {

constexpr uint32_t kTraceFormatVersion = 2;

// CRC-32C as the format above defines it, continued from `crc` (start with 0). SSE4.2 has an instruction
// for it (8 bytes a cycle): the recorder checksums every chunk, so it must not cost more than encoding it.
uint32_t crc32c(uint32_t crc, const uint8_t* bytes, size_t n);

struct TraceHeader {
  uint32_t version = kTraceFormatVersion;
  uint32_t clock_id = 1;  // CLOCK_MONOTONIC
  uint32_t sample_one_in = 1;
  int64_t anchor_monotonic_ns = 0;
  int64_t anchor_realtime_ns = 0;
  std::string metadata_json;
  double tsc_ns_per_tick = 0;  // 0: no TSC extrapolation
};

struct ProducerTotals {
  uint16_t producer = 0;
  uint64_t emitted = 0;  // records the producer tried to emit (= written + dropped)
  uint64_t written = 0;  // records taken off its ring
  uint64_t dropped = 0;  // records lost to a full ring
  bool operator==(const ProducerTotals&) const = default;
};

struct TraceFooter {
  int64_t end_monotonic_ns = 0;
  int64_t end_realtime_ns = 0;
  bool interrupted = false;
  uint64_t passes = 0;
  std::vector<ProducerTotals> producers;
};

// Per-producer codec state (see "Decoder state" above); shared by the writer and the reader.
struct ProducerCodecState {
  int64_t prev_ts_ns = 0;
  uint64_t prev_request_id = 0;
};

// Reads CLOCK_MONOTONIC and CLOCK_REALTIME as close together as the machine allows (best of a few tries).
void take_clock_anchor(int64_t& monotonic_ns, int64_t& realtime_ns);

// Writes one trace file. The caller (the recorder's drain thread) only encodes: the bytes go to the disk on
// the writer's own I/O thread, so a write() stalled behind a journal commit or a slow disk never stops the
// rings from being drained. Encoded bytes are handed to that thread every 64 KiB or 50 ms, whichever comes
// first, so a crash (no destructor) loses at most that much plus what the disk had not taken yet; a clean
// end or a destroyed writer writes everything. Not thread-safe: one thread calls every method.
class TraceWriter {
 public:
  // Creates (or truncates) `path`, writes the header and starts the I/O thread. Throws ie::Error(setup)
  // naming the path and errno.
  TraceWriter(const std::string& path, const TraceHeader& header);
  ~TraceWriter();  // writes what was encoded, stops the I/O thread, closes the file; writes no footer
  TraceWriter(const TraceWriter&) = delete;
  TraceWriter& operator=(const TraceWriter&) = delete;

  // Encodes one pass (chunks = runs of consecutive records with the same producer). Waits for the disk only
  // when more than 64 MiB are already waiting for it. Returns false, and writes nothing more, once any write
  // has failed (see error()). Empty passes write nothing.
  bool append_pass(uint64_t pass, std::span<const Record> records);
  // The same in pieces, so a caller can encode straight from where the records are: begin_pass, then
  // add_records for each run of one producer's records (in that producer's emit order; a producer may come
  // back later in the pass), then end_pass, which returns what append_pass returns.
  void begin_pass(uint64_t pass);
  // Optional, before the first pass: sets up `producer`'s codec state now rather than at its first chunk
  // (an allocation the encoding thread then need not make).
  void expect_producer(uint16_t producer);
  void add_records(std::span<const Record> one_producer_records);
  bool end_pass();
  // Writes everything still pending and the footer, then fsyncs. Returns false on failure (see error()).
  bool finish(const TraceFooter& footer);

  uint64_t bytes_encoded() const { return bytes_encoded_; }  // the file's size once all is written
  uint64_t bytes_written() const;                            // handed to the kernel so far, header included
  uint64_t records_written() const { return records_written_; }
  // Empty, or the first failure as "<path>: write failed: <reason>".
  std::string error() const;

 private:
  struct Buffer {
    std::unique_ptr<uint8_t[]> bytes;
    size_t used = 0;
  };
  struct IoQueue;

  void encode_chunk(std::span<const Record> records);
  void seal_unsealed(bool last_of_pass);
  static Buffer new_buffer();
  void hand_over();
  void stop_io();
  void io_loop();
  bool write_all(const uint8_t* data, size_t size);
  bool failed() const;

  std::string path_;
  int fd_ = -1;
  Buffer current_;  // being encoded into
  uint64_t pass_ = 0;
  // The chunk encoded last, whose block header waits for its "last of pass" flag (kNone: none waits).
  static constexpr size_t kNone = SIZE_MAX;
  size_t unsealed_at_ = kNone;
  uint16_t unsealed_producer_ = 0;
  size_t unsealed_body_len_ = 0;
  int64_t current_since_ns_ = 0;  // when current_ received its first bytes
  std::unordered_map<uint16_t, ProducerCodecState> codec_;
  uint64_t bytes_encoded_ = 0;
  uint64_t records_written_ = 0;
  std::unique_ptr<IoQueue> io_;
};

// Streams a trace file pass by pass; memory stays bounded by one pass whatever the file size.
class TraceReader {
 public:
  // Opens `path` and reads the header. Throws ie::Error(setup) when it cannot be opened and
  // ie::Error(invalid_input) when it is not a trace ("bad magic"), is newer than this build, or its header
  // is corrupt.
  explicit TraceReader(const std::string& path);
  ~TraceReader();
  TraceReader(const TraceReader&) = delete;
  TraceReader& operator=(const TraceReader&) = delete;

  const TraceHeader& header() const { return header_; }
  // Fills `out` (cleared first) with the next whole pass's records, in file order. False at the end of the
  // file, at the footer, or at a torn / corrupt tail (never throws for those: see warnings()).
  bool next_pass(std::vector<Record>& out);
  // The footer, once next_pass() has returned false; null when the file has none.
  const TraceFooter* footer() const { return has_footer_ ? &footer_ : nullptr; }
  // What was wrong with the file, one sentence each ("truncated after pass 812 (run crashed?)").
  const std::vector<std::string>& warnings() const { return warnings_; }
  uint64_t passes_read() const { return passes_read_; }

 private:
  enum class BlockResult { ok, end_of_file, damaged };
  BlockResult read_block();
  bool decode_chunk(std::vector<Record>& out);
  bool read_footer();
  void stop_damaged(const std::string& what);

  std::string path_;
  std::FILE* file_ = nullptr;
  TraceHeader header_;
  TraceFooter footer_;
  bool has_footer_ = false;
  bool done_ = false;
  uint64_t offset_ = 0;  // file offset of the next unread byte
  uint64_t passes_read_ = 0;
  uint64_t last_pass_ = 0;  // number of the last whole pass returned
  // The block just read.
  uint8_t block_type_ = 0;
  uint8_t block_flags_ = 0;
  uint16_t block_producer_ = 0;
  uint64_t block_offset_ = 0;
  std::vector<uint8_t> body_;
  std::unordered_map<uint16_t, ProducerCodecState> codec_;
  std::vector<std::string> warnings_;
};

}  // namespace ie::trace
