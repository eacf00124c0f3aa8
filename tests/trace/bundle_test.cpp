// BUNDLE records: several events of one request in one record (record.h), built by EventBundler
// (emitter.h) and taken apart by for_each_event.

#include <gtest/gtest.h>

#include <vector>

#include "trace/emitter.h"
#include "trace/record.h"
#include "trace/trace_ring.h"

namespace ie::trace {
namespace {

constexpr int64_t kT = 5'000'000'000;

std::vector<Record> events_of(const Record& record) {
  std::vector<Record> out;
  for_each_event(record, [&](const Record& one) { out.push_back(one); });
  return out;
}

std::vector<Record> drain_all(TraceRing& ring) {
  std::vector<Record> out;
  ring.drain([&](const Record& r) { out.push_back(r); });
  return out;
}

Record bundle(uint64_t id, int64_t ts_ns, uint64_t payload) {
  return Record{ts_ns, id, payload, static_cast<uint16_t>(Event::bundle), 4, 77};
}

void expect_event(const Record& got, Event event, int64_t ts_ns, uint64_t payload = 0) {
  EXPECT_EQ(got.event, static_cast<uint16_t>(event)) << event_name(static_cast<Event>(got.event));
  EXPECT_EQ(got.ts_ns, ts_ns) << event_name(event);
  EXPECT_EQ(got.payload, payload) << event_name(event);
}

TEST(ForEachEvent, APlainRecordIsItsOnlyEvent) {
  Record plain{kT, 9, 1234, static_cast<uint16_t>(Event::sse_parse), 2, 5};
  std::vector<Record> got = events_of(plain);
  ASSERT_EQ(got.size(), 1u);
  expect_event(got[0], Event::sse_parse, kT, 1234);
  EXPECT_EQ(got[0].seq, 5u);
}

TEST(ForEachEvent, ATakeBundleHasIssuedLeadingByTheScheduleLagAndTheRestAtItsInstant) {
  const uint32_t events = event_bit(Event::issued) | event_bit(Event::worker_received) |
                          event_bit(Event::conn_acquired) | event_bit(Event::encoded);
  std::vector<Record> got = events_of(bundle(42, kT, bundle_payload(events, 1'500)));
  ASSERT_EQ(got.size(), 4u);  // ascending event ids
  expect_event(got[0], Event::issued, kT - 1'500);
  expect_event(got[1], Event::worker_received, kT, 1'500);  // its payload is the schedule lag
  expect_event(got[2], Event::conn_acquired, kT);
  expect_event(got[3], Event::encoded, kT);
  for (const Record& r : got) {
    EXPECT_EQ(r.id, 42u);
    EXPECT_EQ(r.producer, 4);
    EXPECT_EQ(r.seq, 77u);
  }
}

TEST(ForEachEvent, ACollectorBundleGivesCompleteItsOutcome) {
  const uint32_t events = event_bit(Event::main_received) | event_bit(Event::complete);
  std::vector<Record> got = events_of(bundle(3, kT, bundle_payload(events, 20'000, 6)));
  ASSERT_EQ(got.size(), 2u);
  expect_event(got[0], Event::main_received, kT - 20'000);
  expect_event(got[1], Event::complete, kT, 6);
}

TEST(ForEachEvent, TheLargestLeadAndOutcomeSurvive) {
  const uint32_t events = event_bit(Event::main_received) | event_bit(Event::complete);
  std::vector<Record> got = events_of(bundle(3, kT, bundle_payload(events, UINT32_MAX, 0xFF)));
  ASSERT_EQ(got.size(), 2u);
  expect_event(got[0], Event::main_received, kT - int64_t{UINT32_MAX});
  expect_event(got[1], Event::complete, kT, 0xFF);
}

TEST(EventBundler, EventsAtOneInstantShareARecordAndALoneEarlierEventLeadsTheNextInstant) {
  TraceRing ring(16);
  Emitter out(&ring, 1);
  EventBundler bundler;
  bundler.start(out, 11,
                event_bit(Event::issued) | event_bit(Event::worker_received) | event_bit(Event::encoded), kT,
                300);
  bundler.add(out, Event::written, kT + 2'000);           // a new instant: the take bundle leaves
  bundler.add(out, Event::response_headers, kT + 9'000);  // WRITTEN, alone, leads this instant's set
  bundler.add(out, Event::response_bytes, kT + 9'000);    // same read: joins RESPONSE_HEADERS
  bundler.add(out, Event::queued, kT + 9'800);            // the set has a lead already: it leaves
  bundler.flush(out);
  bundler.flush(out);  // nothing pending: nothing more

  std::vector<Record> got = drain_all(ring);
  ASSERT_EQ(got.size(), 3u);
  EXPECT_EQ(got[0].event, static_cast<uint16_t>(Event::bundle));
  EXPECT_EQ(got[0].ts_ns, kT);
  EXPECT_EQ(got[0].payload, bundle_payload(event_bit(Event::issued) | event_bit(Event::worker_received) |
                                               event_bit(Event::encoded),
                                           300));
  EXPECT_EQ(got[1].event, static_cast<uint16_t>(Event::bundle));
  EXPECT_EQ(got[1].ts_ns, kT + 9'000);
  EXPECT_EQ(got[1].payload, bundle_payload(event_bit(Event::written) | event_bit(Event::response_headers) |
                                               event_bit(Event::response_bytes),
                                           7'000));
  std::vector<Record> response = events_of(got[1]);
  ASSERT_EQ(response.size(), 3u);
  expect_event(response[0], Event::written, kT + 2'000);
  expect_event(response[1], Event::response_headers, kT + 9'000);
  expect_event(response[2], Event::response_bytes, kT + 9'000);
  expect_event(got[2], Event::queued, kT + 9'800);
  for (const Record& r : got) EXPECT_EQ(r.id, 11u);
}

TEST(EventBundler, AnEventLeadsOnlyWhenItStaysTheSetsLowestAndItsLeadFits) {
  TraceRing ring(32);
  Emitter out(&ring, 1);
  EventBundler bundler;
  const int64_t far = kT + 100 + int64_t{UINT32_MAX} + 1;
  bundler.start(out, 1, event_bit(Event::encoded), kT, 0);
  bundler.add(out, Event::conn_acquired, kT + 100);  // a lower id than ENCODED: it cannot be led by it
  bundler.add(out, Event::written, far);             // 2^32 ns later: too far for a 32-bit lead
  bundler.flush(out);
  std::vector<Record> got = drain_all(ring);
  ASSERT_EQ(got.size(), 3u);
  expect_event(got[0], Event::encoded, kT);
  expect_event(got[1], Event::conn_acquired, kT + 100);
  expect_event(got[2], Event::written, far);
}

TEST(EventBundler, ASetWithALeadRefusesASameInstantEventBelowItsLead) {
  TraceRing ring(16);
  Emitter out(&ring, 1);
  EventBundler bundler;
  bundler.start(out, 3, event_bit(Event::written), kT, 0);
  bundler.add(out, Event::response_headers, kT + 500);  // WRITTEN leads by 500
  bundler.add(out, Event::conn_acquired, kT + 500);     // lower than the lead: its own record
  bundler.flush(out);
  std::vector<Record> got = drain_all(ring);
  ASSERT_EQ(got.size(), 2u);
  std::vector<Record> first = events_of(got[0]);
  ASSERT_EQ(first.size(), 2u);
  expect_event(first[0], Event::written, kT);
  expect_event(first[1], Event::response_headers, kT + 500);
  expect_event(got[1], Event::conn_acquired, kT + 500);
}

TEST(EventBundler, StartingTheNextRequestFlushesThePreviousOneUnderItsOwnId) {
  TraceRing ring(16);
  Emitter out(&ring, 1);
  EventBundler bundler;
  bundler.start(out, 1, event_bit(Event::encoded), kT, 0);
  bundler.start(out, 2, event_bit(Event::encoded), kT + 1, 0);
  bundler.flush(out);
  std::vector<Record> got = drain_all(ring);
  ASSERT_EQ(got.size(), 2u);
  EXPECT_EQ(got[0].id, 1u);
  EXPECT_EQ(got[1].id, 2u);
}

TEST(EventBundler, ALoneEventWithALeadStillNeedsABundleToCarryIt) {
  TraceRing ring(16);
  Emitter out(&ring, 1);
  EventBundler bundler;
  bundler.start(out, 5, event_bit(Event::issued), kT, 40);
  bundler.flush(out);
  std::vector<Record> got = drain_all(ring);
  ASSERT_EQ(got.size(), 1u);
  std::vector<Record> events = events_of(got[0]);
  ASSERT_EQ(events.size(), 1u);
  expect_event(events[0], Event::issued, kT - 40);
}

}  // namespace
}  // namespace ie::trace
