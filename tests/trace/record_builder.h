#pragma once
// Test helper: builds trace records the way producers stamp them (seq counts per producer from 0).

#include <cstdint>
#include <map>

#include "trace/record.h"

namespace ie::trace::testing {

class RecordBuilder {
 public:
  Record make(Event event, uint16_t producer, int64_t ts_ns, uint64_t id = 0, uint64_t payload = 0) {
    Record r;
    r.ts_ns = ts_ns;
    r.id = id;
    r.payload = payload;
    r.event = static_cast<uint16_t>(event);
    r.producer = producer;
    r.seq = next_seq_[producer]++;
    return r;
  }
  // Records `lost` of `producer`'s records as never delivered: the next one shows the seq gap.
  void skip(uint16_t producer, uint32_t lost) { next_seq_[producer] += lost; }

 private:
  std::map<uint16_t, uint32_t> next_seq_;
};

}  // namespace ie::trace::testing
