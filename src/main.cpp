#include "cli/command.h"

int main(int argc, char** argv) {
  return ie::cli::run(argc, argv);
}
