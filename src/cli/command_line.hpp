// What the dispatcher reads off the command line besides CLI11's parse: the command the words
// name (also when parsing failed, for its exit convention), unknown words with a "did you mean",
// and the help and conversions every command shares.
#pragma once

#include <optional>
#include <string>
#include <string_view>
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
// The first option word that no level of the command it is given to accepts, with a "did you
// mean" when close.
[[nodiscard]] std::optional<UnknownWord> unknown_option(const CLI::App& app, int argc, char** argv);
// For a CLI11 conversion or validation `error` of an integer option: "--limit: 'x' is out of
// range; give a whole number from 1 to 2147483647" (its declared range narrowed to its type).
// Changes the option's value: call it only after the parse failed.
[[nodiscard]] std::optional<std::string> integer_option_error(const CLI::App& app, int argc,
                                                              char** argv, std::string_view error);
// CLI11 lists only a command's own options; name the inherited ones that apply there too.
void describe_inherited_options(const std::vector<Command>& commands);
// Every integer option, at every level, reads its value as decimal; every "--dir" or
// "--<what>-dir" option names a folder.
void add_shared_option_checks(CLI::App& app);

}  // namespace agentdb::cli
