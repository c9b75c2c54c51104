// An option that names one of a few choices, parsed by CLI11 into an enum. A value that names
// none is kept instead of being refused by CLI11, so that the command refuses it with its own
// message and hint ("unknown --by 'x'; hint: use user, model or agent") at the point of its checks
// where it always has, and before any server is asked.
#pragma once

#include <CLI/CLI.hpp>

#include <optional>
#include <string>
#include <utility>
#include <vector>

#include "core/error.hpp"

namespace agentdb::cost {

template <typename Enum>
class Choice {
 public:
  using Names = std::vector<std::pair<std::string, Enum>>;

  explicit Choice(Enum fallback) : value_(fallback) {}
  Choice(const Choice&) = delete;  // CLI11 holds a pointer to it
  Choice& operator=(const Choice&) = delete;

  CLI::Option* add_to(CLI::App* app, const std::string& option, Names names, std::string hint,
                      const std::string& description) {
    option_ = option;
    hint_ = std::move(hint);
    return app->add_option_function<std::string>(
        option,
        [this, names = std::move(names)](const std::string& text) {
          for (const auto& [name, value] : names) {
            if (name == text) {
              value_ = value;
              unknown_.reset();
              return;
            }
          }
          unknown_ = text;
        },
        description);
  }

  // The value chosen (or the default); Error(usage) when the option named no choice.
  [[nodiscard]] Enum get() const {
    if (unknown_)
      throw Error(ExitCode::usage, "unknown " + option_ + " '" + *unknown_ + "'", hint_);
    return value_;
  }

 private:
  Enum value_;
  std::optional<std::string> unknown_;
  std::string option_;
  std::string hint_;
};

}  // namespace agentdb::cost
