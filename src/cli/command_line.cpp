#include "cli/command_line.hpp"

#include <CLI/CLI.hpp>
#include <algorithm>

#include "cli/command_table.hpp"
#include "core/validators.hpp"
#include "util/strings.hpp"

namespace agentdb::cli {

namespace {

std::size_t edit_distance(std::string_view a, std::string_view b) {
  std::vector<std::size_t> row(b.size() + 1);
  for (std::size_t j = 0; j <= b.size(); ++j)
    row[j] = j;
  for (std::size_t i = 1; i <= a.size(); ++i) {
    std::size_t diagonal = row[0];
    row[0] = i;
    for (std::size_t j = 1; j <= b.size(); ++j) {
      const auto above = row[j];
      row[j] = std::min({row[j] + 1, row[j - 1] + 1, diagonal + (a[i - 1] == b[j - 1] ? 0 : 1)});
      diagonal = above;
    }
  }
  return row[b.size()];
}

// Whether `word` is an option known at `level` (or inherited from above) whose value is the next
// argument.
bool takes_separate_value(const CLI::App& level, std::string_view word) {
  if (word.find('=') != std::string_view::npos)
    return false;
  for (const CLI::App* app = &level; app != nullptr; app = app->get_parent()) {
    if (const auto* option = app->get_option_no_throw(std::string(word)))
      return option->get_items_expected_max() > 0;
  }
  return false;
}

}  // namespace

// The first command word that names no command at its level, with a "did you mean" when close.
std::optional<UnknownWord> unknown_command(const CLI::App& app, int argc, char** argv) {
  const CLI::App* level = &app;
  for (int i = 1; i < argc; ++i) {
    const std::string_view word = argv[i];
    if (word.starts_with("-")) {
      if (takes_separate_value(*level, word))
        ++i;  // "--to 000009": the value is not a command word
      continue;
    }
    const CLI::App* next = nullptr;
    for (const auto* sub : level->get_subcommands([](const CLI::App*) { return true; })) {
      if (sub->get_name() == word)
        next = sub;
    }
    if (next != nullptr) {
      level = next;
      continue;
    }
    const auto subcommands = level->get_subcommands([](const CLI::App*) { return true; });
    if (subcommands.empty())
      break;
    for (const auto* sub : subcommands) {
      if (edit_distance(word, sub->get_name()) <= 2) {
        return UnknownWord{std::string(word), "did you mean '" + sub->get_name() + "'?"};
      }
    }
    return UnknownWord{std::string(word), "run 'agentdb --help' for the list of commands"};
  }
  return std::nullopt;
}

// CLI11 lists only a command's own options; name the inherited ones that apply there too.
void describe_inherited_options(const std::vector<Command>& commands) {
  for (const auto& command : commands) {
    std::vector<std::string> groups;
    for (const auto* level = command.app->get_parent(); level != nullptr;
         level = level->get_parent()) {
      std::vector<std::string> names;
      for (const auto* option : level->get_options()) {
        const auto name = option->get_name();
        if (name != "--help" && name != "--version")
          names.push_back(name);
      }
      if (names.empty())
        continue;
      const auto owner =
          level->get_parent() == nullptr ? std::string("global") : "agentdb " + level->get_name();
      groups.push_back(util::join(names, ", ") + " (" + owner + ")");
    }
    if (!groups.empty()) {
      command.app->footer("Also accepted here: " + util::join(groups, "; ") +
                          ".\nExit codes and settings: agentdb --help.");
    }
  }
}

// Every option that converts to an integer, at every level, reads its value as decimal.
void make_integer_options_decimal(CLI::App& app) {
  for (auto* option : app.get_options()) {
    const auto type = option->get_type_name();
    const bool integer = type.starts_with("INT") || type.starts_with("UINT");
    if (integer && option->get_items_expected_max() > 0)
      option->transform(decimal_integer());
  }
  for (auto* sub : app.get_subcommands([](const CLI::App*) { return true; }))
    make_integer_options_decimal(*sub);
}

const Command* chosen_command(const CLI::App& app, const std::vector<Command>& commands) {
  const CLI::App* level = &app;
  while (true) {
    const auto chosen = level->get_subcommands();
    if (chosen.empty())
      break;
    level = chosen.front();
  }
  for (const auto& command : commands) {
    if (command.app == level)
      return &command;
  }
  return nullptr;
}

// The leaf command the words of argv name, as far as they go (also when parsing failed).
const Command* command_named(const CLI::App& app, const std::vector<Command>& commands, int argc,
                             char** argv) {
  const CLI::App* level = &app;
  for (int i = 1; i < argc; ++i) {
    const std::string_view word = argv[i];
    if (word.starts_with("-")) {
      if (takes_separate_value(*level, word))
        ++i;
      continue;
    }
    const CLI::App* next = nullptr;
    for (const auto* sub : level->get_subcommands([](const CLI::App*) { return true; })) {
      if (sub->get_name() == word)
        next = sub;
    }
    if (next == nullptr)
      break;
    level = next;
  }
  for (const auto& command : commands) {
    if (command.app == level)
      return &command;
  }
  return nullptr;
}

}  // namespace agentdb::cli
