#include "cli/app.hpp"

#include <CLI/CLI.hpp>
#include <algorithm>
#include <cctype>
#include <cstdio>
#include <cstring>
#include <memory>
#include <optional>
#include <stdexcept>
#include <string>
#include <string_view>
#include <vector>

#include "cli/command_line.hpp"
#include "cli/command_table.hpp"
#include "cli/settings.hpp"
#include "core/context.hpp"
#include "core/error.hpp"
#include "core/validators.hpp"
#include "db/connection_target.hpp"
#include "db/primary.hpp"
#include "db/session.hpp"
#include "local/cluster.hpp"
#include "util/strings.hpp"

#ifndef AGENTDB_VERSION
#define AGENTDB_VERSION "0.0.0"
#endif

namespace agentdb::cli {

namespace {

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

// How a failure is shown: one line on stderr ("agentdb: what; hint: what to do") and, for a
// command with the monitoring-plugin status convention, "AGENTDB UNKNOWN - what" on stdout, so
// Nagios shows the reason and not an empty status.
class FailureReport {
 public:
  FailureReport(int argc, char** argv, const Command* command)
      : plugin_(command != nullptr && command->convention == ExitConvention::plugin_status) {
    for (int i = 1; i < argc; ++i) {
      if (std::strlen(argv[i]) > kLongestEcho)
        long_arguments_.emplace_back(argv[i]);
    }
  }

  // Prints the failure; returns the exit status: `code`, or UNKNOWN for a plugin-status command,
  // whose check could not run whatever went wrong.
  int operator()(const std::string& message, const std::string& hint, ExitCode code,
                 const std::vector<std::string>& secrets = {}) const {
    const auto what = shown(message, secrets);
    std::string line = "agentdb: " + what;
    if (!hint.empty())
      line += "; hint: " + shown(hint, secrets);
    line += "\n";
    if (plugin_) {
      const auto status = "AGENTDB UNKNOWN - " + what + "\n";
      std::fputs(status.c_str(), stdout);
      std::fflush(stdout);
    }
    std::fputs(line.c_str(), stderr);
    return plugin_ ? Outcome(PluginStatus::unknown).exit_status() : Outcome(code).exit_status();
  }

 private:
  static constexpr std::size_t kLongestEcho = 80;
  static constexpr std::size_t kLongestLine = 1000;

  // Text from anywhere (CLI11 echoing an argument, a server's error) made one short printable
  // line: passwords and the secrets resolved so far blanked, long arguments and long runs of
  // text cut short, control characters escaped.
  std::string shown(std::string text, const std::vector<std::string>& secrets) const {
    for (const auto& argument : long_arguments_)
      util::replace_all(text, argument, excerpt(db::redact_passwords(argument)));
    text = db::redact_passwords(text);
    for (const auto& secret : secrets)
      util::replace_all(text, secret, "****");
    text = util::printable(util::one_line(text));
    std::string out;
    for (std::size_t at = 0; at <= text.size();) {
      const auto space = std::min(text.find(' ', at), text.size());
      out += excerpt(std::string_view(text).substr(at, space - at));
      if (space < text.size())
        out += ' ';
      at = space + 1;
    }
    return out.size() > kLongestLine ? excerpt(out.substr(0, kLongestLine)) : out;
  }

  bool plugin_;
  std::vector<std::string> long_arguments_;
};

// A usage error in CLI11's words, or better ones: the unknown command or option with a "did you
// mean", an integer's accepted range.
int report_parse_error(const CLI::App& app, const CLI::ParseError& error, int argc, char** argv,
                       const FailureReport& report) {
  if (const auto unknown = unknown_command(app, argc, argv))
    return report("unknown command '" + unknown->word + "'", unknown->hint, ExitCode::usage);
  if (const auto unknown = unknown_option(app, argc, argv))
    return report("unknown option '" + unknown->word + "'", unknown->hint, ExitCode::usage);
  if (const auto why = integer_option_error(app, argc, argv, error.what()))
    return report(*why, "", ExitCode::usage);
  std::string why = error.what();
  // CLI11 capitalises its sentences ("The following argument..."); agentdb's messages do not.
  // Leave option and argument names ("N: ...") as they are.
  if (why.size() > 1 && std::islower(static_cast<unsigned char>(why[1])))
    why[0] = static_cast<char>(std::tolower(static_cast<unsigned char>(why[0])));
  return report(why, "run 'agentdb --help' for usage", ExitCode::usage);
}

// --database-url given on the command line is checked before any command runs: empty (which would
// otherwise mean "the embedded cluster" without a word), another scheme, or malformed.
void check_database_url_flag(const CLI::App& app, const GlobalOptions& options) {
  if (app.get_option("--database-url")->count() == 0)
    return;
  if (util::trim(options.database_url).empty()) {
    throw Error(ExitCode::usage,
                "--database-url is empty; give a postgresql:// URL or leave it out to use the "
                "embedded cluster");
  }
  (void)db::parse_connection_target(options.database_url);
}

// Opens what a command uses, once, on first use, and only what its row declares.
class OpenedOnDemand final : public Resources {
 public:
  OpenedOnDemand(std::optional<std::string> url, std::function<db::ConnectionTarget()> embedded,
                 const Command& command, Output out)
      : url_(std::move(url)),
        embedded_(std::move(embedded)),
        command_(command),
        out_(std::move(out)) {}

  const db::ConnectionTarget& database() override {
    require(Needs::database, "a database");
    if (!target_) {
      target_ = url_ ? db::parse_connection_target(*url_) : embedded_();
    }
    return *target_;
  }

  db::Session& reopen_session() override {
    require(Needs::session, "a session");
    session_.reset();
    return session();
  }

  const db::ConnectionTarget* configured_database() override {
    require(Needs::database, "a database");
    return url_ ? &database() : nullptr;
  }

  db::Session& session() override {
    require(Needs::session, "a session");
    if (!session_)
      session_ = command_.needs == Needs::primary ? open_primary() : db::Session::open(database());
    return *session_;
  }

 private:
  void require(Needs needed, const char* what) const {
    if (command_.needs < needed) {
      throw std::logic_error("'agentdb " + command_path(*command_.app) + "' opened " + what +
                             " that its command-table row does not declare");
    }
  }

  // Among several hosts, which one the change ran on is news (and goes in a failover's records).
  std::unique_ptr<db::Session> open_primary() {
    auto session = db::open_primary(database());
    if (database().host_count > 1)
      out_.note("on the primary " + session->server_address());
    return session;
  }

  std::optional<std::string> url_;
  std::function<db::ConnectionTarget()> embedded_;
  const Command& command_;
  Output out_;
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

// The configured URL, if any; the embedded cluster is only started when a command needs it.
std::function<db::ConnectionTarget()> embedded_cluster(const Context& ctx) {
  return [home = local::configured_home(ctx.config), out = ctx.out]() {
    local::LocalCluster cluster(home);
    return cluster.ensure_running(out);
  };
}

}  // namespace

int run(int argc, char** argv) {
  CLI::App app("agentdb administers the PostgreSQL database of an AI-agent platform.", "agentdb");
  app.fallthrough();  // global and group options are accepted after the subcommand too
  app.require_subcommand(1);
  GlobalOptions options;
  add_global_options(app, options);
  std::vector<Command> commands;
  for (const auto& family : families())
    family.register_commands(
        *app.add_subcommand(std::string(family.name), std::string(family.summary)), commands);
  app.footer(help_footer(commands));  // after the families, so subcommands do not inherit it
  describe_inherited_options(commands);
  add_shared_option_checks(app);

  const FailureReport report(argc, argv, command_named(app, commands, argc, argv));
  try {
    app.parse(argc, argv);
  } catch (const CLI::CallForHelp& e) {
    return app.exit(e);
  } catch (const CLI::CallForAllHelp& e) {
    return app.exit(e);
  } catch (const CLI::CallForVersion& e) {
    return app.exit(e);
  } catch (const CLI::ParseError& e) {
    return report_parse_error(app, e, argc, argv, report);
  }

  Context ctx;
  try {
    check_database_url_flag(app, options);
    ctx = make_context(options);
    const auto* command = chosen_command(app, commands);
    if (command == nullptr)
      return report("no command given", "run 'agentdb --help'", ExitCode::usage);
    OpenedOnDemand opened(ctx.config.find(kDatabaseUrl, options.database_url),
                          embedded_cluster(ctx), *command, ctx.out);
    ctx.resources = &opened;
    return command->action(ctx).exit_status();
  } catch (const Error& e) {
    return report(e.what(), e.hint(), e.code(), ctx.config.secrets());
  } catch (const std::exception& e) {
    return report(std::string("unexpected error: ") + e.what(),
                  "please report this with the command you ran", ExitCode::failure,
                  ctx.config.secrets());
  }
}

}  // namespace agentdb::cli
