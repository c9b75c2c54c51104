#include "seed/synth_writer.hpp"

#include <algorithm>
#include <chrono>
#include <cstdio>
#include <queue>

#include "core/error.hpp"
#include "db/copy_stream.hpp"
#include "db/session.hpp"

namespace agentdb::seed {

namespace {

constexpr std::size_t kChunkBytes = 1 << 20;
constexpr long long kMicros = 1'000'000;

const char* const kWords[] = {
    "flight",  "hotel",  "budget",  "itinerary", "museum",  "train",   "beach", "weather",
    "booking", "dinner", "tour",    "visa",      "airport", "rental",  "route", "morning",
    "evening", "price",  "option",  "summary",   "tokyo",   "lisbon",  "paris", "kyoto",
    "berlin",  "plan",   "day",     "trip",      "please",  "compare", "find",  "cheapest",
    "quiet",   "family", "weekend", "week",      "nights",  "the",     "a",     "for",
    "with",    "and",    "to",      "in",        "near",    "under",   "after", "before"};
constexpr std::uint64_t kWordCount = sizeof kWords / sizeof kWords[0];
const char* const kTools[] = {"search_flights", "search_hotels", "get_weather", "convert_currency"};
const char* const kAgentTypes[] = {"regular", "sequential", "parallel"};

struct Conversation {
  std::string id;
  long long user = 0;
  long long created = 0;  // Unix microseconds
};

struct Agent {
  std::string id;
  const char* type;
};

// Buffers COPY lines and sends them in large chunks.
class TableWriter {
 public:
  TableWriter(db::CopyConnection& copy, std::string table, const std::vector<std::string>& columns,
              long long planned, const SynthProgress& progress)
      : copy_(copy), table_(std::move(table)), planned_(planned), progress_(progress) {
    copy_.begin_copy(table_, columns);
    buffer_.reserve(kChunkBytes + 4096);
  }
  std::string& line() { return buffer_; }
  void end_row() {
    buffer_ += '\n';
    ++rows_;
    if (buffer_.size() >= kChunkBytes)
      flush();
  }
  long long finish() {
    flush();
    copy_.end_copy();
    return rows_;
  }

 private:
  void flush() {
    if (!buffer_.empty())
      copy_.send(buffer_);
    buffer_.clear();
    if (progress_)
      progress_(table_, rows_, planned_);
  }
  db::CopyConnection& copy_;
  std::string table_;
  long long planned_;
  const SynthProgress& progress_;
  std::string buffer_;
  long long rows_ = 0;
};

void append_sentence(std::string& out, Random& random, int words) {
  for (int i = 0; i < words; ++i) {
    if (i > 0)
      out += ' ';
    out += kWords[random.below(kWordCount)];
  }
}

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

// What executions are drawn from.
struct Population {
  const std::vector<std::string>& users;
  const std::vector<Agent>& agents;
  const std::vector<Conversation>& conversations;
  const std::vector<const ModelPrice*>& models;
  const std::vector<ModelPrice>& prices;
};

// Executions (and the cost rows of the completed ones) go out in chunks of this many: memory stays
// a few tens of MB at any scale, and each chunk is one COPY statement per table, as a live system's
// batches are.
constexpr std::size_t kExecutionsPerChunk = 100'000;

const std::vector<std::string> kExecutionColumns = {"id",
                                                    "conversation_id",
                                                    "user_id",
                                                    "agent_id",
                                                    "agent_type",
                                                    "agent_version",
                                                    "model_provider",
                                                    "model_name",
                                                    "status",
                                                    "error",
                                                    "execution_time_ms",
                                                    "prompt_tokens",
                                                    "completion_tokens",
                                                    "total_tokens",
                                                    "created_at",
                                                    "completed_at"};
const std::vector<std::string> kCostColumns = {"id",
                                               "user_id",
                                               "agent_execution_id",
                                               "model_provider",
                                               "model_name",
                                               "prompt_tokens",
                                               "completion_tokens",
                                               "total_tokens",
                                               "total_cost_usd",
                                               "usage_category",
                                               "created_at"};

struct Execution {
  long long at;        // Unix microseconds
  long long sequence;  // draw order, to break ties in time deterministically
  const Conversation* conversation;
  const Agent* agent;
  const ModelPrice* model;
  long long prompt, completion, ms;
  std::uint64_t roll;
};

struct LaterFirst {
  bool operator()(const Execution& a, const Execution& b) const {
    return a.at != b.at ? a.at > b.at : a.sequence > b.sequence;
  }
};

// Formats executions and their cost rows into two buffers and sends both when a chunk is full.
class ExecutionChunks {
 public:
  ExecutionChunks(db::CopyConnection& copy, const Population& from, Random& random,
                  long long planned, const SynthProgress& progress)
      : copy_(copy), from_(from), random_(random), planned_(planned), progress_(progress) {}

  void add(const Execution& e) {
    const auto& user = from_.users[static_cast<std::size_t>(e.conversation->user)];
    const std::string id = make_uuid_v7(random_, e.at);
    const char* status = e.roll < 90 ? "completed" : e.roll < 96 ? "failed" : "running";
    auto& l = executions_;
    l += id + "\t" + e.conversation->id + "\t" + user + "\t" + e.agent->id + "\t" + e.agent->type +
         "\t1\t" + e.model->provider + "\t" + e.model->model + "\t" + status + "\t";
    l += (e.roll >= 90 && e.roll < 96) ? "model timed out" : "\\N";
    l += "\t" + std::to_string(e.ms) + "\t" + std::to_string(e.prompt) + "\t" +
         std::to_string(e.completion) + "\t" + std::to_string(e.prompt + e.completion) + "\t";
    append_timestamp(l, e.at);
    l += '\t';
    const long long finished = e.at + e.ms * 1000;
    if (e.roll < 96) {
      append_timestamp(l, finished);
    } else {
      l += "\\N";
    }
    l += '\n';
    if (e.roll < 90)
      add_cost(e, id, user, finished);
    if (++chunk_rows_ == kExecutionsPerChunk)
      flush();
  }

  void finish(SynthReport& report) {
    flush();
    if (progress_)
      progress_("cost_tracking", cost_rows_, cost_rows_);
    report.tables.push_back({"agent_executions", execution_rows_});
    report.tables.push_back({"cost_tracking", cost_rows_});
  }

 private:
  void add_cost(const Execution& e, const std::string& execution_id, const std::string& user,
                long long at) {
    const auto* price = price_at(from_.prices, e.model->provider, e.model->model, at / kMicros);
    auto& l = costs_;
    l += make_uuid_v7(random_, at) + "\t" + user + "\t" + execution_id + "\t" + e.model->provider +
         "\t" + e.model->model + "\t" + std::to_string(e.prompt) + "\t" +
         std::to_string(e.completion) + "\t" + std::to_string(e.prompt + e.completion) + "\t" +
         cost_usd(e.prompt, e.completion, *price) + "\tagent_execution\t";
    append_timestamp(l, at);
    l += '\n';
    ++cost_rows_;
  }

  void flush() {
    if (chunk_rows_ == 0)
      return;
    // Executions first: each cost row references its execution.
    send("agent_executions", kExecutionColumns, executions_);
    send("cost_tracking", kCostColumns, costs_);
    execution_rows_ += static_cast<long long>(chunk_rows_);
    chunk_rows_ = 0;
    if (progress_)
      progress_("agent_executions", execution_rows_, planned_);
  }

  void send(const std::string& table, const std::vector<std::string>& columns, std::string& lines) {
    if (lines.empty())
      return;
    copy_.begin_copy(table, columns);
    copy_.send(lines);
    copy_.end_copy();
    lines.clear();
  }

  db::CopyConnection& copy_;
  const Population& from_;
  Random& random_;
  long long planned_;
  const SynthProgress& progress_;
  std::string executions_, costs_;
  std::size_t chunk_rows_ = 0;
  long long execution_rows_ = 0, cost_rows_ = 0;
};

// Executions happen within an hour of their conversation's start. They are drawn conversation by
// conversation in order of start time and written in time order, as a live system appends them
// ("executions in the last hour" then reads a few adjacent pages, as it would in production): an
// execution is final once the next conversation starts after it, so only the executions of the
// last hour are held at any time.
void write_executions_and_costs(db::CopyConnection& copy, const Population& from,
                                long long executions, Random& random, const SynthProgress& progress,
                                SynthReport& report) {
  const auto& conversations = from.conversations;
  std::vector<std::uint32_t> per_conversation(conversations.size());
  for (long long i = 0; i < executions; ++i)
    ++per_conversation[random.below(conversations.size())];
  std::vector<std::uint32_t> by_start(conversations.size());
  for (std::uint32_t i = 0; i < by_start.size(); ++i)
    by_start[i] = i;
  std::stable_sort(by_start.begin(), by_start.end(), [&](std::uint32_t a, std::uint32_t b) {
    return conversations[a].created < conversations[b].created;
  });

  ExecutionChunks out(copy, from, random, executions, progress);
  std::priority_queue<Execution, std::vector<Execution>, LaterFirst> pending;
  long long sequence = 0;
  for (const auto index : by_start) {
    const auto& c = conversations[index];
    while (!pending.empty() && pending.top().at < c.created) {
      out.add(pending.top());
      pending.pop();
    }
    for (std::uint32_t k = 0; k < per_conversation[index]; ++k) {
      const auto& agent = from.agents[random.below(from.agents.size())];
      const auto* model = from.models[random.below(from.models.size())];
      const long long at = c.created + static_cast<long long>(random.below(3600)) * kMicros;
      const long long prompt = 200 + static_cast<long long>(random.below(6000));
      const long long completion = 50 + static_cast<long long>(random.below(1500));
      const long long ms = 300 + static_cast<long long>(random.below(20'000));
      pending.push({at, sequence++, &c, &agent, model, prompt, completion, ms, random.below(100)});
    }
  }
  for (; !pending.empty(); pending.pop())
    out.add(pending.top());
  out.finish(report);
}

}  // namespace

long long SynthReport::total_rows() const {
  long long total = 0;
  for (const auto& t : tables)
    total += t.rows;
  return total;
}

namespace {
SynthReport generate(const db::ConnectionTarget& target, const SynthSettings& settings,
                     const SynthProgress& progress);
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

namespace {

SynthReport generate(const db::ConnectionTarget& target, const SynthSettings& settings,
                     const SynthProgress& progress) {
  const auto started = std::chrono::steady_clock::now();
  const long long end = settings.end_unix * kMicros;
  const long long window = static_cast<long long>(settings.days) * 86'400 * kMicros;
  const long long start = end - window;
  std::vector<ModelPrice> prices;
  bool has_partition_function = false;
  {
    auto session = db::Session::open(target);
    prices = load_prices(*session);
    has_partition_function =
        session->exec("SELECT to_regproc('ensure_all_monthly_partitions') IS NOT NULL")[0][0]
            .as<bool>();
  }
  const auto models = models_for(prices, start / kMicros);
  const auto& counts = settings.counts;
  Random random(settings.random_seed);
  const std::string tag = std::to_string(settings.random_seed);
  SynthReport report;

  db::CopyConnection copy(target);
  copy.exec("BEGIN");
  if (has_partition_function) {
    std::string from;
    append_timestamp(from, start);
    copy.exec("SELECT ensure_all_monthly_partitions(" + std::to_string(settings.days / 28 + 2) +
              ", '" + from + "')");
  }

  std::vector<std::string> users;
  {
    TableWriter w(copy, "users", {"id", "email", "name", "roles", "created_at", "updated_at"},
                  counts.users, progress);
    for (long long i = 0; i < counts.users; ++i) {
      users.push_back(make_uuid(random));
      auto& l = w.line();
      l += users.back();
      l += "\tsynth-" + tag + "-" + std::to_string(i) + "@example.test\tSynthetic user " +
           std::to_string(i);
      l += "\t{user}\t";
      const long long created = start - static_cast<long long>(random.below(30 * 86'400)) * kMicros;
      append_timestamp(l, created);
      l += '\t';
      append_timestamp(l, created);
      w.end_row();
    }
    report.tables.push_back({"users", w.finish()});
  }

  {
    // Three plans per user on average: what "a user's active plans" reads.
    const char* const statuses[] = {"draft", "ready", "booked", "completed", "cancelled"};
    const char* const places[] = {"Tokyo", "Lisbon", "Kyoto", "Paris", "Berlin", "Oslo"};
    const long long plans = counts.users * 3;
    TableWriter w(copy, "travel_plans",
                  {"id", "user_id", "title", "destination", "start_date", "end_date", "budget",
                   "status", "created_at", "updated_at", "deleted_at"},
                  plans, progress);
    for (long long i = 0; i < plans; ++i) {
      const long long created =
          start + static_cast<long long>(random.below(static_cast<std::uint64_t>(window)));
      const char* place = places[random.below(6)];
      auto& l = w.line();
      l += make_uuid(random) + "\t" + users[random.below(users.size())] + "\tTrip to " + place +
           "\t" + place + "\t";
      std::string day;
      append_timestamp(day,
                       created + static_cast<long long>(7 + random.below(60)) * 86'400 * kMicros);
      l += day.substr(0, 10) + "\t";
      day.clear();
      append_timestamp(day,
                       created + static_cast<long long>(70 + random.below(14)) * 86'400 * kMicros);
      l += day.substr(0, 10) + "\t" + std::to_string(500 + random.below(5000)) + ".00\t" +
           statuses[random.below(5)] + "\t";
      append_timestamp(l, created);
      l += '\t';
      append_timestamp(l, created);
      l += '\t';
      if (random.below(10) == 0) {
        append_timestamp(l, created + kMicros);
      } else {
        l += "\\N";
      }
      w.end_row();
    }
    report.tables.push_back({"travel_plans", w.finish()});
  }

  std::vector<Agent> agents;
  {
    TableWriter w(copy, "agents", {"id", "name", "agent_type", "description"}, 6, progress);
    for (int i = 0; i < 6; ++i) {
      agents.push_back({make_uuid(random), kAgentTypes[i % 3]});
      w.line() += agents.back().id + "\tsynth-" + tag + "-agent-" + std::to_string(i) + "\t" +
                  agents.back().type + "\tSynthetic " + agents.back().type + " agent";
      w.end_row();
    }
    report.tables.push_back({"agents", w.finish()});
  }

  std::vector<Conversation> conversations;
  conversations.reserve(static_cast<std::size_t>(counts.conversations));
  {
    TableWriter w(copy, "conversations",
                  {"id", "user_id", "agent_id", "title", "created_at", "updated_at"},
                  counts.conversations, progress);
    for (long long i = 0; i < counts.conversations; ++i) {
      Conversation c{make_uuid(random), static_cast<long long>(random.below(users.size())),
                     start + static_cast<long long>(random.below(
                                 static_cast<std::uint64_t>(window - 3600 * kMicros)))};
      auto& l = w.line();
      l += c.id + "\t" + users[static_cast<std::size_t>(c.user)] + "\t" +
           agents[random.below(6)].id + "\t";
      append_sentence(l, random, 4);
      l += '\t';
      append_timestamp(l, c.created);
      l += '\t';
      append_timestamp(l, c.created);
      w.end_row();
      conversations.push_back(std::move(c));
    }
    report.tables.push_back({"conversations", w.finish()});
  }

  {
    TableWriter w(copy, "messages",
                  {"id", "conversation_id", "role", "content", "message_type", "tool_name",
                   "tool_args", "created_at"},
                  counts.messages, progress);
    const long long per = counts.conversations > 0 ? counts.messages / counts.conversations : 0;
    const long long extra = counts.conversations > 0 ? counts.messages % counts.conversations : 0;
    for (long long i = 0; i < counts.conversations; ++i) {
      const auto& c = conversations[static_cast<std::size_t>(i)];
      long long at = c.created;
      for (long long k = 0; k < per + (i < extra ? 1 : 0); ++k) {
        at += static_cast<long long>(1 + random.below(90)) * kMicros;
        auto& l = w.line();
        l += make_uuid(random) + "\t" + c.id + "\t";
        const auto kind = random.below(20);
        if (kind == 0) {
          const char* tool = kTools[random.below(4)];
          l += std::string("assistant\t\ttool_call\t") + tool + "\t{\"query\": \"";
          append_sentence(l, random, 3);
          l += "\"}\t";
        } else if (kind == 1) {
          l += std::string("tool\t") + "{\"results\": " + std::to_string(random.below(50)) +
               "}\ttool_response\t" + kTools[random.below(4)] + "\t\\N\t";
        } else {
          l += (k % 2 == 0 ? "user\t" : "assistant\t");
          append_sentence(l, random, static_cast<int>(6 + random.below(30)));
          l += "\ttext\t\\N\t\\N\t";
        }
        append_timestamp(l, at);
        w.end_row();
      }
    }
    report.tables.push_back({"messages", w.finish()});
  }

  write_executions_and_costs(copy, {users, agents, conversations, models, prices},
                             counts.executions, random, progress, report);

  copy.exec("COMMIT");
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

}  // namespace agentdb::seed
