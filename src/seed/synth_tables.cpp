// The users, travel plans, agents, conversations and messages of `seed synth`.
#include "seed/synth_copy.hpp"

namespace agentdb::seed {

namespace {

constexpr std::size_t kChunkBytes = 1 << 20;

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

// One message of a conversation, from its id column to before its timestamp.
void append_message(std::string& l, Random& random, const Conversation& c, long long k) {
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
}

}  // namespace

TableWriter::TableWriter(db::CopyConnection& copy, std::string table,
                         const std::vector<std::string>& columns, long long planned,
                         const SynthProgress& progress)
    : copy_(copy), table_(std::move(table)), planned_(planned), progress_(progress) {
  copy_.begin_copy(table_, columns);
  buffer_.reserve(kChunkBytes + 4096);
}

void TableWriter::end_row() {
  buffer_ += '\n';
  ++rows_;
  if (buffer_.size() >= kChunkBytes)
    flush();
}

long long TableWriter::finish() {
  flush();
  copy_.end_copy();
  return rows_;
}

void TableWriter::flush() {
  if (!buffer_.empty())
    copy_.send(buffer_);
  buffer_.clear();
  if (progress_)
    progress_(table_, rows_, planned_);
}

void append_sentence(std::string& out, Random& random, int words) {
  for (int i = 0; i < words; ++i) {
    if (i > 0)
      out += ' ';
    out += kWords[random.below(kWordCount)];
  }
}

std::vector<std::string> write_users(const SynthSink& to, long long count, const std::string& tag,
                                     SynthWindow window) {
  auto& random = to.random;
  const long long start = window.start;
  std::vector<std::string> users;
  TableWriter w(to.copy, "users", {"id", "email", "name", "roles", "created_at", "updated_at"},
                count, to.progress);
  for (long long i = 0; i < count; ++i) {
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
  to.report.tables.push_back({"users", w.finish()});
  return users;
}

// Three plans per user on average: what "a user's active plans" reads.
void write_travel_plans(const SynthSink& to, const std::vector<std::string>& users,
                        SynthWindow span) {
  auto& random = to.random;
  const long long start = span.start;
  const long long window = span.length;
  const char* const statuses[] = {"draft", "ready", "booked", "completed", "cancelled"};
  const char* const places[] = {"Tokyo", "Lisbon", "Kyoto", "Paris", "Berlin", "Oslo"};
  const long long plans = static_cast<long long>(users.size()) * 3;
  TableWriter w(to.copy, "travel_plans",
                {"id", "user_id", "title", "destination", "start_date", "end_date", "budget",
                 "status", "created_at", "updated_at", "deleted_at"},
                plans, to.progress);
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
  to.report.tables.push_back({"travel_plans", w.finish()});
}

std::vector<Agent> write_agents(const SynthSink& to, const std::string& tag) {
  std::vector<Agent> agents;
  TableWriter w(to.copy, "agents", {"id", "name", "agent_type", "description"}, 6, to.progress);
  for (int i = 0; i < 6; ++i) {
    agents.push_back({make_uuid(to.random), kAgentTypes[i % 3]});
    w.line() += agents.back().id + "\tsynth-" + tag + "-agent-" + std::to_string(i) + "\t" +
                agents.back().type + "\tSynthetic " + agents.back().type + " agent";
    w.end_row();
  }
  to.report.tables.push_back({"agents", w.finish()});
  return agents;
}

std::vector<Conversation> write_conversations(const SynthSink& to, long long count,
                                              const std::vector<std::string>& users,
                                              const std::vector<Agent>& agents, SynthWindow span) {
  auto& random = to.random;
  const long long start = span.start;
  const long long window = span.length;
  std::vector<Conversation> conversations;
  conversations.reserve(static_cast<std::size_t>(count));
  TableWriter w(to.copy, "conversations",
                {"id", "user_id", "agent_id", "title", "created_at", "updated_at"}, count,
                to.progress);
  for (long long i = 0; i < count; ++i) {
    Conversation c{make_uuid(random), static_cast<long long>(random.below(users.size())),
                   start + static_cast<long long>(
                               random.below(static_cast<std::uint64_t>(window - 3600 * kMicros)))};
    auto& l = w.line();
    l += c.id + "\t" + users[static_cast<std::size_t>(c.user)] + "\t" + agents[random.below(6)].id +
         "\t";
    append_sentence(l, random, 4);
    l += '\t';
    append_timestamp(l, c.created);
    l += '\t';
    append_timestamp(l, c.created);
    w.end_row();
    conversations.push_back(std::move(c));
  }
  to.report.tables.push_back({"conversations", w.finish()});
  return conversations;
}

void write_messages(const SynthSink& to, const SynthCounts& counts,
                    const std::vector<Conversation>& conversations) {
  auto& random = to.random;
  TableWriter w(to.copy, "messages",
                {"id", "conversation_id", "role", "content", "message_type", "tool_name",
                 "tool_args", "created_at"},
                counts.messages, to.progress);
  const long long per = counts.conversations > 0 ? counts.messages / counts.conversations : 0;
  const long long extra = counts.conversations > 0 ? counts.messages % counts.conversations : 0;
  for (long long i = 0; i < counts.conversations; ++i) {
    const auto& c = conversations[static_cast<std::size_t>(i)];
    long long at = c.created;
    for (long long k = 0; k < per + (i < extra ? 1 : 0); ++k) {
      at += static_cast<long long>(1 + random.below(90)) * kMicros;
      auto& l = w.line();
      append_message(l, random, c, k);
      append_timestamp(l, at);
      w.end_row();
    }
  }
  to.report.tables.push_back({"messages", w.finish()});
}

}  // namespace agentdb::seed
