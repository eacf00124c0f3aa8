#include "report/request_log.h"

#include <gtest/gtest.h>

#include <nlohmann/json.hpp>
#include <sstream>
#include <string>
#include <vector>

#include "common/error.h"
#include "report_fixture.h"

namespace ie::report {
namespace {

using nlohmann::json;
using namespace testing;

std::vector<json> parse_lines(const std::string& text) {
  std::vector<json> out;
  std::istringstream in(text);
  for (std::string line; std::getline(in, line);) out.push_back(json::parse(line));
  return out;
}

metrics::RequestRecord streamed_ok() {
  metrics::RequestRecord r;
  r.sequence = 41;
  r.sample_index = 7;
  r.worker_id = 3;
  r.outcome = metrics::Outcome::ok;
  r.http_status = 200;
  r.finish_reason = metrics::FinishReason::stop;
  r.streamed = true;
  r.scheduled_ns = kStartNs + 1000;
  r.issued_ns = kStartNs + 1500;
  r.first_token_ns = kStartNs + 2500;
  r.completed_ns = kStartNs + 9500;
  r.content_chunks = 12;
  r.output_bytes = 48;
  r.prompt_tokens = 30;
  return r;
}

TEST(RequestLog, IsWrittenToAPartialFileAndRenamedOnClose) {
  ScratchDir dir("request_log");
  const auto path = dir.path() / "requests.jsonl";
  RequestLog log(path, kStartNs);
  log.append(streamed_ok());
  metrics::RequestRecord failed;
  failed.outcome = metrics::Outcome::connect_failed;
  failed.scheduled_ns = kStartNs + 10;
  log.append(failed);
  EXPECT_FALSE(std::filesystem::exists(path));
  EXPECT_TRUE(std::filesystem::exists(dir.path() / "requests.jsonl.partial"));
  log.close();
  EXPECT_TRUE(std::filesystem::exists(path));
  EXPECT_FALSE(std::filesystem::exists(dir.path() / "requests.jsonl.partial"));
  EXPECT_EQ(log.lines(), 2u);

  const auto lines = parse_lines(read_file(path));
  ASSERT_EQ(lines.size(), 2u);
  const json& ok = lines[0];
  EXPECT_EQ(ok["seq"], 41);
  EXPECT_EQ(ok["sample_index"], 7);
  EXPECT_EQ(ok["worker"], 3);
  EXPECT_EQ(ok["warmup"], false);
  EXPECT_EQ(ok["outcome"], "ok");
  EXPECT_EQ(ok["http_status"], 200);
  EXPECT_EQ(ok["finish_reason"], "stop");
  EXPECT_EQ(ok["streamed"], true);
  EXPECT_EQ(ok["scheduled_ns"], 1000);
  EXPECT_EQ(ok["issued_ns"], 1500);
  EXPECT_EQ(ok["first_token_ns"], 2500);
  EXPECT_EQ(ok["completed_ns"], 9500);
  EXPECT_EQ(ok["latency_ns"], 8000);
  EXPECT_EQ(ok["ttft_ns"], 1000);
  EXPECT_EQ(ok["content_chunks"], 12);
  EXPECT_EQ(ok["output_bytes"], 48);
  EXPECT_EQ(ok["prompt_tokens"], 30);
  EXPECT_TRUE(ok["completion_tokens"].is_null());

  const json& bad = lines[1];
  EXPECT_EQ(bad["outcome"], "connect_failed");
  EXPECT_EQ(bad["scheduled_ns"], 10);
  EXPECT_TRUE(bad["issued_ns"].is_null());
  EXPECT_TRUE(bad["first_token_ns"].is_null());
  EXPECT_TRUE(bad["latency_ns"].is_null());
  EXPECT_TRUE(bad["ttft_ns"].is_null());
}

TEST(RequestLog, DestructorFinishesTheFileWhenCloseWasNotCalled) {
  ScratchDir dir("request_log_dtor");
  const auto path = dir.path() / "requests.jsonl";
  {
    RequestLog log(path, kStartNs);
    log.append(streamed_ok());
  }
  EXPECT_EQ(parse_lines(read_file(path)).size(), 1u);
}

TEST(RequestLog, ManyRecordsSurviveBufferFlushesAsWholeLines) {
  ScratchDir dir("request_log_many");
  const auto path = dir.path() / "requests.jsonl";
  RequestLog log(path, kStartNs);
  constexpr uint64_t kRecords = 30'000;  // ~10 MB: several 1 MiB flushes
  for (uint64_t i = 0; i < kRecords; ++i) {
    auto r = streamed_ok();
    r.sequence = i;
    log.append(r);
  }
  log.close();
  log.close();  // idempotent
  const auto lines = parse_lines(read_file(path));
  ASSERT_EQ(lines.size(), kRecords);
  EXPECT_EQ(lines.back()["seq"], kRecords - 1);
}

TEST(RequestLog, UnwritableLocationThrowsASetupError) {
  ScratchDir dir("request_log_fail");
  try {
    RequestLog log(dir.path() / "missing" / "requests.jsonl", kStartNs);
    FAIL() << "expected ie::Error";
  } catch (const Error& e) {
    EXPECT_EQ(e.code(), ExitCode::setup);
    EXPECT_NE(std::string(e.what()).find("requests.jsonl.partial"), std::string::npos);
  }
}

}  // namespace
}  // namespace ie::report
