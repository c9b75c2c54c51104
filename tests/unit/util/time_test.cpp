#include "util/time.hpp"

#include <gtest/gtest.h>

namespace agentdb::util {

using std::chrono::milliseconds;

TEST(ParseDuration, AcceptsUnitsAndBareSeconds) {
  EXPECT_EQ(parse_duration("250ms"), milliseconds(250));
  EXPECT_EQ(parse_duration("60"), milliseconds(60'000));
  EXPECT_EQ(parse_duration("60s"), milliseconds(60'000));
  EXPECT_EQ(parse_duration("5m"), milliseconds(300'000));
  EXPECT_EQ(parse_duration("2h"), milliseconds(7'200'000));
}

TEST(ParseDuration, RejectsGarbage) {
  EXPECT_FALSE(parse_duration(""));
  EXPECT_FALSE(parse_duration("-1s"));
  EXPECT_FALSE(parse_duration("5 parsecs"));
  EXPECT_FALSE(parse_duration("s"));
}

TEST(CompactUtc, FormatsAsFourteenDigits) {
  EXPECT_EQ(compact_utc(std::chrono::system_clock::time_point(std::chrono::seconds(0))),
            "19700101000000");
}

}  // namespace agentdb::util
