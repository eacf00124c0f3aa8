// `info`: what a benchmark result depends on, in one screen: build, OS, CPU, memory and the limits that cap
// the connection pool.

#include <sys/utsname.h>
#include <unistd.h>

#include <fmt/core.h>
#include <CLI/CLI.hpp>

#include <fstream>
#include <string>
#include <thread>

#include "cli/command.h"
#include "common/version.h"
#include "net/socket.h"

namespace ie::cli {
namespace {

std::string first_line_with(const char* path, const std::string& prefix) {
  std::ifstream in(path);
  for (std::string line; std::getline(in, line);) {
    if (line.rfind(prefix, 0) == 0) {
      auto colon = line.find(':');
      return colon == std::string::npos ? line : line.substr(line.find_first_not_of(" \t", colon + 1));
    }
  }
  return "unknown";
}

int print_info() {
  utsname name{};
  uname(&name);
  std::string why;
  uint32_t budget = net::connection_budget(1, &why);
  fmt::print("inference-endpoint {}\n", kVersion);
  fmt::print("  compiler      g++ {}.{}, C++{}\n", __GNUC__, __GNUC_MINOR__, __cplusplus / 100 % 100);
  fmt::print("  os            {} {} {}\n", name.sysname, name.release, name.machine);
  fmt::print("  host          {}\n", name.nodename);
  fmt::print("  cpu           {}\n", first_line_with("/proc/cpuinfo", "model name"));
  fmt::print("  logical cores {}\n", std::thread::hardware_concurrency());
  fmt::print("  memory        {}\n", first_line_with("/proc/meminfo", "MemTotal"));
  fmt::print("  connections   up to {} to one endpoint (limited by the {})\n", budget, why);
  return 0;
}

}  // namespace

void add_info_command(CLI::App& root, Action& action) {
  CLI::App* info = root.add_subcommand("info", "Show version, machine and connection limits");
  info->callback([&action] { action = print_info; });
}

}  // namespace ie::cli
