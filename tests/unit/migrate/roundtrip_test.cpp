#include "migrate/roundtrip.hpp"
#include "migrate/roundtrip_render.hpp"

#include <gtest/gtest.h>

#include <nlohmann/json.hpp>

namespace agentdb::migrate {

namespace {

ObjectDifference object_of(DifferenceClass difference_class) {
  ObjectDifference object;
  object.type = "TABLE";
  object.schema = "public";
  object.name = "a";
  object.difference_class = difference_class;
  object.diff = "--- before\n+++ after\n@@ -1 +1,2 @@\n     id bigint\n+    note text\n";
  return object;
}

RoundtripFailure differs(long long version, DifferenceClass difference_class) {
  RoundtripFailure failure;
  failure.version = version;
  failure.name = "rev" + std::to_string(version);
  failure.objects.push_back(object_of(difference_class));
  return failure;
}

}  // namespace

TEST(NormaliseDump, DropsPerRunRestrictKeysAndVersionComments) {
  const std::string a =
      "--\n-- Dumped from database version 15.18\n\\restrict abc\nCREATE TABLE t ();\n\\unrestrict "
      "abc\n";
  const std::string b =
      "--\n-- Dumped from database version 15.18\n\\restrict xyz\nCREATE TABLE t ();\n\\unrestrict "
      "xyz\n";
  EXPECT_EQ(normalise_dump(a), normalise_dump(b));
}

TEST(RoundtripFailure, ErrorsAndRealDifferencesFailAndTheRestOnlyWhenStrict) {
  RoundtripFailure errored;
  errored.stage = RoundtripStage::down_failed;
  errored.error = "revision 2 x (down) failed: 2_x.down.sql:1: boom";
  EXPECT_TRUE(errored.fails(Strictness::lenient));
  EXPECT_TRUE(differs(1, DifferenceClass::real).fails(Strictness::lenient));
  for (const auto kind :
       {DifferenceClass::column_order, DifferenceClass::enum_values, DifferenceClass::comment}) {
    EXPECT_FALSE(differs(1, kind).fails(Strictness::lenient)) << to_string(kind);
    EXPECT_TRUE(differs(1, kind).fails(Strictness::strict)) << to_string(kind);
  }
}

TEST(RoundtripError, CountsFailingRevisionsAndNamesTheFirstWithItsFirstChangedLine) {
  RoundtripResult result;
  result.revisions_checked = 4;
  result.failures = {differs(2, DifferenceClass::comment), differs(3, DifferenceClass::real),
                     differs(4, DifferenceClass::real)};
  EXPECT_FALSE(result.ok());
  const auto error = roundtrip_error(result, OutputFormat::text);
  ASSERT_TRUE(error);
  EXPECT_EQ(std::string(error->what()),
            "roundtrip failed: 2 of 4 revisions fail; first: the down of revision 3 rev3 does not "
            "undo its up (TABLE public.a: +    note text)");
  EXPECT_NE(error->hint().find("the diffs above"), std::string::npos);
  EXPECT_NE(roundtrip_error(result, OutputFormat::json)->hint().find("JSON"), std::string::npos);
}

TEST(RoundtripError, NoneWhenOnlyTolerableDifferencesAndNotStrict) {
  RoundtripResult result;
  result.revisions_checked = 1;
  result.failures = {differs(1, DifferenceClass::column_order)};
  EXPECT_TRUE(result.ok());
  EXPECT_FALSE(roundtrip_error(result, OutputFormat::text));
  result.strictness = Strictness::strict;
  ASSERT_TRUE(roundtrip_error(result, OutputFormat::text));
  EXPECT_NE(roundtrip_error(result, OutputFormat::text)->hint().find("without --strict"),
            std::string::npos);
}

TEST(RoundtripJson, CarriesStagesClassesAndDiffsWithVersionsAsStrings) {
  RoundtripResult result;
  result.revisions_checked = 2;
  result.scratch_database = "agentdb_verify_1_2";
  RoundtripFailure whole;
  whole.stage = RoundtripStage::full_reapply;
  whole.objects.push_back(object_of(DifferenceClass::real));
  result.failures = {differs(20240101120000, DifferenceClass::enum_values), whole};
  const auto json = roundtrip_json(result);
  EXPECT_EQ(json["ok"], false);
  EXPECT_EQ(json["revisions"], 2);
  EXPECT_EQ(json["scratch_database"], "agentdb_verify_1_2");
  ASSERT_EQ(json["failures"].size(), 2u);
  EXPECT_EQ(json["failures"][0]["version"], "20240101120000");
  EXPECT_EQ(json["failures"][0]["stage"], "down-differs");
  EXPECT_EQ(json["failures"][0]["fails"], false);
  EXPECT_TRUE(json["failures"][0]["error"].is_null());
  EXPECT_EQ(json["failures"][0]["objects"][0]["class"], "enum-values");
  EXPECT_EQ(json["failures"][0]["objects"][0]["diff"], object_of(DifferenceClass::real).diff);
  EXPECT_TRUE(json["failures"][1]["version"].is_null());
  EXPECT_EQ(json["failures"][1]["stage"], "full-reapply");
  EXPECT_EQ(json["failures"][1]["fails"], true);
}

}  // namespace agentdb::migrate
