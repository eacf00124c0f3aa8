#include "dashboard/render.h"

#include <algorithm>
#include <cmath>

#include <fmt/format.h>

namespace ie::dashboard {

namespace {

using trace::StageClass;
using trace::StageRow;

// --- styled lines ---

// Theme (spec §9.6) as 256-colour indexes; `plain` is the terminal's default foreground.
enum class Color : int {
  plain = -1,
  section = 6,
  server = 32,
  completed = 98,
  issued = 141,
  critical = 160,
  warn = 172,
  rule = 241,
  muted = 244,
  label = 247,
};

constexpr int kContentWidth = 128;  // every non-rule line ends at or before this column
constexpr int kGridCell = 40;
constexpr int kLabelWidth = 50;
constexpr int kBarLabelWidth = 20;  // "  e2e" padded: the bar's opening │ is at this column

// Display columns of UTF-8 text: every glyph used here is one column wide.
int columns(std::string_view text) {
  return static_cast<int>(std::count_if(
      text.begin(), text.end(), [](char c) { return (static_cast<unsigned char>(c) & 0xC0) != 0x80; }));
}

std::string repeat(std::string_view glyph, int n) {
  std::string out;
  for (int i = 0; i < n; ++i) out += glyph;
  return out;
}

// One output line and its display width. In colour mode a run of text in one colour gets one SGR pair.
class Line {
 public:
  explicit Line(bool color) : color_(color) {}
  Line& add(std::string_view text, Color c = Color::plain) {
    if (text.empty()) return *this;
    if (color_ && c != current_) {
      if (current_ != Color::plain) text_ += "\x1b[39m";
      if (c != Color::plain) text_ += fmt::format("\x1b[38;5;{}m", static_cast<int>(c));
      current_ = c;
    }
    text_ += text;
    width_ += columns(text);
    return *this;
  }
  Line& spaces(int n) { return add(std::string(static_cast<size_t>(std::max(0, n)), ' ')); }
  Line& pad_to(int column) { return spaces(column - width_); }
  int width() const { return width_; }
  std::string text() const { return current_ == Color::plain ? text_ : text_ + "\x1b[39m"; }

 private:
  bool color_;
  Color current_ = Color::plain;
  std::string text_;
  int width_ = 0;
};

class Frame {
 public:
  explicit Frame(const RenderOptions& options) : options_(options) {}
  Line line() const { return Line(options_.color); }
  void push(const Line& line) { out_ += line.text() + "\n"; }
  void blank() { out_ += "\n"; }
  void rule(std::string_view glyph, Color c) { push(line().add(repeat(glyph, options_.width), c)); }
  std::string take() { return std::move(out_); }

 private:
  const RenderOptions& options_;
  std::string out_;
};

// --- numbers ---

std::string group_thousands(std::string digits) {
  const size_t dot = digits.find('.');
  const size_t int_end = dot == std::string::npos ? digits.size() : dot;
  std::string out;
  for (size_t i = 0; i < int_end; ++i) {
    if (i != 0 && (int_end - i) % 3 == 0) out.push_back(',');
    out.push_back(digits[i]);
  }
  return out + digits.substr(int_end);
}
std::string count_text(uint64_t n) {
  return group_thousands(std::to_string(n));
}
std::string rate_text(double per_s) {
  return group_thousands(fmt::format("{:.1f}", std::max(0.0, per_s)));
}
std::string ms_text(double ns) {
  return fmt::format("{:.2f}", ns / 1e6);
}

Color heat_color(Heat heat, Color base) {
  switch (heat) {
    case Heat::critical:
      return Color::critical;
    case Heat::warn:
      return Color::warn;
    case Heat::none:
      return base;
  }
  return base;
}

// Shares in tenths of a percent that add to exactly 1000 (largest remainder), so the verdict reads 100.0 %.
std::array<int64_t, trace::kStageClassCount> tenths(const std::array<double, trace::kStageClassCount>& pct) {
  std::array<int64_t, trace::kStageClassCount> out{};
  std::array<double, trace::kStageClassCount> rest{};
  int64_t total = 0;
  for (size_t i = 0; i < out.size(); ++i) {
    out[i] = static_cast<int64_t>(std::floor(pct[i] * 10.0));
    rest[i] = pct[i] * 10.0 - static_cast<double>(out[i]);
    total += out[i];
  }
  for (; total < 1000; ++total) {
    const auto i = static_cast<size_t>(std::max_element(rest.begin(), rest.end()) - rest.begin());
    ++out[i];
    rest[i] = -1;
  }
  return out;
}

// --- the 3-column grid ---

struct Cell {
  std::string_view label;
  std::string value;
  Color value_color = Color::plain;
};

void grid_row(Frame& f, const std::array<Cell, 3>& cells) {
  Line l = f.line();
  l.spaces(2);
  for (size_t i = 0; i < cells.size(); ++i) {
    if (i != 0) l.spaces(3);
    const Cell& c = cells[i];
    if (c.label.empty() && c.value.empty()) {
      l.spaces(kGridCell);
      continue;
    }
    l.add(c.label, Color::rule).spaces(1);
    l.spaces(std::max(1, kGridCell - columns(c.label) - 1 - columns(c.value)));
    l.add(c.value, c.value_color);
  }
  f.push(l);
}

std::pair<std::string, Color> status_chip(Status status) {
  switch (status) {
    case Status::done:
      return {"DONE", Color::warn};
    case Status::tail_backpressure:
      return {"TAIL + BACKPRESSURE", Color::critical};
    case Status::tail:
      return {"TAIL", Color::warn};
    case Status::backpressure:
      return {"BACKPRESSURE", Color::critical};
    case Status::live:
      return {"LIVE", Color::completed};
  }
  return {"LIVE", Color::completed};
}

// "▂▅▇█▇ 1,234.5": a per-second sparkline, then the window's value.
std::string trend_text(const std::vector<double>& by_second, const std::string& value) {
  const std::string spark = sparkline(by_second);
  return spark.empty() ? value : spark + " " + value;
}

void header(Frame& f, const Header& h, const Recent& recent) {
  f.rule("═", Color::section);
  const auto [chip, chip_color] = status_chip(h.status);
  grid_row(f, {Cell{"uptime", fmt::format("{:.1f}s", static_cast<double>(h.uptime_ns) / 1e9)},
               Cell{"status", chip, chip_color}, Cell{"req/s", rate_text(h.req_per_s)}});
  const Color drop_color =
      h.dropped_records > 100 ? Color::critical : (h.dropped_records > 0 ? Color::warn : Color::plain);
  grid_row(f, {Cell{"issued", count_text(h.issued), Color::issued},
               Cell{"dropped records", count_text(h.dropped_records), drop_color},
               Cell{"tok/s", h.tok_per_s ? rate_text(*h.tok_per_s) : "—"}});
  std::string recent_rate = "—";
  std::string recent_p99 = "—";
  if (recent.valid) {
    std::vector<double> p99_ms;
    for (const int64_t ns : recent.p99_e2e_by_second_ns) p99_ms.push_back(static_cast<double>(ns));
    recent_rate = trend_text(recent.req_per_s_by_second, rate_text(recent.req_per_s));
    recent_p99 =
        trend_text(p99_ms, recent.p99_e2e_ns > 0 ? ms_text(static_cast<double>(recent.p99_e2e_ns)) + " ms"
                                                 : std::string("—"));
  }
  const std::string window = fmt::format("({} s)", recent.valid ? recent.window_s : kRecentWindowSeconds);
  const std::string rate_label = "req/s " + window;
  const std::string p99_label = "p99 e2e " + window;
  grid_row(f, {Cell{rate_label, recent_rate, Color::completed}, Cell{p99_label, recent_p99},
               Cell{"completed", count_text(h.completed), Color::completed}});
  f.rule("═", Color::section);
}

// --- distribution rows ---

void numeric_header(Line& l, bool with_pct) {
  l.add(fmt::format("{:>12}{:>11}{:>11}{:>11}{:>11}{:>11}", "N", "avg", "min", "p50", "p99", "max"),
        Color::label);
  if (with_pct) l.add(fmt::format("{:>9}", "%E2E"), Color::label);
}

// Words "issue" and "complete" take the issued / completed colours, as in the seed.
void add_label(Line& l, std::string_view label, Color base) {
  label = label.substr(0, kLabelWidth);
  const int start = l.width();
  size_t pos = 0;
  while (pos < label.size()) {
    size_t end = label.find(' ', pos);
    if (end == std::string_view::npos) end = label.size();
    const std::string_view word = label.substr(pos, end - pos);
    l.add(word, word == "issue" ? Color::issued : (word == "complete" ? Color::completed : base));
    if (end < label.size()) l.add(" ", base);
    pos = end + 1;
  }
  l.pad_to(start + kLabelWidth);
}

void dist_cells(Line& l, const DistRow& d, Color color, Color p99_color, Color max_color) {
  l.add(fmt::format("{:>12}", count_text(d.n)), color);
  l.add(fmt::format("{:>11}{:>11}{:>11}", ms_text(d.avg_ns), ms_text(static_cast<double>(d.min_ns)),
                    ms_text(static_cast<double>(d.p50_ns))),
        color);
  l.add(fmt::format("{:>11}", ms_text(static_cast<double>(d.p99_ns))), p99_color);
  l.add(fmt::format("{:>11}", ms_text(static_cast<double>(d.max_ns))), max_color);
}

std::string_view class_prefix(StageClass cls) {
  switch (cls) {
    case StageClass::client:
      return "[client] ";
    case StageClass::server:
      return "[server] ";
    case StageClass::backpressure:
      return "[backpressure] ";
  }
  return "";
}

void section(Frame& f, std::string_view title, bool frozen) {
  f.blank();
  Line l = f.line();
  l.add("  ").add(title, Color::section);
  if (frozen) l.add("  [frozen]", Color::section);
  f.push(l);
  f.rule("─", Color::rule);
}

void lifecycle(Frame& f, const Model& m) {
  section(f, "REQUEST LIFECYCLE  (ms)", m.frozen);
  Line head = f.line();
  head.add("  ").add(fmt::format("{:<50}", "stage"), Color::label);
  numeric_header(head, true);
  f.push(head);
  if (!m.has_requests) {
    f.push(
        f.line().add("  (no request fully traced yet: rows appear with the first COMPLETE)", Color::muted));
    return;
  }
  for (const StageLine& s : m.stages) {
    const Color base = s.cls == StageClass::server ? Color::server : Color::plain;
    Line l = f.line();
    l.spaces(2);
    add_label(l, fmt::format("{}{}", class_prefix(s.cls), stage_label(s.row, m.streaming)), base);
    dist_cells(l, s.dist, base, base, base);
    l.add(fmt::format("{:>8.1f}%", std::min(100.0, s.pct_e2e)), heat_color(s.heat, base));
    f.push(l);
  }
  Line total = f.line();
  total.spaces(2).add(fmt::format("{:<50}", "E2E TOTAL  issue -> complete"));
  dist_cells(total, m.e2e, Color::plain, Color::plain, Color::plain);
  total.add(fmt::format("{:>8.1f}%", 100.0));
  f.push(total);
}

// --- verdict, bar, tree ---

std::string leaf_text(size_t i) {
  return fmt::format("{} ─{}", leaf_name(static_cast<Leaf>(i)), i + 1 == kLeafCount ? "┘" : "┤");
}

// Right-aligns leaf i so it ends at column 128, under the backpressure value.
void add_leaf(Line& l, const Model& m, size_t i) {
  const TreeLeaf& leaf = m.tree[i];
  l.spaces(std::max(1, kContentWidth - columns(leaf_text(i)) - l.width()));
  l.add(leaf_name(static_cast<Leaf>(i)), heat_color(leaf.heat, Color::muted));
  l.add(" ─", Color::rule).add(i + 1 == kLeafCount ? "┘" : "┤", Color::rule);
}

std::pair<std::string_view, Color> glyph(StageClass cls) {
  switch (cls) {
    case StageClass::client:
      return {"▒", Color::plain};
    case StageClass::server:
      return {"█", Color::server};
    case StageClass::backpressure:
      return {"▓", Color::warn};
  }
  return {"▒", Color::plain};
}

// "N traced of M completed", and why the completed ones that are not traced were left out, so a frame alone
// tells a lost record from a failure or an out-of-order lifecycle (a producer stamping events out of order).
std::string coverage_text(const Model& m) {
  std::string text = fmt::format("  coverage  {} traced of {} completed", count_text(m.traced),
                                 count_text(m.header.completed));
  const trace::Coverage& c = m.coverage;
  std::string reasons;
  const auto note = [&reasons](uint64_t n, std::string_view what) {
    if (n == 0) return;
    reasons += fmt::format("{}{} {}", reasons.empty() ? "" : ", ", count_text(n), what);
  };
  note(c.failed, "failed");
  note(c.incomplete, "missing events");
  note(c.out_of_order, "out of order");
  note(c.orphaned, "without COMPLETE");
  if (!reasons.empty()) text += " (" + reasons + ")";
  return text;
}

void verdict(Frame& f, const Model& m) {
  f.blank();
  const VerdictShares& v = m.verdict;
  std::array<std::string, trace::kStageClassCount> text{"—", "—", "—"};
  if (v.valid) {
    const auto t = tenths(v.pct);
    for (size_t i = 0; i < t.size(); ++i) text[i] = fmt::format("{}.{}%", t[i] / 10, t[i] % 10);
  }
  const auto at = [](StageClass c) { return static_cast<size_t>(c); };
  grid_row(f, {Cell{"client work", text[at(StageClass::client)],
                    heat_color(v.heat[at(StageClass::client)], Color::plain)},
               Cell{"server work", text[at(StageClass::server)]},
               Cell{"backpressure [workers busy]", text[at(StageClass::backpressure)],
                    heat_color(v.heat[at(StageClass::backpressure)], Color::plain)}});

  Line bar = f.line();
  bar.add("  e2e").pad_to(kBarLabelWidth).add("│", Color::rule);
  if (m.bar.empty()) bar.add(repeat("░", kBarCells), Color::rule);
  for (const BarSegment& s : m.bar) {
    const auto [g, c] = glyph(s.cls);
    bar.add(repeat(g, s.cells), c);
  }
  bar.add("│", Color::rule);
  add_leaf(bar, m, 0);
  f.push(bar);

  Line legend = f.line();
  legend.spaces(kBarLabelWidth);
  for (StageClass c : {StageClass::client, StageClass::backpressure, StageClass::server}) {
    if (c != StageClass::client) legend.spaces(3);
    const auto [g, color] = glyph(c);
    legend.add(g, color).add(" ").add(trace::stage_class_name(c));
  }
  add_leaf(legend, m, 1);
  f.push(legend);
  for (size_t i = 2; i < kLeafCount; ++i) {
    Line l = f.line();
    add_leaf(l, m, i);
    f.push(l);
  }
  f.push(f.line().add(coverage_text(m), Color::label));
}

// --- loadgen (the client's own metrics) ---

void loadgen_row(Frame& f, std::string_view name, const DistRow& d, std::string_view hint) {
  Line l = f.line();
  l.spaces(2).add(fmt::format("{:<50}", name));
  if (d.n == 0) {
    l.add(fmt::format("{:>12}", "—")).add(fmt::format("  ({})", hint), Color::muted);
  } else {
    dist_cells(l, d, Color::plain, Color::plain, Color::plain);
  }
  f.push(l);
}

void loadgen(Frame& f, const Loadgen& g) {
  section(f, g.final ? "LOADGEN  (final)" : "LOADGEN", false);
  if (g.stopping && !g.final) {
    f.push(f.line().add(
        "  stopping: no new requests, waiting for the in-flight ones (Ctrl-C again abandons them)",
        Color::warn));
  }
  const double seconds = static_cast<double>(g.duration_ns) / 1e9;
  auto per_s = [seconds](double n) { return seconds > 0 ? rate_text(n / seconds) : std::string("—"); };
  grid_row(f, {Cell{"issued", count_text(g.issued), Color::issued},
               Cell{"completed", count_text(g.completed), Color::completed},
               Cell{"errors", count_text(g.errors), g.errors > 0 ? Color::critical : Color::plain}});
  grid_row(f, {Cell{"issued/s", per_s(static_cast<double>(g.issued))},
               Cell{"completed/s", per_s(static_cast<double>(g.completed))},
               Cell{"tok/s", g.output_tokens ? per_s(*g.output_tokens) : "—"}});
  f.blank();
  Line head = f.line();
  head.add("  ").add(fmt::format("{:<50}", g.final ? "latency (ms)" : "latency (ms, successes so far)"),
                     Color::label);
  numeric_header(head, false);
  f.push(head);
  const char* pending = g.final ? nullptr : "none yet";
  loadgen_row(f, "ttft", g.ttft, pending ? pending : "no first-token timings");
  loadgen_row(f, "tpot", g.tpot, pending ? pending : "streaming only, no streamed output tokens to time");
  loadgen_row(f, "e2e", g.e2e, pending ? pending : "no completed samples");
}

// --- event loop lag ---

void lag_row(Frame& f, std::string_view name, const LagLine& line) {
  Line l = f.line();
  l.spaces(2).add(fmt::format("{:<50}", name));
  dist_cells(l, line.dist, Color::plain, heat_color(line.p99_heat, Color::plain),
             heat_color(line.max_heat, Color::plain));
  f.push(l);
}

void loop_lag(Frame& f, const LoopPanel& p, const std::optional<ConnectionCounts>& connections) {
  section(f, "EVENT LOOP LAG  (ms)", false);
  if (!p.has_data) {
    f.push(f.line().add("  (no LOOP_LAG events yet)", Color::muted));
    return;
  }
  Line fleet = f.line();
  fleet.add("  fleet p99 ", Color::rule)
      .add(fmt::format("{:.2f} ms", static_cast<double>(p.fleet_p99_ns) / 1e6));
  fleet.add("   hot workers (p99 ≥ 5 ms)  ", Color::rule);
  fleet.add(fmt::format("{}/{}", p.hot_workers, p.total_workers), heat_color(p.hot_heat, Color::plain));
  if (connections) {
    fleet.add("   tcp conns  ", Color::rule).add(count_text(connections->open));
    fleet.add("  busy ", Color::rule).add(count_text(connections->busy));
    fleet.add(" (connecting ", Color::rule).add(count_text(connections->connecting)).add(")", Color::rule);
    fleet.add("  idle ", Color::rule).add(count_text(connections->idle()));
  }
  f.push(fleet);
  Line head = f.line();
  head.add("  ").add(fmt::format("{:<50}", "worker"), Color::label);
  numeric_header(head, false);
  f.push(head);
  for (const LagLine& l : p.named) lag_row(f, trace::producer_name(l.producer), l);
  for (const LagLine& l : p.workers) lag_row(f, fmt::format("w{}", l.producer), l);
  if (p.workers_not_shown > 0) {
    f.push(f.line().add(fmt::format("  … {} worker(s) with lower max lag not shown", p.workers_not_shown),
                        Color::muted));
  }
}

}  // namespace

std::string_view leaf_name(Leaf leaf) {
  switch (leaf) {
    case Leaf::pickup_ipc:
      return "pickup-ipc";
    case Leaf::encode:
      return "encode";
    case Leaf::tcp_acquire:
      return "tcp-acquire";
    case Leaf::sse_decode:
      return "sse-decode";
    case Leaf::final_decode:
      return "final-decode";
    case Leaf::complete_ipc:
      return "complete-ipc";
    case Leaf::fold:
      return "fold";
  }
  return "?";
}

std::string_view stage_label(StageRow row, bool streaming) {
  switch (row) {
    case StageRow::schedule_lag:
      return "issue -> worker received";
    case StageRow::encode:
      return "worker received -> encoded";
    case StageRow::connection_wait:
      return "encoded -> conn acquired";
    case StageRow::write:
      return "conn acquired -> payload written";
    case StageRow::server_headers:
      return "payload written -> headers recvd";
    case StageRow::response_start:
      return streaming ? "headers recvd -> 1st chunk" : "headers recvd -> response";
    case StageRow::stream:
      return "1st chunk -> last chunk";
    case StageRow::hand_off:
      return streaming ? "last chunk -> queued" : "response -> queued";
    case StageRow::pickup:
      return "queued -> collector pickup";
    case StageRow::fold:
      return "collector pickup -> complete";
  }
  return "?";
}

namespace {

// `line` cut to `columns` display columns; CSI sequences (colour) are copied whole and take no column.
std::string clip_line(std::string_view line, int columns) {
  std::string out;
  int used = 0;
  bool styled = false;
  for (size_t i = 0; i < line.size();) {
    if (line[i] == '\x1b' && i + 1 < line.size() && line[i + 1] == '[') {
      size_t end = i + 2;
      while (end < line.size() && (line[end] < 0x40 || line[end] > 0x7e)) ++end;
      end = std::min(end + 1, line.size());
      out.append(line, i, end - i);
      styled = true;
      i = end;
      continue;
    }
    size_t end = i + 1;  // one glyph: its lead byte and continuation bytes
    while (end < line.size() && (static_cast<unsigned char>(line[end]) & 0xC0) == 0x80) ++end;
    if (used == columns) {
      if (styled) out += "\x1b[39m";
      return out;
    }
    out.append(line, i, end - i);
    ++used;
    i = end;
  }
  return out;
}

}  // namespace

std::string fit_to_screen(std::string_view frame, int columns, int rows) {
  std::vector<std::string_view> lines;
  for (size_t begin = 0; begin < frame.size();) {
    size_t end = frame.find('\n', begin);
    if (end == std::string_view::npos) end = frame.size();
    lines.push_back(frame.substr(begin, end - begin));
    begin = end + 1;
  }
  size_t shown = lines.size();
  std::string hidden_note;
  if (rows > 0 && lines.size() > static_cast<size_t>(rows)) {
    shown = static_cast<size_t>(std::max(0, rows - 1));
    hidden_note = fmt::format("  … {} more lines: enlarge the terminal", lines.size() - shown);
  }
  std::string out;
  for (size_t i = 0; i < shown; ++i) {
    out += columns > 0 ? clip_line(lines[i], columns) : std::string(lines[i]);
    out += '\n';
  }
  if (!hidden_note.empty()) out += (columns > 0 ? clip_line(hidden_note, columns) : hidden_note) + "\n";
  return out;
}

std::string render(const Model& model, const RenderOptions& options) {
  Frame f(options);
  header(f, model.header, model.recent);
  lifecycle(f, model);
  verdict(f, model);
  if (model.loadgen) loadgen(f, *model.loadgen);
  loop_lag(f, model.loop, model.loadgen ? model.loadgen->connections : std::nullopt);
  return f.take();
}

}  // namespace ie::dashboard
