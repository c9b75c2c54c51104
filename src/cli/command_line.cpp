#include "cli/command_line.hpp"

#include <CLI/CLI.hpp>
#include <algorithm>
#include <cctype>
#include <limits>

#include "cli/command_table.hpp"
#include "core/error.hpp"
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

const CLI::App* subcommand_named(const CLI::App& level, std::string_view word) {
  for (const auto* sub : level.get_subcommands([](const CLI::App*) { return true; })) {
    if (sub->get_name() == word)
      return sub;
  }
  return nullptr;
}

// The deepest command level the words of argv name, as far as they go.
const CLI::App* level_named(const CLI::App& app, int argc, char** argv) {
  const CLI::App* level = &app;
  for (int i = 1; i < argc; ++i) {
    const std::string_view word = argv[i];
    if (word.starts_with("-")) {
      if (takes_separate_value(*level, word))
        ++i;
      continue;
    }
    const auto* next = subcommand_named(*level, word);
    if (next == nullptr)
      break;
    level = next;
  }
  return level;
}

const CLI::Option* option_named(const CLI::App& level, const std::string& name) {
  for (const CLI::App* app = &level; app != nullptr; app = app->get_parent()) {
    if (const auto* option = app->get_option_no_throw(name))
      return option;
  }
  return nullptr;
}

// "did you mean '--limit'?" for a near miss among the options `level` accepts.
std::string option_hint(const CLI::App& level, std::string_view name) {
  constexpr std::size_t kLongestCompared = 40;
  if (name.starts_with("--") && name.size() <= kLongestCompared) {
    for (const CLI::App* app = &level; app != nullptr; app = app->get_parent()) {
      for (const auto* option : app->get_options()) {
        for (const auto& long_name : option->get_lnames()) {
          if (edit_distance(name, "--" + long_name) <= 2)
            return "did you mean '--" + long_name + "'?";
        }
      }
    }
  }
  const auto path = level.get_parent() == nullptr ? std::string() : command_path(level) + " ";
  return "run 'agentdb " + path + "--help' for the options";
}

bool is_integer_option(const CLI::Option& option) {
  const auto type = option.get_type_name();
  return (type.starts_with("INT") || type.starts_with("UINT")) &&
         option.get_items_expected_max() > 0;
}

struct WholeRange {
  long long minimum = std::numeric_limits<long long>::min();
  unsigned long long maximum = std::numeric_limits<unsigned long long>::max();
};

// The option a CLI11 conversion or validation error names ("Could not convert: --limit = x",
// "--limit: ...").
std::string failed_option_name(std::string_view error) {
  constexpr std::string_view kConversion = "Could not convert: ";
  if (error.starts_with(kConversion)) {
    const auto rest = error.substr(kConversion.size());
    return std::string(rest.substr(0, rest.find(" = ")));
  }
  return std::string(error.substr(0, error.find(": ")));
}

bool converts(CLI::Option& option, const std::string& value) {
  option.clear();
  option.add_result(value);
  try {
    option.run_callback();
    return true;
  } catch (const CLI::ParseError&) {
    return false;
  }
}

// What the option accepts: its whole_number() range, narrowed to what its type holds. CLI11 names
// every integer type INT or UINT, so the width is found by converting the limits of each width
// with the validators switched off; run only after the parse failed, when the option's value
// no longer matters.
std::optional<WholeRange> accepted_range(CLI::Option& option) {
  WholeRange declared;
  for (int i = 0;; ++i) {
    CLI::Validator* validator = nullptr;
    try {
      validator = option.get_validator(i);
    } catch (const CLI::OptionNotFound&) {
      break;
    }
    if (const auto range = whole_number_range(*validator); range && range->second >= 0) {
      declared.minimum = range->first;
      if (range->second < kUnboundedWholeNumber)
        declared.maximum = static_cast<unsigned long long>(range->second);
    }
    validator->active(false);
  }
  const bool is_unsigned = option.get_type_name().starts_with("UINT");
  std::optional<WholeRange> held;
  for (const unsigned bits : {8U, 16U, 32U, 64U}) {
    const auto maximum = is_unsigned
                             ? std::numeric_limits<unsigned long long>::max() >> (64U - bits)
                             : std::numeric_limits<unsigned long long>::max() >> (65U - bits);
    if (!converts(option, std::to_string(maximum)))
      break;
    held = WholeRange{is_unsigned ? 0 : -static_cast<long long>(maximum) - 1, maximum};
  }
  if (!held)
    return std::nullopt;
  return WholeRange{std::max(declared.minimum, held->minimum),
                    std::min(declared.maximum, held->maximum)};
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

// Every integer option, at every level, reads its value as decimal; every option named "--dir" or
// "--<what>-dir" names a folder, so a file there is refused naming the option.
void add_shared_option_checks(CLI::App& app) {
  for (auto* option : app.get_options()) {
    if (is_integer_option(*option)) {
      option->transform(decimal_integer(option->get_type_name().starts_with("UINT")
                                            ? Signedness::is_unsigned
                                            : Signedness::is_signed));
    }
    const auto name = option->get_name();
    if (name.starts_with("--") && name.ends_with("dir") && option->get_items_expected_max() > 0)
      option->check(folder_path());
  }
  for (auto* sub : app.get_subcommands([](const CLI::App*) { return true; }))
    add_shared_option_checks(*sub);
}

// The first option word that no level of the command it is given to accepts.
std::optional<UnknownWord> unknown_option(const CLI::App& app, int argc, char** argv) {
  const CLI::App* level = &app;
  for (int i = 1; i < argc; ++i) {
    const std::string_view word = argv[i];
    if (word == "--")
      break;
    const bool option_word =
        word.starts_with("--") || (word.size() > 1 && word[0] == '-' &&
                                   std::isalpha(static_cast<unsigned char>(word[1])) != 0);
    if (!option_word) {
      if (const auto* next = subcommand_named(*level, word))
        level = next;
      continue;
    }
    const auto name =
        std::string(word.starts_with("--") ? word.substr(0, word.find('=')) : word.substr(0, 2));
    if (option_named(*level, name) == nullptr)
      return UnknownWord{excerpt(name), option_hint(*level, name)};
    if (takes_separate_value(*level, word))
      ++i;
  }
  return std::nullopt;
}

// For a failed integer option: the option, the value and the range it accepts.
std::optional<std::string> integer_option_error(const CLI::App& app, int argc, char** argv,
                                                std::string_view error) {
  const auto name = failed_option_name(error);
  // Probing converts into the option's variable: harmless once the parse has failed.
  auto* option = const_cast<CLI::Option*>(option_named(*level_named(app, argc, argv), name));
  if (option == nullptr || !is_integer_option(*option))
    return std::nullopt;
  const auto given = option->results().empty() ? std::string() : option->results().back();
  const auto range = accepted_range(*option);
  if (!range)
    return std::nullopt;
  const std::size_t sign = given.starts_with('-') || given.starts_with('+') ? 1 : 0;
  const bool decimal =
      given.size() > sign && given.find_first_not_of("0123456789", sign) == std::string::npos;
  return name + ": '" + excerpt(given) +
         (decimal ? "' is out of range" : "' is not a decimal whole number") +
         "; give a whole number from " + std::to_string(range->minimum) + " to " +
         std::to_string(range->maximum);
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
  const CLI::App* level = level_named(app, argc, argv);
  for (const auto& command : commands) {
    if (command.app == level)
      return &command;
  }
  return nullptr;
}

}  // namespace agentdb::cli
