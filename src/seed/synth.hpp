// Synthetic data at scale for load tests: users, agents, conversations with messages, agent
// executions and their costs, generated deterministically from a seed and written with COPY.
// Pure generation lives here; synth_writer.cpp sends it to the database.
#pragma once

#include <cstdint>
#include <string>
#include <vector>

namespace agentdb::seed {

struct SynthCounts {
  long long users = 0;
  long long conversations = 0;
  long long messages = 0;
  long long executions = 0;
};

// --scale N: N times 1,000 users, 10,000 conversations, 200,000 messages, 40,000 executions.
[[nodiscard]] SynthCounts counts_for_scale(long long scale);

struct ModelPrice {
  std::string provider;
  std::string model;
  long long effective_from = 0;   // Unix seconds
  long long input_micro_usd = 0;  // USD per million tokens, times 10^6
  long long output_micro_usd = 0;
};

// A small, fast, deterministic generator (splitmix64): the same seed gives the same data.
class Random {
 public:
  explicit Random(std::uint64_t seed) : state_(seed) {}
  std::uint64_t next() {
    std::uint64_t z = (state_ += 0x9E3779B97F4A7C15ULL);
    z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9ULL;
    z = (z ^ (z >> 27)) * 0x94D049BB133111EBULL;
    return z ^ (z >> 31);
  }
  // Uniform in [0, bound).
  std::uint64_t below(std::uint64_t bound) { return bound == 0 ? 0 : next() % bound; }

 private:
  std::uint64_t state_;
};

// A version-4 UUID in canonical text form from two random words.
[[nodiscard]] std::string make_uuid(Random& random);

// A version-7 UUID (RFC 9562: Unix milliseconds, then random bits), what the schema's uuid_v7()
// gives rows written at `unix_micros`: time-ordered, so rows written in time order append at the
// right edge of their primary-key index as they do in production.
[[nodiscard]] std::string make_uuid_v7(Random& random, long long unix_micros);

// "2026-11-23 09:15:02.123456+00" for Unix microseconds.
void append_timestamp(std::string& out, long long unix_micros);

// Cost of a call in USD with 10 decimals, exactly: tokens x price per million.
[[nodiscard]] std::string cost_usd(long long prompt_tokens, long long completion_tokens,
                                   const ModelPrice& price);

// The price of `model` in force at `unix_seconds`; null when none had taken effect yet.
[[nodiscard]] const ModelPrice* price_at(const std::vector<ModelPrice>& prices,
                                         const std::string& provider, const std::string& model,
                                         long long unix_seconds);

}  // namespace agentdb::seed
