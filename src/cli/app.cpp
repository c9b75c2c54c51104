#include "cli/app.hpp"

#include <CLI/CLI.hpp>
#include <cstdio>
#include <cstring>
#include <memory>
#include <optional>
#include <stdexcept>
#include <string>

#include "backup/backup_command.hpp"
#include "backup/settings.hpp"
#include "core/context.hpp"
#include "core/validators.hpp"
#include "cost/cost_command.hpp"
#include "db/connection_target.hpp"
#include "db/session.hpp"
#include "health/health_command.hpp"
#include "health/settings.hpp"
#include "local/cluster.hpp"
#include "local/local_command.hpp"
#include "local/settings.hpp"
#include "migrate/migrate_command.hpp"
#include "migrate/settings.hpp"
#include "qdrant/qdrant_command.hpp"
#include "qdrant/settings.hpp"
#include "seed/seed_command.hpp"
#include "seed/settings.hpp"
#include "util/strings.hpp"

#ifndef AGENTDB_VERSION
#define AGENTDB_VERSION "0.0.0"
#endif

namespace agentdb::cli {

namespace {

constexpr Setting kDatabaseUrl{.key = "database_url",
                               .env = "DATABASE_URL",
                               .fallback = "",
                               .doc = "PostgreSQL URL; default: the embedded cluster",
                               .secrecy = Secrecy::plain};
constexpr const Setting* kGlobalSettings[] = {&kDatabaseUrl};

// The command table, in the order `agentdb --help` lists the families. Each family's register
// function adds its leaves, each with what it needs opened and its exit convention.
constexpr Family kFamilies[] = {
    {"migrate", "Apply, revert and check schema revisions", migrate::register_commands,
     migrate::kSettings},
    {"seed", "Load reference and demo data from seeds/ (idempotent; default set: reference)",
     seed::register_commands, seed::kSettings},
    {"backup", "Backups with pg_dump: catalogue, checksums, verification by restore, retention",
     backup::register_commands, backup::kSettings},
    {"qdrant", "Declare Qdrant collections in a file; plan and apply them like migrations",
     qdrant::register_commands, qdrant::kSettings},
    {"health",
     "Check the database (and Qdrant, Redis) with monitoring-plugin exit codes: 0 OK, 1 WARNING, 2 "
     "CRITICAL, 3 UNKNOWN",
     health::register_health_command, health::kSettings},
    {"pool",
     "See who uses the connections, and measure a connection pool under load",
     health::register_pool_commands,
     {}},
    {"cost", "LLM cost analytics: where did the money go?", cost::register_commands, {}},
    {"local", "Manage the embedded PostgreSQL cluster used when no database URL is set",
     local::register_commands, local::kSettings},
};

constexpr const char* kExitCodes =
    "Exit codes:\n"
    "  0  success\n"
    "  1  the operation failed\n"
    "  2  usage or configuration error\n"
    "  3  cannot connect (server down, refused, bad credentials)\n"
    "  4  state conflict that needs a human (drift, failed or dirty migration, lock not acquired\n"
    "     in time, applied revision missing on disk)\n";

std::vector<const Setting*> declared_settings() {
  std::vector<const Setting*> all(std::begin(kGlobalSettings), std::end(kGlobalSettings));
  for (const auto& family : kFamilies)
    all.insert(all.end(), family.settings.begin(), family.settings.end());
  return all;
}

std::string command_path(const CLI::App& app) {
  std::string path = app.get_name();
  for (const auto* level = app.get_parent(); level != nullptr && level->get_parent() != nullptr;
       level = level->get_parent())
    path = level->get_name() + " " + path;
  return path;
}

// The footer of `agentdb --help`, from the command table and the declared settings.
std::string help_footer(const std::vector<Command>& commands) {
  std::string footer = kExitCodes;
  std::vector<std::string> plugin;
  for (const auto& command : commands) {
    if (command.convention == ExitConvention::plugin_status)
      plugin.push_back(command_path(*command.app) + " (a usage error is 3)");
    else if (command.convention == ExitConvention::plugin_result)
      plugin.push_back(command_path(*command.app) + " (a usage error is 2)");
  }
  footer += "\nMonitoring-plugin exit codes (0 OK, 1 WARNING, 2 CRITICAL, 3 UNKNOWN): " +
            util::join(plugin, ", ") + ".\n\n";
  footer += "Settings (flag > environment > agentdb.toml > default):\n";
  for (const auto* setting : declared_settings()) {
    std::string line = "  " + (setting->key.empty() ? "-" : std::string(setting->key));
    line.resize(std::max<std::size_t>(line.size() + 1, 24), ' ');
    line += setting->env != nullptr ? setting->env : "-";
    line.resize(std::max<std::size_t>(line.size() + 1, 50), ' ');
    line += setting->doc;
    if (!setting->fallback.empty())
      line += " (default " + std::string(setting->fallback) + ")";
    footer += line + "\n";
  }
  footer +=
      "\nWithout --database-url or DATABASE_URL, agentdb uses its own PostgreSQL cluster in "
      "./.agentdb\n"
      "(AGENTDB_HOME), created on first use. See agentdb(1) for details.";
  return footer;
}

struct GlobalOptions {
  std::string database_url;
  std::string config_file;
  bool json = false;
  bool quiet = false;
  int verbosity = 0;
  bool no_color = false;
};

void add_global_options(CLI::App& app, GlobalOptions& options) {
  app.add_option("--database-url", options.database_url,
                 "PostgreSQL URL (env DATABASE_URL); default: the local cluster in ./.agentdb");
  app.add_option("--config", options.config_file,
                 "Config file (default ./agentdb.toml when present)");
  app.add_flag("--json", options.json, "Print one JSON document on stdout");
  app.add_flag("-q,--quiet", options.quiet, "Print only errors");
  app.add_flag("-v,--verbose", options.verbosity, "Print more detail on stderr");
  app.add_flag("--no-color", options.no_color, "Never colour output (also NO_COLOR)");
  app.set_version_flag("--version", std::string("agentdb ") + AGENTDB_VERSION);
}

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

struct UnknownWord {
  std::string word;
  std::string hint;
};

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

// The one error line; secrets resolved so far are blanked, as are passwords in URLs.
int report(const std::string& message, const std::string& hint, Outcome outcome,
           const std::vector<std::string>& secrets = {}) {
  std::string line = "agentdb: " + util::one_line(message);
  if (!hint.empty())
    line += "; hint: " + util::one_line(hint);
  line = db::redact_passwords(line);
  for (const auto& secret : secrets)
    util::replace_all(line, secret, "****");
  line += "\n";
  std::fputs(line.c_str(), stderr);
  return outcome.exit_status();
}

// What a usage error of `command` exits with, in its convention.
Outcome usage_outcome(const Command* command) {
  if (command != nullptr && command->convention == ExitConvention::plugin_status)
    return PluginStatus::unknown;
  return ExitCode::usage;
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

// Opens what a command uses, once, on first use, and only what its row declares.
class OpenedOnDemand final : public Resources {
 public:
  OpenedOnDemand(std::function<db::ConnectionTarget()> resolve, const Command& command)
      : resolve_(std::move(resolve)), command_(command) {}

  const db::ConnectionTarget& database() override {
    require(Needs::database, "a database");
    if (!target_)
      target_ = resolve_();
    return *target_;
  }

  db::Session& session() override {
    require(Needs::session, "a session");
    if (!session_)
      session_ = db::Session::open(database());
    return *session_;
  }

 private:
  void require(Needs needed, const char* what) const {
    if (command_.needs < needed) {
      throw std::logic_error("'agentdb " + command_path(*command_.app) + "' opened " + what +
                             " that its command-table row does not declare");
    }
  }

  std::function<db::ConnectionTarget()> resolve_;
  const Command& command_;
  std::optional<db::ConnectionTarget> target_;
  std::unique_ptr<db::Session> session_;
};

Context make_context(const GlobalOptions& options) {
  Context ctx;
  ctx.out =
      Output(OutputSettings{options.json ? OutputFormat::json : OutputFormat::text, options.quiet,
                            options.verbosity, !options.no_color && colour_by_default()});
  ctx.config = Config::load(options.config_file.empty()
                                ? std::nullopt
                                : std::optional<std::filesystem::path>(options.config_file),
                            declared_settings());
  return ctx;
}

// The embedded cluster unless a URL is configured; run only when a command needs a database.
std::function<db::ConnectionTarget()> database_resolver(const Context& ctx,
                                                        const GlobalOptions& options) {
  return [url = ctx.config.find(kDatabaseUrl, options.database_url),
          home = local::configured_home(ctx), out = ctx.out]() {
    if (url)
      return db::parse_connection_target(*url);
    local::LocalCluster cluster(home);
    return cluster.ensure_running(out);
  };
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

}  // namespace

int run(int argc, char** argv) {
  CLI::App app("agentdb administers the PostgreSQL database of an AI-agent platform.", "agentdb");
  app.fallthrough();  // global and group options are accepted after the subcommand too
  app.require_subcommand(1);
  GlobalOptions options;
  add_global_options(app, options);
  std::vector<Command> commands;
  for (const auto& family : kFamilies)
    family.register_commands(
        *app.add_subcommand(std::string(family.name), std::string(family.summary)), commands);
  app.footer(help_footer(commands));  // after the families, so subcommands do not inherit it
  describe_inherited_options(commands);
  make_integer_options_decimal(app);

  const auto usage_code = usage_outcome(command_named(app, commands, argc, argv));
  try {
    app.parse(argc, argv);
  } catch (const CLI::CallForHelp& e) {
    return app.exit(e);
  } catch (const CLI::CallForAllHelp& e) {
    return app.exit(e);
  } catch (const CLI::CallForVersion& e) {
    return app.exit(e);
  } catch (const CLI::ParseError& e) {
    if (const auto unknown = unknown_command(app, argc, argv)) {
      return report("unknown command '" + unknown->word + "'", unknown->hint, usage_code);
    }
    std::string why = e.what();
    // CLI11 capitalises its sentences ("The following argument..."); agentdb's messages do not.
    // Leave option and argument names ("N: ...") as they are.
    if (why.size() > 1 && std::islower(static_cast<unsigned char>(why[1]))) {
      why[0] = static_cast<char>(std::tolower(static_cast<unsigned char>(why[0])));
    }
    return report(why, "run 'agentdb --help' for usage", usage_code);
  }

  Context ctx;
  try {
    ctx = make_context(options);
    const auto* command = chosen_command(app, commands);
    if (command == nullptr)
      return report("no command given", "run 'agentdb --help'", ExitCode::usage);
    OpenedOnDemand opened(database_resolver(ctx, options), *command);
    ctx.resources = &opened;
    return command->action(ctx).exit_status();
  } catch (const Error& e) {
    return report(e.what(), e.hint(), e.code() == ExitCode::usage ? usage_code : e.code(),
                  ctx.config.secrets());
  } catch (const std::exception& e) {
    return report(std::string("unexpected error: ") + e.what(),
                  "please report this with the command you ran", ExitCode::failure,
                  ctx.config.secrets());
  }
}

}  // namespace agentdb::cli
