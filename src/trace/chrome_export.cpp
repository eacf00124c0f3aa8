#include "trace/chrome_export.h"

#include <algorithm>
#include <cmath>
#include <iterator>
#include <limits>
#include <map>
#include <optional>
#include <ostream>
#include <set>

#include <fmt/compile.h>
#include <fmt/format.h>

#include "trace/lifecycle.h"
#include "trace/stage_table.h"

namespace ie::trace {

namespace {

using Buffer = fmt::memory_buffer;

// --- where a producer's events go ---

constexpr int kWorkersPid = 1;
constexpr int kCollectorPid = 2;
constexpr int kEnginePid = 3;
constexpr int kTracePid = 4;

struct Place {
  int pid;
  int tid;
};

Place place_of(uint16_t producer) {
  switch (producer) {
    case kCollectorProducer:
      return {kCollectorPid, 1};
    case kEngineProducer:
      return {kEnginePid, 1};
    case kTraceProducer:
      return {kTracePid, 1};
    default:
      return {kWorkersPid, producer + 1};  // every id below kTraceProducer is a worker
  }
}

std::string_view process_name(int pid) {
  switch (pid) {
    case kWorkersPid:
      return "workers";
    case kCollectorPid:
      return "collector";
    case kEnginePid:
      return "engine";
    default:
      return "trace recorder";
  }
}

// --- JSON text ---

void append(Buffer& b, std::string_view s) {
  b.append(s.data(), s.data() + s.size());
}

// Length of the well-formed UTF-8 sequence starting at s[i] (RFC 3629: no overlongs, no surrogates, at most
// U+10FFFF), or 0 when it is not one.
size_t utf8_sequence_length(std::string_view s, size_t i) {
  const auto byte = [&](size_t k) { return static_cast<unsigned char>(s[k]); };
  const unsigned char lead = byte(i);
  size_t length = 0;
  unsigned char second_low = 0x80;
  unsigned char second_high = 0xBF;
  if (lead >= 0xC2 && lead <= 0xDF) {
    length = 2;
  } else if (lead >= 0xE0 && lead <= 0xEF) {
    length = 3;
    if (lead == 0xE0) second_low = 0xA0;
    if (lead == 0xED) second_high = 0x9F;
  } else if (lead >= 0xF0 && lead <= 0xF4) {
    length = 4;
    if (lead == 0xF0) second_low = 0x90;
    if (lead == 0xF4) second_high = 0x8F;
  } else {
    return 0;
  }
  if (i + length > s.size()) return 0;
  if (byte(i + 1) < second_low || byte(i + 1) > second_high) return 0;
  for (size_t k = 2; k < length; ++k) {
    if (byte(i + k) < 0x80 || byte(i + k) > 0xBF) return 0;
  }
  return length;
}

bool is_plain_json_byte(unsigned char c) {
  return c >= 0x20 && c < 0x7F && c != '"' && c != '\\';
}

// `s` as a JSON string literal. Control characters and DEL are \u-escaped (Perfetto's tokenizer rejects raw
// ones), and bytes that are not well-formed UTF-8 become U+FFFD so strict parsers accept the file. Runs of
// plain bytes are copied at once: names are almost always all plain.
void append_json_string(Buffer& b, std::string_view s) {
  b.push_back('"');
  for (size_t i = 0; i < s.size();) {
    size_t plain_end = i;
    while (plain_end < s.size() && is_plain_json_byte(static_cast<unsigned char>(s[plain_end]))) ++plain_end;
    append(b, s.substr(i, plain_end - i));
    i = plain_end;
    if (i == s.size()) break;
    const auto c = static_cast<unsigned char>(s[i]);
    if (c >= 0x80) {
      const size_t length = utf8_sequence_length(s, i);
      append(b, length == 0 ? std::string_view("\\ufffd") : s.substr(i, length));
      i += length == 0 ? 1 : length;
      continue;
    }
    switch (c) {
      case '"':
        append(b, "\\\"");
        break;
      case '\\':
        append(b, "\\\\");
        break;
      case '\n':
        append(b, "\\n");
        break;
      case '\r':
        append(b, "\\r");
        break;
      case '\t':
        append(b, "\\t");
        break;
      default:  // other control characters and DEL
        fmt::format_to(fmt::appender(b), FMT_COMPILE("\\u{:04x}"), c);
    }
    ++i;
  }
  b.push_back('"');
}

// ns as microseconds with 3 decimals, exactly (no binary float on the way).
void append_us(Buffer& b, int64_t ns) {
  const bool negative = ns < 0;
  const uint64_t magnitude = negative ? 0 - static_cast<uint64_t>(ns) : static_cast<uint64_t>(ns);
  fmt::format_to(fmt::appender(b), FMT_COMPILE("{}{}.{:03}"), negative ? "-" : "", magnitude / 1000,
                 magnitude % 1000);
}

std::string_view ending_name(Ending ending) {
  switch (ending) {
    case Ending::completed:
      return "completed";
    case Ending::orphaned:
      return "orphaned";
    case Ending::end_of_stream:
      return "end_of_stream";
  }
  return "unknown";
}

int64_t floor_div(int64_t a, int64_t b) {
  return a / b - ((a % b != 0) && ((a < 0) != (b < 0)));
}

// Busy time of one worker, folded into fixed windows of trace time.
struct BusyWindow {
  bool started = false;
  int64_t start_ns = 0;      // the current window is [start_ns, start_ns + window)
  int64_t busy_ns = 0;       // busy time inside it
  int64_t spill_end_ns = 0;  // a busy interval running past the current window ends here
  int64_t written_bp = -1;   // last written value, in hundredths of a percent
};

struct WorkerCounters {
  BusyWindow busy;
  int64_t in_flight = 0;
};

}  // namespace

struct ChromeTraceWriter::Impl final : LifecycleConsumer {
  Impl(std::ostream& out_stream, ChromeExportInfo export_info)
      : out(out_stream), info(std::move(export_info)), assembler(*this) {
    if (info.counter_window_ns <= 0) info.counter_window_ns = 10'000'000;
  }

  void feed_pass(std::span<const Record> pass);
  void finish();
  void on_lifecycle(const Lifecycle& lifecycle) override;

  void ingest(const Record& record);
  void open_event(int64_t ts_ns, char phase);
  void name_producer(uint16_t producer, int64_t ts_ns);
  void counter(uint16_t producer, std::string_view what, std::string_view unit, int64_t ts_ns,
               std::string_view value);
  void async_event(const Lifecycle& lc, int64_t ts_ns, char phase, std::string_view name);
  void write_stages(const Lifecycle& lc, int64_t first_ns, std::optional<int64_t>& first_token_ns);
  void write_first_token(const Lifecycle& lc, std::optional<int64_t>& first_token_ns, int64_t next_event_ns);
  void add_busy(uint16_t worker, int64_t begin_ns, int64_t end_ns);
  void advance_busy(uint16_t worker, BusyWindow& w, int64_t ts_ns);
  void write_busy(uint16_t worker, BusyWindow& w);
  void write_dropped();
  void flush();

  std::ostream& out;
  ChromeExportInfo info;
  LifecycleAssembler assembler;
  Buffer buf;
  std::optional<int64_t> base_ns;
  uint64_t events = 0;
  bool finished = false;
  std::set<int> named_pids;
  std::set<uint16_t> named_producers;
  std::map<uint16_t, WorkerCounters> workers;
  std::map<uint16_t, uint64_t> dropped_written;
};

void ChromeTraceWriter::Impl::feed_pass(std::span<const Record> pass) {
  if (finished) return;
  if (!base_ns && !pass.empty()) {
    base_ns = info.anchor_monotonic_ns != 0
                  ? info.anchor_monotonic_ns
                  : std::min_element(pass.begin(), pass.end(), [](const Record& a, const Record& b) {
                      return a.ts_ns < b.ts_ns;
                    })->ts_ns;
  }
  for (const Record& record : pass) for_each_event(record, [this](const Record& one) { ingest(one); });
  assembler.feed_pass(pass);  // writes the lifecycles that finished in this pass
  write_dropped();
  flush();
}

void ChromeTraceWriter::Impl::ingest(const Record& record) {
  name_producer(record.producer, record.ts_ns);
  switch (static_cast<Event>(record.event)) {
    case Event::loop_lag: {
      Buffer value;
      append_us(value, static_cast<int64_t>(
                           std::min<uint64_t>(record.payload, std::numeric_limits<int64_t>::max())));
      counter(record.producer, "loop lag", "us", record.ts_ns, {value.data(), value.size()});
      break;
    }
    case Event::loop_busy:
      if (is_worker(record.producer)) {
        // Stamped at the next wait, with the time since epoll returned: busy over [ts - payload, ts).
        const auto busy_ns =
            static_cast<int64_t>(std::min<uint64_t>(record.payload, std::numeric_limits<int64_t>::max()));
        add_busy(record.producer, record.ts_ns - busy_ns, record.ts_ns);
      }
      break;
    case Event::worker_received:
    case Event::queued:
      if (is_worker(record.producer)) {
        int64_t& in_flight = workers[record.producer].in_flight;
        // A lost QUEUED would leave the count high for good, a lost WORKER_RECEIVED could take it below 0.
        in_flight = static_cast<Event>(record.event) == Event::worker_received
                        ? in_flight + 1
                        : std::max<int64_t>(0, in_flight - 1);
        counter(record.producer, "in flight", "requests", record.ts_ns, std::to_string(in_flight));
      }
      break;
    case Event::perf_start:
    case Event::perf_end:
      open_event(record.ts_ns, 'i');
      append(buf, ",\"name\":");
      append_json_string(buf, event_name(static_cast<Event>(record.event)));
      fmt::format_to(fmt::appender(buf), FMT_COMPILE(",\"s\":\"g\",\"pid\":{},\"tid\":1}}"), kEnginePid);
      break;
    default:
      break;
  }
}

void ChromeTraceWriter::Impl::open_event(int64_t ts_ns, char phase) {
  if (events++ != 0) append(buf, ",\n");
  append(buf, "{\"ts\":");
  append_us(buf, ts_ns - base_ns.value_or(0));
  fmt::format_to(fmt::appender(buf), FMT_COMPILE(",\"ph\":\"{}\""), phase);
}

void ChromeTraceWriter::Impl::name_producer(uint16_t producer, int64_t ts_ns) {
  if (!named_producers.insert(producer).second) return;
  const Place place = place_of(producer);
  auto metadata = [&](std::string_view what, int pid, int tid, std::string_view key, auto&& write_value) {
    if (events++ != 0) append(buf, ",\n");
    append(buf, "{\"ts\":0,\"ph\":\"M\",\"name\":");
    append_json_string(buf, what);
    fmt::format_to(fmt::appender(buf), FMT_COMPILE(",\"pid\":{},\"tid\":{},\"args\":{{\"{}\":"), pid, tid,
                   key);
    write_value();
    append(buf, "}}");
  };
  if (named_pids.insert(place.pid).second) {
    metadata("process_name", place.pid, 0, "name", [&] { append_json_string(buf, process_name(place.pid)); });
    metadata("process_sort_index", place.pid, 0, "sort_index",
             [&] { fmt::format_to(fmt::appender(buf), FMT_COMPILE("{}"), place.pid); });
  }
  metadata("thread_name", place.pid, place.tid, "name",
           [&] { append_json_string(buf, producer_name(producer)); });
  // A zero sample makes the drop track exist from the start: an empty track reads as "nothing lost".
  counter(producer, "records dropped", "records", ts_ns, "0");
}

void ChromeTraceWriter::Impl::counter(uint16_t producer, std::string_view what, std::string_view unit,
                                      int64_t ts_ns, std::string_view value) {
  const Place place = place_of(producer);
  open_event(ts_ns, 'C');
  append(buf, ",\"name\":");
  append_json_string(buf, fmt::format("{} {}", producer_name(producer), what));
  fmt::format_to(fmt::appender(buf), FMT_COMPILE(",\"pid\":{},\"tid\":{},\"args\":{{"), place.pid, place.tid);
  append_json_string(buf, unit);
  fmt::format_to(fmt::appender(buf), FMT_COMPILE(":{}}}}}"), value);
}

void ChromeTraceWriter::Impl::async_event(const Lifecycle& lc, int64_t ts_ns, char phase,
                                          std::string_view name) {
  const Place place = place_of(lc.worker >= 0 ? static_cast<uint16_t>(lc.worker) : kCollectorProducer);
  open_event(ts_ns, phase);
  fmt::format_to(fmt::appender(buf), FMT_COMPILE(",\"cat\":\"{}\",\"id\":\"0x{:x}\",\"name\":"),
                 lc.warmup ? "warmup" : "request", lc.id);
  append_json_string(buf, name);
  fmt::format_to(fmt::appender(buf), FMT_COMPILE(",\"pid\":{},\"tid\":{}"), place.pid, place.tid);
}

void ChromeTraceWriter::Impl::on_lifecycle(const Lifecycle& lc) {
  int64_t first_ns = std::numeric_limits<int64_t>::max();
  int64_t last_ns = std::numeric_limits<int64_t>::min();
  for (const int64_t ts : lc.ts_ns) {
    if (ts == 0) continue;
    first_ns = std::min(first_ns, ts);
    last_ns = std::max(last_ns, ts);
  }
  if (first_ns > last_ns) return;
  const std::string name = fmt::format("request {}", lc.sequence());

  async_event(lc, first_ns, 'b', name);
  fmt::format_to(
      fmt::appender(buf),
      FMT_COMPILE(
          ",\"args\":{{\"worker\":{},\"outcome\":{},\"complete\":{},\"ending\":\"{}\",\"streaming\":{}"),
      lc.worker, lc.outcome, lc.complete, ending_name(lc.ending), lc.streaming);
  if (lc.has(Event::issued) && lc.has(Event::complete)) {
    fmt::format_to(fmt::appender(buf), FMT_COMPILE(",\"e2e_ns\":{}"),
                   lc.at(Event::complete) - lc.at(Event::issued));
  }
  if (lc.has(Event::sse_parse))
    fmt::format_to(fmt::appender(buf), FMT_COMPILE(",\"sse_parse_ns\":{}"), lc.sse_parse_ns);
  append(buf, "}}");

  std::optional<int64_t> first_token_ns;
  if (lc.has(Event::recv_first)) first_token_ns = lc.at(Event::recv_first);
  write_stages(lc, first_ns, first_token_ns);
  write_first_token(lc, first_token_ns, last_ns + 1);
  async_event(lc, last_ns, 'e', name);
  append(buf, "}");
}

// The "first token" instant goes before the first event stamped after it, so each track is in time order in
// the file and nesting never depends on how a viewer breaks timestamp ties.
void ChromeTraceWriter::Impl::write_first_token(const Lifecycle& lc, std::optional<int64_t>& first_token_ns,
                                                int64_t next_event_ns) {
  if (!first_token_ns || *first_token_ns >= next_event_ns) return;
  async_event(lc, *first_token_ns, 'n', "first token");
  append(buf, "}");
  first_token_ns.reset();
}

// The stages whose two boundaries arrived, in timeline order; for a complete, in-order lifecycle that is
// exactly its partition. A stage that would start before the previous one ended is skipped, so the slices
// always nest properly under the request.
void ChromeTraceWriter::Impl::write_stages(const Lifecycle& lc, int64_t first_ns,
                                           std::optional<int64_t>& first_token_ns) {
  int64_t cursor_ns = first_ns;
  for (const StageSpec& spec : stage_specs(lc.streaming)) {
    if (!lc.has(spec.begin) || !lc.has(spec.end)) continue;
    const int64_t begin_ns = lc.at(spec.begin);
    const int64_t end_ns = lc.at(spec.end);
    if (begin_ns < cursor_ns || end_ns < begin_ns) continue;
    write_first_token(lc, first_token_ns, begin_ns);
    async_event(lc, begin_ns, 'b', spec.label);
    fmt::format_to(fmt::appender(buf), FMT_COMPILE(",\"args\":{{\"class\":\"{}\",\"dur_ns\":{}}}}}"),
                   stage_class_name(spec.cls), end_ns - begin_ns);
    write_first_token(lc, first_token_ns, end_ns);
    async_event(lc, end_ns, 'e', spec.label);
    append(buf, "}");
    cursor_ns = end_ns;
  }
}

// Adds the busy interval [begin_ns, end_ns). A worker's turns do not overlap and arrive in order, so every
// window before begin_ns is final and can be written.
void ChromeTraceWriter::Impl::add_busy(uint16_t worker, int64_t begin_ns, int64_t end_ns) {
  const int64_t window_ns = info.counter_window_ns;
  BusyWindow& w = workers[worker].busy;
  if (!w.started) {
    w.started = true;
    w.start_ns = *base_ns + floor_div(begin_ns - *base_ns, window_ns) * window_ns;
  }
  advance_busy(worker, w, begin_ns);
  // A turn older than the current window (reordering) is counted from the window's start.
  const int64_t from_ns = std::max(begin_ns, w.start_ns);
  const int64_t window_end_ns = w.start_ns + window_ns;
  w.busy_ns += std::max<int64_t>(0, std::min(end_ns, window_end_ns) - from_ns);
  if (end_ns > window_end_ns) w.spill_end_ns = std::max(w.spill_end_ns, end_ns);
}

// Closes every window that ends at or before ts_ns, carrying a spilling busy interval into the next ones.
void ChromeTraceWriter::Impl::advance_busy(uint16_t worker, BusyWindow& w, int64_t ts_ns) {
  const int64_t window_ns = info.counter_window_ns;
  while (ts_ns >= w.start_ns + window_ns) {
    write_busy(worker, w);
    const int64_t next_ns = w.start_ns + window_ns;
    if (w.spill_end_ns > next_ns) {
      w.busy_ns = std::min(w.spill_end_ns, next_ns + window_ns) - next_ns;
      w.start_ns = next_ns;
      continue;
    }
    w.busy_ns = 0;
    w.spill_end_ns = 0;
    w.start_ns = next_ns;
    if (ts_ns >= next_ns + window_ns) {
      // Idle windows: counters are steps, so one zero sample covers all of them.
      write_busy(worker, w);
      w.start_ns = *base_ns + floor_div(ts_ns - *base_ns, window_ns) * window_ns;
    }
  }
}

void ChromeTraceWriter::Impl::write_busy(uint16_t worker, BusyWindow& w) {
  const auto bp = std::clamp<int64_t>(
      std::llround(static_cast<double>(w.busy_ns) * 10000.0 / static_cast<double>(info.counter_window_ns)), 0,
      10000);
  if (bp == w.written_bp) return;
  w.written_bp = bp;
  counter(worker, "busy", "pct", w.start_ns, fmt::format("{}.{:02}", bp / 100, bp % 100));
}

void ChromeTraceWriter::Impl::write_dropped() {
  const TraceHealth& health = assembler.health();
  for (const auto& [id, producer] : health.producers) {
    uint64_t& written = dropped_written[id];
    if (producer.lost() == written) continue;
    written = producer.lost();
    counter(id, "records dropped", "records", health.last_ts_ns, std::to_string(written));
  }
}

void ChromeTraceWriter::Impl::finish() {
  if (finished) return;
  assembler.finish();
  for (auto& [worker, counters] : workers) {
    BusyWindow& w = counters.busy;
    if (!w.started) continue;
    advance_busy(worker, w, std::max(w.start_ns, w.spill_end_ns) + info.counter_window_ns);
    write_busy(worker, w);  // the window after the last busy time: normally a closing 0
  }
  write_dropped();
  finished = true;

  append(buf, "\n],\"otherData\":{");
  const int64_t base = base_ns.value_or(info.anchor_monotonic_ns);
  auto field = [&](std::string_view key, std::string_view value, bool last = false) {
    append_json_string(buf, key);
    buf.push_back(':');
    append_json_string(buf, value);
    if (!last) buf.push_back(',');
  };
  field("generator", "inference-endpoint trace export");
  field("clock", "CLOCK_MONOTONIC");
  field("ts_base_monotonic_ns", std::to_string(base));
  if (info.anchor_realtime_ns != 0) {
    field("anchor_monotonic_ns", std::to_string(info.anchor_monotonic_ns));
    field("anchor_realtime_ns", std::to_string(info.anchor_realtime_ns));
    field("ts_base_realtime_ns", std::to_string(info.anchor_realtime_ns + (base - info.anchor_monotonic_ns)));
  }
  field("sample_one_in", std::to_string(info.sample_one_in));
  if (info.tsc_ns_per_tick > 0) field("tsc_ns_per_tick", fmt::format("{:.9g}", info.tsc_ns_per_tick));
  field("run_metadata", info.metadata_json, true);
  append(buf, "}}\n");
  flush();
}

void ChromeTraceWriter::Impl::flush() {
  out.write(buf.data(), static_cast<std::streamsize>(buf.size()));
  buf.clear();
}

// --- ChromeTraceWriter ---

ChromeTraceWriter::ChromeTraceWriter(std::ostream& out, ChromeExportInfo info)
    : impl_(std::make_unique<Impl>(out, std::move(info))) {
  append(impl_->buf, "{\"traceEvents\":[\n");
  impl_->flush();
}

ChromeTraceWriter::~ChromeTraceWriter() {
  try {
    finish();
  } catch (...) {
    // A destructor must not throw; the stream's own state reports a failed write.
  }
}

void ChromeTraceWriter::feed_pass(std::span<const Record> pass) {
  impl_->feed_pass(pass);
}
void ChromeTraceWriter::finish() {
  impl_->finish();
}
uint64_t ChromeTraceWriter::events_written() const {
  return impl_->events;
}

void write_chrome_trace(std::ostream& out, const ChromeExportInfo& info, const PassSource& next_pass) {
  ChromeTraceWriter writer(out, info);
  std::vector<Record> pass;
  while (next_pass(pass)) writer.feed_pass(pass);
  writer.finish();
}

}  // namespace ie::trace
