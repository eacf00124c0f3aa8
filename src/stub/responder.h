#pragma once
// HTTP semantics of the stub, apart from the I/O: turns each parsed request into reply bytes on its
// connection (routing, body fields, the three modes), queues replies that must wait, and writes them when
// due. One per worker thread; it never touches a socket.
//
// Ordering invariant: a connection's replies leave in request order. A reply is appended to Connection::out
// only when nothing is queued before it; otherwise it joins Connection::pending and advance() releases it.
//
// Injected faults (stub/fault_plan.h) replace a valid completion request's reply, in every mode, and keep
// that order: a fault that ends the connection sets Connection::closing (and reset_on_close), so later
// pipelined requests are dropped and the worker closes once the earlier replies are out. Faulty replies are
// written at once, without variable mode's pacing; only stall waits, and only for --stall-ms.

#include <array>
#include <atomic>
#include <cstdint>
#include <string>

#include "stub/connection.h"
#include "stub/fault_plan.h"
#include "stub/fault_writer.h"
#include "stub/precompiled_responses.h"
#include "stub/request_fields.h"
#include "stub/response_writer.h"
#include "stub/server.h"
#include "stub/token_model.h"
#include "stub/variable_timing.h"

namespace ie::stub {

class Responder {
 public:
  // thread_index picks this thread's fault sequence (FaultPlan).
  Responder(const ServerOptions& options, uint64_t seed, unsigned thread_index, int64_t created_s);

  // Answers the request that c.parser just completed, which arrived (its last byte) no later than now_ns.
  // Returns the number of replies completed into c.out.
  uint32_t respond(Connection& c, int64_t now_ns);
  // Answers input the parser rejected (400 or 413) and marks the connection closing.
  uint32_t respond_unparsable(Connection& c, RequestParser::Status status);
  // Sends "100 Continue" if the client waits for it and no earlier reply is queued.
  void continue_if_expected(Connection& c);
  // Writes whatever of the queued replies is due by now_ns; returns the number completed into c.out.
  uint32_t advance(Connection& c, int64_t now_ns);
  // When the head of c.pending next has something to write, or Connection::kNoTimer if nothing is queued.
  static int64_t next_due_ns(const Connection& c);
  // True when the head of c.pending is stalled for good: a client that has left will never get the rest.
  static bool is_stalled_forever(const Connection& c);
  // Faults injected so far by this thread; callable from any thread.
  FaultCounts faults_injected() const;

 private:
  // The buffer an immediate reply goes to: c.out, or a new queued entry if earlier replies are waiting.
  std::string& immediate_sink(Connection& c, uint32_t& completed);
  uint32_t respond_completion(Connection& c, Api api, bool close, int64_t now_ns);
  void write_max_throughput(std::string& out, Api api, bool stream, bool close);
  void write_echo(std::string& out, Api api, bool stream, bool close);
  void queue_variable(Connection& c, Api api, bool stream, bool close, int64_t now_ns);
  bool write_due(std::string& out, PendingResponse& p, int64_t now_ns);  // true when p is complete
  bool write_parts(Connection& c, PendingResponse& p, int64_t now_ns);   // true when p is complete
  // The reply this request would get, whole and unpaced, for the faults to damage.
  void write_unpaced(std::string& out, Api api, bool stream, bool close);
  [[gnu::cold]] uint32_t respond_fault(Connection& c, FaultKind kind, Api api, bool stream, bool close);
  // stall and oversized: a reply in parts (PendingResponse); the other kinds: one damaged reply.
  uint32_t queue_fault_parts(Connection& c, FaultKind kind, Api api, bool stream, bool close);
  uint32_t write_damaged_reply(Connection& c, FaultKind kind, Api api, bool stream, bool close);

  const ServerOptions& options_;
  ResponseWriter writer_;
  PrecompiledResponses precompiled_;
  PatternText pattern_;
  RequestFieldReader reader_;
  RequestFields fields_;
  TimingSampler timing_;
  FaultPlan faults_;
  std::string fault_scratch_;
  OversizedReply oversized_;
  // Written by this worker's thread only, read by others: relaxed, as for the worker's counters.
  std::array<std::atomic<uint64_t>, kFaultKindCount> injected_{};
};

}  // namespace ie::stub
