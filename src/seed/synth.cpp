#include "seed/synth.hpp"

#include <cstdio>

namespace agentdb::seed {

SynthCounts counts_for_scale(long long scale) {
  return SynthCounts{1'000 * scale, 10'000 * scale, 200'000 * scale, 40'000 * scale};
}

namespace {

std::string uuid_text(std::uint64_t high, std::uint64_t low) {
  char text[37];
  std::snprintf(text, sizeof text, "%08x-%04x-%04x-%04x-%012llx", static_cast<unsigned>(high >> 32),
                static_cast<unsigned>((high >> 16) & 0xFFFF), static_cast<unsigned>(high & 0xFFFF),
                static_cast<unsigned>(low >> 48),
                static_cast<unsigned long long>(low & 0xFFFFFFFFFFFFULL));
  return text;
}

constexpr std::uint64_t kVariantBits = 0x8000000000000000ULL;  // RFC 4122/9562 variant 10xx
constexpr std::uint64_t kVariantMask = 0x3FFFFFFFFFFFFFFFULL;

}  // namespace

std::string make_uuid(Random& random) {
  const std::uint64_t high = (random.next() & 0xFFFFFFFFFFFF0FFFULL) | 0x0000000000004000ULL;
  const std::uint64_t low = (random.next() & kVariantMask) | kVariantBits;
  return uuid_text(high, low);
}

std::string make_uuid_v7(Random& random, long long unix_micros) {
  const auto millis = static_cast<std::uint64_t>(unix_micros / 1000) & 0xFFFFFFFFFFFFULL;
  const std::uint64_t bits = random.next();
  const std::uint64_t high = (millis << 16) | 0x7000ULL | (bits & 0x0FFFULL);
  const std::uint64_t low = (random.next() & kVariantMask) | kVariantBits;
  return uuid_text(high, low);
}

void append_timestamp(std::string& out, long long unix_micros) {
  // Days to civil date (Howard Hinnant's algorithm), so formatting needs no locale or tz lookups.
  long long seconds = unix_micros / 1'000'000;
  const long long micros = unix_micros % 1'000'000;
  long long days = seconds / 86'400;
  long long rest = seconds % 86'400;
  days += 719'468;
  const long long era = (days >= 0 ? days : days - 146'096) / 146'097;
  const long long doe = days - era * 146'097;
  const long long yoe = (doe - doe / 1460 + doe / 36'524 - doe / 146'096) / 365;
  long long year = yoe + era * 400;
  const long long doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
  const long long mp = (5 * doy + 2) / 153;
  const long long day = doy - (153 * mp + 2) / 5 + 1;
  const long long month = mp < 10 ? mp + 3 : mp - 9;
  if (month <= 2)
    ++year;
  char text[96];
  std::snprintf(text, sizeof text, "%04lld-%02lld-%02lld %02lld:%02lld:%02lld.%06lld+00", year,
                month, day, rest / 3600, (rest / 60) % 60, rest % 60, micros);
  out += text;
}

std::string cost_usd(long long prompt_tokens, long long completion_tokens,
                     const ModelPrice& price) {
  // tokens x micro-USD per million tokens = 10^-12 USD; numeric(20,10) keeps 10 decimals. Fits
  // in 64 bits for any realistic call (10^8 tokens at $10,000 per million tokens).
  const long long pico =
      prompt_tokens * price.input_micro_usd + completion_tokens * price.output_micro_usd;
  const long long tenths_of_nano = (pico + 50) / 100;
  const long long whole = tenths_of_nano / 10'000'000'000LL;
  const long long fraction = tenths_of_nano % 10'000'000'000LL;
  char text[48];
  std::snprintf(text, sizeof text, "%lld.%010lld", whole, fraction);
  return text;
}

const ModelPrice* price_at(const std::vector<ModelPrice>& prices, const std::string& provider,
                           const std::string& model, long long unix_seconds) {
  const ModelPrice* best = nullptr;
  for (const auto& price : prices) {
    if (price.provider != provider || price.model != model || price.effective_from > unix_seconds)
      continue;
    if (best == nullptr || price.effective_from > best->effective_from)
      best = &price;
  }
  return best;
}

}  // namespace agentdb::seed
