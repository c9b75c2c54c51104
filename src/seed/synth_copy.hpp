// The parts of `seed synth`'s writer (synth_writer.cpp): what the tables are drawn from, and the
// COPY buffers. Every table is drawn from one Random in a fixed order, so a seed gives the same
// data; a change of that order changes the data.
#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include "db/copy_stream.hpp"
#include "seed/synth.hpp"
#include "seed/synth_writer.hpp"

namespace agentdb::seed {

inline constexpr long long kMicros = 1'000'000;

struct Conversation {
  std::string id;
  long long user = 0;
  long long created = 0;  // Unix microseconds
};

struct Agent {
  std::string id;
  const char* type;
};

// The window the data falls in, in Unix microseconds.
struct SynthWindow {
  long long start = 0;
  long long length = 0;
};

// Where the rows go: the COPY connection, the one generator, progress and the report.
struct SynthSink {
  db::CopyConnection& copy;
  Random& random;
  const SynthProgress& progress;
  SynthReport& report;
};

// Buffers COPY lines and sends them in large chunks.
class TableWriter {
 public:
  TableWriter(db::CopyConnection& copy, std::string table, const std::vector<std::string>& columns,
              long long planned, const SynthProgress& progress);
  std::string& line() { return buffer_; }
  void end_row();
  long long finish();

 private:
  void flush();
  db::CopyConnection& copy_;
  std::string table_;
  long long planned_;
  const SynthProgress& progress_;
  std::string buffer_;
  long long rows_ = 0;
};

// Words drawn at random, separated by spaces.
void append_sentence(std::string& out, Random& random, int words);

// One function per table, in the order they are written (synth_tables.cpp); `tag` is the random
// seed, which keeps the unique names and emails of two runs apart.
[[nodiscard]] std::vector<std::string> write_users(const SynthSink& to, long long users,
                                                   const std::string& tag, SynthWindow window);
void write_travel_plans(const SynthSink& to, const std::vector<std::string>& users,
                        SynthWindow window);
[[nodiscard]] std::vector<Agent> write_agents(const SynthSink& to, const std::string& tag);
[[nodiscard]] std::vector<Conversation> write_conversations(const SynthSink& to,
                                                            long long conversations,
                                                            const std::vector<std::string>& users,
                                                            const std::vector<Agent>& agents,
                                                            SynthWindow window);
void write_messages(const SynthSink& to, const SynthCounts& counts,
                    const std::vector<Conversation>& conversations);

// What executions are drawn from.
struct Population {
  const std::vector<std::string>& users;
  const std::vector<Agent>& agents;
  const std::vector<Conversation>& conversations;
  const std::vector<const ModelPrice*>& models;
  const std::vector<ModelPrice>& prices;
};

// Executions and the cost rows of the completed ones, in time order (synth_executions.cpp).
void write_executions_and_costs(const SynthSink& to, const Population& from, long long executions);

}  // namespace agentdb::seed
