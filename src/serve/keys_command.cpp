// `agentdb keys create | list | revoke`: the API keys of serve, from the command line. This is how
// the first admin key of a new installation is made.
#include <CLI/CLI.hpp>

#include <algorithm>
#include <memory>

#include "core/output.hpp"
#include "db/session.hpp"
#include "db/transaction.hpp"
#include "serve/keys.hpp"
#include "serve/serve_command.hpp"
#include "util/strings.hpp"

namespace agentdb::serve {

namespace {

struct CreateOptions {
  std::string email;
  std::string scopes;
  std::string tier = "standard";
  std::string name = "agentdb keys";
};

struct ListOptions {
  std::string email;
};

struct RevokeOptions {
  std::string prefix;
};

// Keys are admin data: the statements act as agentdb_admin, in one transaction.
template <typename Fn>
auto as_admin(Context& ctx, Fn&& fn) {
  db::Transaction tx(ctx.session());
  (void)ctx.session().exec("SET LOCAL ROLE agentdb_admin");
  auto result = fn(ctx.session());
  tx.commit();
  return result;
}

ExitCode run_create(Context& ctx, const CreateOptions& options) {
  KeyRequest request;
  request.email = options.email;
  request.scopes = util::split(options.scopes, ',');
  request.tier = options.tier;
  request.name = options.name;
  validate(request);
  const auto issued =
      as_admin(ctx, [&](db::Session& session) { return issue_key(session, request); });
  if (ctx.out.json()) {
    auto document = key_json(issued.key);
    document["key"] = issued.raw;
    document["user_created"] = issued.user_created;
    ctx.out.emit(document);
    return ExitCode::ok;
  }
  // The raw key alone on stdout, so that KEY=$(agentdb keys create ...) works.
  ctx.out.print_always(issued.raw + "\n");
  ctx.out.note("key " + issued.key.prefix + " for " + util::printable(issued.key.email) +
               (issued.user_created ? " (new user)" : "") + ", scopes " +
               util::join(issued.key.scopes, ",") + ", tier " + issued.key.tier +
               ": it is shown only this once, store it now");
  return ExitCode::ok;
}

ExitCode run_list(Context& ctx, const ListOptions& options) {
  const auto keys = as_admin(ctx, [&](db::Session& session) {
    return list_keys(session, options.email.empty()
                                  ? std::nullopt
                                  : std::optional<std::string_view>(options.email));
  });
  if (ctx.out.json()) {
    auto items = nlohmann::json::array();
    for (const auto& key : keys)
      items.push_back(key_json(key));
    ctx.out.emit({{"keys", items}});
    return ExitCode::ok;
  }
  if (keys.empty()) {
    ctx.out.print("no API keys");
    return ExitCode::ok;
  }
  Table table({"PREFIX", "USER", "SCOPES", "TIER", "NAME", "CREATED", "LAST USED", "STATE"});
  for (const auto& key : keys)
    table.add_row({key.prefix, key.email, util::join(key.scopes, ","), key.tier, key.name,
                   key.created_at, key.last_used_at.value_or("-"),
                   key.revoked_at ? "revoked " + *key.revoked_at : "live"});
  ctx.out.print(table.render());
  return ExitCode::ok;
}

ExitCode run_revoke(Context& ctx, const RevokeOptions& options) {
  const auto& prefix = options.prefix;
  const bool plain = prefix.size() >= 4 && prefix.size() <= 32 &&
                     std::all_of(prefix.begin(), prefix.end(), [](unsigned char c) {
                       return std::isalnum(c) != 0 || c == '_' || c == '-';
                     });
  if (!plain)
    throw Error(ExitCode::usage, "invalid key prefix '" + excerpt(util::printable(prefix)) + "'",
                "a prefix has 4 to 32 letters, digits, '_' or '-', as agentdb keys list shows");
  const auto key =
      as_admin(ctx, [&](db::Session& session) { return revoke_key(session, options.prefix); });
  if (ctx.out.json())
    ctx.out.emit(key_json(key));
  else
    ctx.out.print("revoked " + key.prefix + " of " + util::printable(key.email) + " at " +
                  key.revoked_at.value_or("?"));
  return ExitCode::ok;
}

}  // namespace

void register_keys_commands(CLI::App& family, std::vector<Command>& commands) {
  family.require_subcommand(1);
  auto create_options = std::make_shared<CreateOptions>();
  auto* create = family.add_subcommand("create", "Issue an API key (the raw key is printed once)");
  create->add_option("--user", create_options->email, "The owner's e-mail (created if missing)")
      ->required();
  create
      ->add_option("--scope", create_options->scopes,
                   "Scopes: read, write, admin (comma-separated)")
      ->required();
  create->add_option("--tier", create_options->tier,
                     "Rate limit tier: free, standard, premium, unlimited (default standard)");
  create->add_option("--name", create_options->name, "What the key is for");
  commands.push_back({create,
                      [create_options](Context& ctx) { return run_create(ctx, *create_options); },
                      Needs::primary});

  auto list_options = std::make_shared<ListOptions>();
  auto* list = family.add_subcommand("list", "List API keys, newest first");
  list->add_option("--user", list_options->email, "Only this user's keys");
  commands.push_back({list, [list_options](Context& ctx) { return run_list(ctx, *list_options); },
                      Needs::session});

  auto revoke_options = std::make_shared<RevokeOptions>();
  auto* revoke =
      family.add_subcommand("revoke", "Revoke an API key by its prefix (refused at once)");
  revoke->add_option("PREFIX", revoke_options->prefix, "The key's prefix, as keys list shows it")
      ->required();
  commands.push_back({revoke,
                      [revoke_options](Context& ctx) { return run_revoke(ctx, *revoke_options); },
                      Needs::primary});
}

}  // namespace agentdb::serve
