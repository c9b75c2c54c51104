// db::Rows: what a query returns, as agentdb's own types, converted as PostgreSQL prints values.
#include <gtest/gtest.h>

#include <cmath>

#include "core/error.hpp"
#include "db/rows.hpp"

namespace agentdb::db {
namespace {

Rows sample() {
  return Rows({"id", "name", "active", "ratio"},
              {"1", "alpha", "t", "0.5",  //
               "2", std::nullopt, "f", "NaN"},
              0);
}

TEST(Rows, ValuesConvertAsPostgresqlPrintsThem) {
  const auto rows = sample();
  ASSERT_EQ(rows.size(), 2u);
  EXPECT_EQ(rows.columns(), 4u);
  EXPECT_EQ(rows.column_name(1), "name");
  EXPECT_EQ(rows[0]["id"].as<long long>(), 1);
  EXPECT_EQ(rows[0][1].as<std::string>(), "alpha");
  EXPECT_TRUE(rows[0]["active"].as<bool>());
  EXPECT_FALSE(rows[1]["active"].as<bool>());
  EXPECT_DOUBLE_EQ(rows[0]["ratio"].as<double>(), 0.5);
  EXPECT_TRUE(std::isnan(rows[1]["ratio"].as<double>()));
}

TEST(Rows, NullIsAValueOfItsOwnAndNeverAnEmptyStringByAccident) {
  const auto rows = sample();
  const auto name = rows[1]["name"];
  EXPECT_TRUE(name.is_null());
  EXPECT_STREQ(name.c_str(), "");
  EXPECT_EQ(name.as<std::string>("none"), "none");
  EXPECT_FALSE(name.get<std::string>().has_value());
  EXPECT_THROW((void)name.as<std::string>(), Error);
}

TEST(Rows, TextThatIsNotTheTypeAskedForIsAnErrorNamingTheColumn) {
  const auto rows = sample();
  try {
    (void)rows[0]["name"].as<int>();
    FAIL() << "no error";
  } catch (const Error& e) {
    EXPECT_NE(std::string(e.what()).find("column 'name'"), std::string::npos) << e.what();
  }
  EXPECT_THROW((void)rows[0]["name"].as<bool>(), Error);
  EXPECT_THROW((void)rows[0]["ratio"].as<long long>(), Error);
  EXPECT_THROW((void)rows[0]["missing"], Error);
  EXPECT_THROW((void)rows.at(2), Error);
}

TEST(Rows, ARowOutlivesTheResultItCameFrom) {
  const auto row = sample()[0];  // the Rows is a temporary
  EXPECT_EQ(row["name"].as<std::string>(), "alpha");
  std::size_t seen = 0;
  for (const auto& each : sample())
    seen += each.size();
  EXPECT_EQ(seen, 8u);
}

}  // namespace
}  // namespace agentdb::db
