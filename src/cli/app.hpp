// The command line: global options, the table of command families, and the one place where errors
// become a message on stderr and an exit code.
#pragma once

namespace agentdb::cli {

[[nodiscard]] int run(int argc, char** argv);

}  // namespace agentdb::cli
