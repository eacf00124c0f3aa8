// `init TEMPLATE` writes a commented starter config; `validate-yaml -c FILE` checks one exactly as
// `benchmark from-config` would, without running it.

#include <fmt/format.h>
#include <CLI/CLI.hpp>

#include <cerrno>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <memory>

#include "cli/command.h"
#include "common/error.h"
#include "config/enum_names.h"
#include "config/redact.h"
#include "config/templates.h"
#include "config/validate.h"
#include "config/yaml_loader.h"

namespace ie::cli {
namespace {

struct InitFlags {
  std::string name;
  std::string output;
  bool force = false;
};

int write_template(const InitFlags& flags) {
  std::optional<std::string_view> text = config::template_text(flags.name);
  if (!text) fail_input(fmt::format("init: unknown template '{}'", flags.name));
  std::string path = flags.output.empty() ? fmt::format("{}_template.yaml", flags.name) : flags.output;
  if (!flags.force && std::filesystem::exists(path)) {
    fail_input(fmt::format("init: {} already exists; pass --force to overwrite it", path));
  }
  std::ofstream out(path, std::ios::binary | std::ios::trunc);
  out << *text;
  out.close();
  if (!out) fail_setup(fmt::format("init: cannot write {}: {}", path, std::strerror(errno)));
  fmt::print("wrote {}\ncheck it with: inference-endpoint validate-yaml -c {}\n", path, path);
  return 0;
}

std::string describe_load_pattern(const config::LoadPattern& pattern) {
  switch (pattern.type) {
    case config::LoadPatternType::poisson:
      return fmt::format("poisson at {} requests/s", pattern.target_qps);
    case config::LoadPatternType::concurrency:
      return fmt::format("concurrency, {} in flight", pattern.target_concurrency);
    case config::LoadPatternType::max_throughput:
      break;
  }
  return "max_throughput";
}

int validate_file(const std::string& path) {
  config::BenchmarkConfig config = config::load_config_file(path);
  config::resolve_and_validate(config);
  fmt::print("{}: valid\n", path);
  fmt::print("  name          {}\n", config.name);
  fmt::print("  type          {}\n", config::to_string(config.type));
  fmt::print("  model         {}\n", config.model_params.name);
  for (const std::string& url : config.endpoint_config.endpoints) {
    fmt::print("  endpoint      {}\n", config::redact_url(url));
  }
  const config::DatasetConfig& dataset = config.datasets.front();
  fmt::print("  dataset       {} ({})\n", dataset.path, dataset.name);
  fmt::print("  load pattern  {}\n", describe_load_pattern(config.load_pattern));
  return 0;
}

}  // namespace

void add_config_commands(CLI::App& root, Action& action) {
  auto init = std::make_shared<InitFlags>();
  CLI::App* init_command =
      root.add_subcommand("init", "Write a commented starter config to <template>_template.yaml");
  std::vector<std::string> names(config::template_names().begin(), config::template_names().end());
  init_command->add_option("template", init->name, "offline, online (poisson) or concurrency")
      ->required()
      ->check(CLI::IsMember(names));
  init_command->add_option("-o,--output", init->output,
                           "File to write; default <template>_template.yaml in cwd");
  init_command->add_flag("--force", init->force, "Overwrite the file when it exists; default: refuse");
  init_command->callback([init, &action] { action = [init] { return write_template(*init); }; });

  auto path = std::make_shared<std::string>();
  CLI::App* validate =
      root.add_subcommand("validate-yaml", "Check a YAML config as benchmark from-config would");
  validate->add_option("-c,--config", *path, "YAML config file")->required();
  validate->callback([path, &action] { action = [path] { return validate_file(*path); }; });
}

}  // namespace ie::cli
