// The entry point of libagentdb-core.so, which src/main.cpp loads for every command.
#include "cli/app.hpp"

extern "C" __attribute__((visibility("default"))) int agentdb_main(int argc, char** argv) {
  return agentdb::cli::run(argc, argv);
}
