#include "cli/app.hpp"

int main(int argc, char** argv) {
  return agentdb::cli::run(argc, argv);
}
