#include "cluster/cluster_command.hpp"

#include <CLI/CLI.hpp>

#include <memory>

#include "cluster/cluster.hpp"
#include "cluster/render.hpp"
#include "cluster/settings.hpp"
#include "core/error.hpp"
#include "util/strings.hpp"
#include "util/time.hpp"

namespace agentdb::cluster {

namespace {

struct StatusOptions {
  std::vector<std::string> patroni_urls;
  std::string timeout = "3s";
  std::string lag_warning = "16MB";
};

// "16MB", "512kB", "1GB" or plain bytes, as PostgreSQL writes sizes.
std::int64_t parse_size(const std::string& text) {
  static constexpr std::pair<const char*, std::int64_t> kUnits[] = {
      {"kB", 1024}, {"MB", 1024 * 1024}, {"GB", 1024 * 1024 * 1024}, {"B", 1}, {"", 1}};
  for (const auto& [unit, factor] : kUnits) {
    if (!text.ends_with(unit))
      continue;
    const auto digits = text.substr(0, text.size() - std::string_view(unit).size());
    if (!digits.empty() && digits.size() <= 12 &&
        digits.find_first_not_of("0123456789") == std::string::npos)
      return std::stoll(digits) * factor;
  }
  throw Error(ExitCode::usage, "invalid --lag-warning '" + util::printable(text) + "'",
              "use a size such as 16MB, 512kB or 1048576");
}

std::vector<std::string> configured_urls(const Context& ctx, const StatusOptions& options) {
  if (!options.patroni_urls.empty())
    return options.patroni_urls;
  std::vector<std::string> urls;
  for (const auto& url : util::split(ctx.config.value(kPatroniUrls), ',')) {
    if (const auto trimmed = util::trim(url); !trimmed.empty())
      urls.emplace_back(trimmed);
  }
  if (urls.empty()) {
    throw Error(ExitCode::usage, "no Patroni REST API given",
                "give --patroni-url http://host:8008 (repeatable), or set AGENTDB_PATRONI_URLS");
  }
  return urls;
}

Outcome run_status(Context& ctx, const StatusOptions& options) {
  StatusRequest request;
  request.patroni_urls = configured_urls(ctx, options);
  const auto timeout = util::parse_duration(options.timeout);
  if (!timeout || timeout->count() < 1)
    throw Error(ExitCode::usage, "invalid --timeout '" + util::printable(options.timeout) + "'",
                "use a duration such as 500ms or 3s");
  request.timeout = *timeout;
  request.lag_warning_bytes = parse_size(options.lag_warning);
  if (const auto* target = ctx.resources->configured_database())
    request.credentials = *target;
  const auto result = cluster_status(request);
  if (ctx.out.json())
    ctx.out.emit(status_json(result));
  else
    ctx.out.print_always(status_text(result, ctx.out));
  return static_cast<PluginStatus>(static_cast<int>(result.level));
}

}  // namespace

void register_commands(CLI::App& family, std::vector<Command>& commands) {
  family.require_subcommand(1);
  auto options = std::make_shared<StatusOptions>();
  auto* status = family.add_subcommand(
      "status",
      "The members as Patroni reports them beside what each PostgreSQL says; exit 0 OK, 1 "
      "WARNING, 2 CRITICAL, 3 UNKNOWN");
  status->add_option("--patroni-url", options->patroni_urls,
                     "A Patroni REST API (http://host:8008); repeatable, one per member is best "
                     "(env AGENTDB_PATRONI_URLS)");
  status->add_option("--timeout", options->timeout, "Per request and per connection (default 3s)");
  status->add_option("--lag-warning", options->lag_warning,
                     "WARNING when a replica is further behind (default 16MB)");
  commands.push_back({status, [options](Context& ctx) { return run_status(ctx, *options); },
                      Needs::database, ExitConvention::plugin_status});
}

}  // namespace agentdb::cluster
