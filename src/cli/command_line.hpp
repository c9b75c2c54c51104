// What the dispatcher reads off the command line besides CLI11's parse: the command the words
// name (also when parsing failed, for its exit convention), unknown words with a "did you mean",
// and the help and conversions every command shares.
#pragma once

#include <optional>
#include <string>
#include <vector>

#include "core/context.hpp"

namespace agentdb::cli {

struct UnknownWord {
  std::string word;
  std::string hint;
};

// The first command word that names no command at its level, with a "did you mean" when close.
[[nodiscard]] std::optional<UnknownWord> unknown_command(const CLI::App& app, int argc,
                                                         char** argv);
// The leaf command the words of argv name, as far as they go (also when parsing failed).
[[nodiscard]] const Command* command_named(const CLI::App& app,
                                           const std::vector<Command>& commands, int argc,
                                           char** argv);
// The leaf CLI11 chose after a successful parse.
[[nodiscard]] const Command* chosen_command(const CLI::App& app,
                                            const std::vector<Command>& commands);
// CLI11 lists only a command's own options; name the inherited ones that apply there too.
void describe_inherited_options(const std::vector<Command>& commands);
// Every option that converts to an integer, at every level, reads its value as decimal.
void make_integer_options_decimal(CLI::App& app);

}  // namespace agentdb::cli
