// The agent executions and cost rows of `seed synth`, written in time order in chunks.
#include <algorithm>
#include <queue>

#include "seed/synth_copy.hpp"

namespace agentdb::seed {

namespace {

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

}  // namespace

// Executions happen within an hour of their conversation's start. They are drawn conversation by
// conversation in order of start time and written in time order, as a live system appends them
// ("executions in the last hour" then reads a few adjacent pages, as it would in production): an
// execution is final once the next conversation starts after it, so only the executions of the
// last hour are held at any time.
void write_executions_and_costs(const SynthSink& to, const Population& from, long long executions) {
  auto& random = to.random;
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

  ExecutionChunks out(to.copy, from, random, executions, to.progress);
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
  out.finish(to.report);
}

}  // namespace agentdb::seed
