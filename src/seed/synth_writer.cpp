#include "seed/synth_writer.hpp"

#include <chrono>

#include "core/error.hpp"
#include "db/copy_stream.hpp"
#include "db/session.hpp"
#include "seed/synth_copy.hpp"

namespace agentdb::seed {

namespace {

std::vector<ModelPrice> load_prices(db::Session& session) {
  std::vector<ModelPrice> prices;
  for (const auto& row : session.exec(
           "SELECT provider, model, extract(epoch FROM effective_from)::bigint, "
           "(input_usd_per_million * 1000000)::bigint, (output_usd_per_million * 1000000)::bigint "
           "FROM model_prices")) {
    prices.push_back(ModelPrice{row[0].as<std::string>(), row[1].as<std::string>(),
                                row[2].as<long long>(), row[3].as<long long>(),
                                row[4].as<long long>()});
  }
  return prices;
}

// Models with a price in force for the whole window.
std::vector<const ModelPrice*> models_for(const std::vector<ModelPrice>& prices, long long start) {
  std::vector<const ModelPrice*> models;
  for (const auto& price : prices) {
    if (price.effective_from > start)
      continue;
    bool seen = false;
    for (const auto* m : models)
      seen |= (m->provider == price.provider && m->model == price.model);
    if (!seen)
      models.push_back(&price);
  }
  if (models.empty()) {
    throw Error(ExitCode::failure,
                "no model price was in force at the start of the synthetic window",
                "run 'agentdb seed reference' first");
  }
  return models;
}

// What the database already holds that the data depends on.
struct Schema {
  std::vector<ModelPrice> prices;
  bool has_partition_function = false;
};

Schema read_schema(const db::ConnectionTarget& target) {
  Schema schema;
  const auto session = db::Session::open(target);
  schema.prices = load_prices(*session);
  schema.has_partition_function =
      session->exec("SELECT to_regproc('ensure_all_monthly_partitions') IS NOT NULL")[0][0]
          .as<bool>();
  return schema;
}

// Monthly partitions for the whole window, when the schema partitions by month.
void ensure_partitions(db::CopyConnection& copy, const SynthSettings& settings, long long start) {
  std::string from;
  append_timestamp(from, start);
  copy.exec("SELECT ensure_all_monthly_partitions(" + std::to_string(settings.days / 28 + 2) +
            ", '" + from + "')");
}

SynthReport generate(const db::ConnectionTarget& target, const SynthSettings& settings,
                     const SynthProgress& progress) {
  const auto started = std::chrono::steady_clock::now();
  const long long end = settings.end_unix * kMicros;
  const long long length = static_cast<long long>(settings.days) * 86'400 * kMicros;
  const SynthWindow window{end - length, length};
  const auto schema = read_schema(target);
  const auto models = models_for(schema.prices, window.start / kMicros);
  const auto& counts = settings.counts;
  Random random(settings.random_seed);
  const std::string tag = std::to_string(settings.random_seed);
  SynthReport report;

  db::CopyConnection copy(target);
  db::CopyTransaction transaction(copy);
  if (schema.has_partition_function)
    ensure_partitions(copy, settings, window.start);
  const SynthSink to{copy, random, progress, report};
  const auto users = write_users(to, counts.users, tag, window);
  write_travel_plans(to, users, window);
  const auto agents = write_agents(to, tag);
  const auto conversations = write_conversations(to, counts.conversations, users, agents, window);
  write_messages(to, counts, conversations);
  write_executions_and_costs(to, {users, agents, conversations, models, schema.prices},
                             counts.executions);
  transaction.commit();
  // A bulk load leaves one rollup delta row per day, model and time bucket; fold them in now so
  // that the first cost report does not read them all (the function exists from the cost_rollup
  // revision on).
  copy.exec(
      "DO $$ BEGIN IF to_regprocedure('cost_daily_compact()') IS NOT NULL THEN"
      " PERFORM cost_daily_compact(); END IF; END $$");
  report.seconds =
      std::chrono::duration<double>(std::chrono::steady_clock::now() - started).count();
  return report;
}

}  // namespace

long long SynthReport::total_rows() const {
  long long total = 0;
  for (const auto& t : tables)
    total += t.rows;
  return total;
}

SynthReport write_synth(const db::ConnectionTarget& target, const SynthSettings& settings,
                        const SynthProgress& progress) {
  try {
    return generate(target, settings, progress);
  } catch (const db::QueryError& e) {
    if (e.sqlstate() == "23505") {
      throw Error(ExitCode::failure,
                  "synthetic data for random seed " + std::to_string(settings.random_seed) +
                      " is already in the database: " + e.what(),
                  "pass another --random-seed; nothing was written");
    }
    throw Error(ExitCode::failure, std::string("writing synthetic data failed: ") + e.what(),
                e.hint().empty() ? "nothing was written" : e.hint());
  }
}

}  // namespace agentdb::seed
