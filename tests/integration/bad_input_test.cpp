// Bad input, one table per kind, through the real binary: every case must exit with its documented code
// (common/error.h), print one error line naming the file / line / key / value at fault, and leave no report
// directory behind.

#include <gtest/gtest.h>

#include <unistd.h>

#include <filesystem>
#include <string>
#include <vector>

#include "harness.h"

namespace ie::testing {
namespace {

namespace fs = std::filesystem;

constexpr int kInvalidInput = 2;
constexpr int kSetup = 3;

const std::string kDemoDataset = source_path("data/demo_prompts.jsonl");

// Every expected fragment is in stderr, stderr has exactly one "error:" line, and nothing crashed.
void expect_one_clear_error(const CommandResult& run, int exit_code, const std::vector<std::string>& parts,
                            const std::string& label) {
  EXPECT_EQ(run.exit_code, exit_code) << label << "\n" << run.err;
  for (const std::string& part : parts)
    EXPECT_NE(run.err.find(part), std::string::npos) << label << ": " << part << "\n" << run.err;
  size_t errors = 0;
  for (size_t at = run.err.find("error:"); at != std::string::npos; at = run.err.find("error:", at + 1))
    ++errors;
  EXPECT_EQ(errors, 1u) << label << "\n" << run.err;
  EXPECT_EQ(run.err.find("terminate called"), std::string::npos) << label << "\n" << run.err;
}

// `dir` does not exist, or exists and holds nothing at all.
void expect_nothing_written(const fs::path& dir, const std::string& label) {
  std::error_code ec;
  if (!fs::exists(dir, ec)) return;
  EXPECT_TRUE(fs::is_empty(dir, ec)) << label << ": " << dir << " was left behind";
}

struct DatasetCase {
  const char* label;
  const char* file_name;  // written under the temp dir; "" = use a missing file
  const char* contents;
  int exit_code;
  std::vector<std::string> parts;  // "@" stands for the dataset's path
};

TEST(BadInput, DatasetProblemsNameFileAndLineAndLeaveNoReport) {
  // Blank lines in the middle are skipped, not errors: the 'blank line' row is a broken line 4 after them.
  const std::vector<DatasetCase> cases = {
      {"missing file", "", "", kSetup, {"cannot read dataset file '@'", "No such file or directory"}},
      {"empty file", "empty.jsonl", "", kInvalidInput, {"'@' has no rows (the file is empty)"}},
      {"only blank lines", "blank.jsonl", "\n  \n", kInvalidInput, {"'@' has no rows (only blank lines)"}},
      {"non-JSON line",
       "bad.jsonl",
       "{\"prompt\":\"a\"}\n{\"prompt\": oops}\n",
       kInvalidInput,
       {"@:2: not a JSON object (invalid JSON"}},
      {"blank line then broken line",
       "gap.jsonl",
       "{\"prompt\":\"a\"}\n\n   \n{oops\n",
       kInvalidInput,
       {"@:4: not a JSON object"}},
      {"JSON but not an object",
       "array.jsonl",
       "{\"prompt\":\"a\"}\n[1,2]\n",
       kInvalidInput,
       {"@:2: not a JSON object (found an array)"}},
      {"no usable prompt column",
       "cols.jsonl",
       "{\"body\":\"a\",\"id\":1}\n",
       kInvalidInput,
       {"@:1: no prompt column", "columns present: body, id", "parser.prompt=COLUMN",
        "datasets[].parser.prompt"}},
      {"csv",
       "rows.csv",
       "prompt,id\nhello,1\n",
       kInvalidInput,
       {"'@': csv datasets are not supported; convert it to JSONL"}},
  };
  StubServer stub;
  for (const DatasetCase& c : cases) {
    TempDir dir;
    fs::path path = dir.path() / (*c.file_name != '\0' ? c.file_name : "absent.jsonl");
    if (*c.file_name != '\0') write_text(path, c.contents);
    fs::path report = dir.path() / "report";
    CommandResult run =
        run_binary({"benchmark", "offline", "--endpoints", stub.url(), "--model", "m", "--dataset",
                    path.string(), "--report-dir", report.string(), "--no-progress"});
    std::vector<std::string> parts;
    for (std::string part : c.parts) {
      if (size_t at = part.find('@'); at != std::string::npos) part.replace(at, 1, path.string());
      parts.push_back(part);
    }
    expect_one_clear_error(run, c.exit_code, parts, c.label);
    expect_nothing_written(report, c.label);
  }
}

// A valid online config; each case replaces one line of it.
constexpr const char* kYaml = R"(type: online
model_params:
  name: m
datasets:
  - path: DATASET
settings:
  load_pattern:
    type: poisson
    target_qps: 10
  client:
    num_workers: 2
  runtime:
    min_duration_ms: 1s
endpoint_config:
  endpoints:
    - http://127.0.0.1:8000
report_dir: REPORT
)";

struct ConfigCase {
  const char* label;
  const char* line;                // replaced in kYaml...
  const char* replacement;         // ...by this
  std::vector<std::string> parts;  // "@" stands for the config's path
  std::vector<std::string> flags;  // the same mistake as flags of `benchmark online`; empty = no flag form
  std::vector<std::string> flag_parts;
};

std::string replace_line(std::string text, const std::string& line, const std::string& replacement) {
  size_t at = text.find(line);
  if (at == std::string::npos) throw std::runtime_error("no line '" + line + "' in the config");
  return text.replace(at, line.size(), replacement);
}

TEST(BadInput, ConfigProblemsNameKeyLineAndValueFromYamlAndFlagsAlike) {
  const std::vector<ConfigCase> cases = {
      {"unknown key",
       "    num_workers: 2",
       "    frobnicate: 2",
       {"settings.client.frobnicate at @:11: unknown key (valid here: num_workers"},
       {"--frobnicate", "2"},
       {"unknown option '--frobnicate'"}},
      {"mistyped key",
       "    num_workers: 2",
       "    num_worker: 2",
       {"settings.client.num_worker at @:11: unknown key; did you mean 'num_workers'?"},
       {"--worker", "2"},
       {"unknown option '--worker'; did you mean '--workers'?"}},
      {"wrong type",
       "    target_qps: 10",
       "    target_qps: fast",
       {"settings.load_pattern.target_qps at @:9: expected a number, got 'fast'"},
       {"--target-qps", "fast"},
       {"--target-qps: expected a number, got 'fast'"}},
      {"section of the wrong shape",
       "  client:\n    num_workers: 2",
       "  client: 5",
       {"settings.client at @:10: expected a mapping, got '5'"},
       {},
       {}},
      {"negative QPS",
       "    target_qps: 10",
       "    target_qps: -5",
       {"settings.load_pattern.target_qps must be > 0, got -5 (from @:9)"},
       {"--target-qps", "-5"},
       {"settings.load_pattern.target_qps must be > 0, got -5 (from --target-qps)"}},
      {"zero QPS",
       "    target_qps: 10",
       "    target_qps: 0",
       {"must be > 0, got 0 (from @:9)"},
       {"--target-qps", "0"},
       {"must be > 0, got 0 (from --target-qps)"}},
      {"zero workers",
       "    num_workers: 2",
       "    num_workers: 0",
       {"settings.client.num_workers must be -1 (auto) or > 0, got 0 (from @:11)"},
       {"--workers", "0"},
       {"settings.client.num_workers must be -1 (auto) or > 0, got 0 (from --workers)"}},
      {"concurrency 0",
       "    type: poisson\n    target_qps: 10",
       "    type: concurrency\n    target_concurrency: 0",
       {"settings.load_pattern.target_concurrency must be > 0 for the concurrency pattern, got 0 (from @:9)"},
       {},
       {}},
      {"URL without scheme",
       "    - http://127.0.0.1:8000",
       "    - 127.0.0.1:8000",
       {"endpoint_config.endpoints[0] is not a usable endpoint URL", "missing scheme", "(from @:16)"},
       {},
       {}},
      {"URL with a bad port",
       "    - http://127.0.0.1:8000",
       "    - http://127.0.0.1:99999",
       {"bad port '99999'", "(from @:16)"},
       {},
       {}},
      {"URL with an empty host",
       "    - http://127.0.0.1:8000",
       "    - http://:8000",
       {"missing host", "(from @:16)"},
       {},
       {}},
      {"bad duration",
       "    min_duration_ms: 1s",
       "    min_duration_ms: 10x",
       {"settings.runtime.min_duration_ms at @:13: expected a duration", "got '10x'"},
       {"--duration", "10x"},
       {"--duration: expected a duration", "got '10x'"}},
      {"negative duration",
       "    min_duration_ms: 1s",
       "    min_duration_ms: -5s",
       {"settings.runtime.min_duration_ms at @:13: a duration cannot be negative, got '-5s'"},
       {"--duration", "-5s"},
       {"--duration: a duration cannot be negative, got '-5s'"}},
      {"num-samples 0",
       "    min_duration_ms: 1s",
       "    n_samples_to_issue: 0",
       {"settings.runtime.n_samples_to_issue must be > 0, got 0 (from @:13)"},
       {"--num-samples", "0"},
       {"must be > 0, got 0 (from --num-samples)"}},
  };
  for (const ConfigCase& c : cases) {
    TempDir dir;
    fs::path report = dir.path() / "report";
    fs::path yaml = dir.path() / "run.yaml";
    std::string text = replace_line(kYaml, "DATASET", kDemoDataset);
    text = replace_line(text, "REPORT", report.string());
    write_text(yaml, replace_line(text, c.line, c.replacement));
    std::vector<std::string> parts;
    for (std::string part : c.parts) {
      if (size_t at = part.find('@'); at != std::string::npos) part.replace(at, 1, yaml.string());
      parts.push_back(part);
    }
    for (const char* command : {"benchmark", "validate-yaml"}) {
      std::vector<std::string> args =
          std::string(command) == "benchmark"
              ? std::vector<std::string>{"benchmark", "from-config", "-c", yaml.string()}
              : std::vector<std::string>{"validate-yaml", "-c", yaml.string()};
      expect_one_clear_error(run_binary(args), kInvalidInput, parts, std::string(c.label) + " / " + command);
    }
    expect_nothing_written(report, c.label);
    if (c.flags.empty()) continue;
    std::vector<std::string> args = {
        "benchmark", "online",     "--endpoints",  "http://127.0.0.1:8000", "--model",        "m",
        "--dataset", kDemoDataset, "--report-dir", report.string(),         "--load-pattern", "poisson"};
    if (c.flags.front() != "--target-qps") args.insert(args.end(), {"--target-qps", "10"});
    args.insert(args.end(), c.flags.begin(), c.flags.end());
    expect_one_clear_error(run_binary(args), kInvalidInput, c.flag_parts, std::string(c.label) + " / flags");
    expect_nothing_written(report, c.label);
  }
}

// Restores the working directory a test changed, so the default reports/ dir lands in a temp dir.
class WorkingDirectory {
 public:
  explicit WorkingDirectory(const fs::path& dir) : previous_(fs::current_path()) { fs::current_path(dir); }
  ~WorkingDirectory() { fs::current_path(previous_); }

 private:
  fs::path previous_;
};

TEST(BadInput, UnreachableEndpointFailsProbeAndBenchmarkNamingAddressAndReason) {
  ClosedPort closed;
  const std::string refused = "127.0.0.1:" + std::to_string(closed.port());
  struct EndpointCase {
    std::string label;
    std::string url;
    std::vector<std::string> parts;
  };
  const std::vector<EndpointCase> cases = {
      {"refused",
       "http://" + refused,
       {"cannot connect to endpoint http://" + refused, "Connection refused"}},
      {"unresolvable",
       "http://no-such-host.invalid:8000",
       {"cannot resolve host 'no-such-host.invalid' of endpoint http://no-such-host.invalid:8000"}},
  };
  for (const EndpointCase& c : cases) {
    expect_one_clear_error(run_binary({"probe", "--endpoints", c.url, "--model", "m"}), kSetup, c.parts,
                           c.label + " / probe");
    TempDir dir;
    fs::path report = dir.path() / "report";
    // The drain timeout is long on purpose: failing must not wait for it.
    expect_one_clear_error(
        run_binary({"benchmark", "offline", "--endpoints", c.url, "--model", "m", "--dataset", kDemoDataset,
                    "--report-dir", report.string(), "--no-progress", "--performance-drain-timeout", "1h"}),
        kSetup, c.parts, c.label + " / benchmark");
    EXPECT_FALSE(fs::exists(report)) << c.label << ": the report skeleton was left behind";
    // Without --report-dir the default reports/<name>_<time> must not be left behind either.
    {
      WorkingDirectory cwd(dir.path());
      expect_one_clear_error(run_binary({"benchmark", "offline", "--endpoints", c.url, "--model", "m",
                                         "--dataset", kDemoDataset, "--no-progress"}),
                             kSetup, c.parts, c.label + " / default report dir");
    }
    EXPECT_FALSE(fs::exists(dir.path() / "reports")) << c.label;
  }
}

TEST(BadInput, UnusableReportDirFailsBeforeTheRunAndWritesNothing) {
  StubServer stub;
  TempDir dir;
  fs::path file = dir.path() / "a-file";
  write_text(file, "keep me\n");
  struct ReportCase {
    std::string label;
    fs::path report;
    std::vector<std::string> parts;
  };
  const std::vector<ReportCase> cases = {
      {"report dir is a file",
       file,
       {"cannot use report directory '" + file.string() + "': '" + file.string() + "' is a file"}},
      {"report dir below a file",
       file / "sub",
       {"cannot use report directory '" + (file / "sub").string() + "': '" + file.string() + "' is a file"}},
      // Root may write anywhere a mode bit forbids; /proc refuses everyone.
      {"report dir not writable", "/proc/ie-bad-input-test", {"cannot write /proc/ie-bad-input-test"}},
  };
  for (const ReportCase& c : cases) {
    CommandResult run =
        run_binary({"benchmark", "offline", "--endpoints", stub.url(), "--model", "m", "--dataset",
                    kDemoDataset, "--report-dir", c.report.string(), "--no-progress"});
    expect_one_clear_error(run, kSetup, c.parts, c.label);
    EXPECT_EQ(run.err.find("reachable"), std::string::npos) << c.label << ": the run started\n" << run.err;
    EXPECT_EQ(read_text(file), "keep me\n") << c.label;
    EXPECT_EQ(std::distance(fs::directory_iterator(dir.path()), fs::directory_iterator()), 1) << c.label;
  }
}

}  // namespace
}  // namespace ie::testing
