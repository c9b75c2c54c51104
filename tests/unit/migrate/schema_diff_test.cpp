#include "migrate/schema_diff.hpp"

#include <gtest/gtest.h>

namespace agentdb::migrate {

namespace {

// The shape of `pg_dump --schema-only` from PostgreSQL 15, trimmed.
const std::string kPreamble =
    "--\n-- PostgreSQL database dump\n--\n\n"
    "SET statement_timeout = 0;\n"
    "SELECT pg_catalog.set_config('search_path', '', false);\n\n";
const std::string kTrailer = "--\n-- PostgreSQL database dump complete\n--\n\n";

std::string header(const std::string& name, const std::string& type) {
  return "--\n-- Name: " + name + "; Type: " + type + "; Schema: public; Owner: app\n--\n\n";
}

std::string table_a(const std::string& columns) {
  return header("a", "TABLE") + "CREATE TABLE public.a (\n" + columns +
         "\n);\n\n\nALTER TABLE public.a OWNER TO app;\n\n";
}

std::string mood(const std::string& labels) {
  return header("mood", "TYPE") + "CREATE TYPE public.mood AS ENUM (\n" + labels +
         "\n);\n\n\nALTER TYPE public.mood OWNER TO app;\n\n";
}

const std::string kTwoColumns = "    id bigint NOT NULL,\n    note text";

}  // namespace

TEST(SplitDumpObjects, KeysEachObjectByItsHeaderAndLeavesOutSettingsAndComments) {
  const auto dump = kPreamble + mood("    'sad'") +
                    "SET default_tablespace = '';\n\nSET default_table_access_method = heap;\n\n" +
                    table_a(kTwoColumns) + header("a a_pkey", "CONSTRAINT") +
                    "ALTER TABLE ONLY public.a\n    ADD CONSTRAINT a_pkey PRIMARY KEY (id);\n\n\n" +
                    "--\n-- Name: SCHEMA public; Type: ACL; Schema: -; Owner: pg_database_owner\n"
                    "--\n\nGRANT ALL ON SCHEMA public TO app;\n\n\n" +
                    kTrailer;
  const auto objects = split_dump_objects(dump);
  ASSERT_EQ(objects.size(), 4u);
  EXPECT_EQ(objects[0].type, "TYPE");
  EXPECT_EQ(objects[0].name, "mood");
  EXPECT_EQ(objects[0].text,
            "CREATE TYPE public.mood AS ENUM (\n    'sad'\n);\n\nALTER TYPE public.mood OWNER TO "
            "app;\n");
  EXPECT_EQ(objects[1].type, "TABLE");
  EXPECT_EQ(objects[1].schema, "public");
  EXPECT_TRUE(objects[1].text.starts_with("CREATE TABLE public.a (\n    id bigint NOT NULL,\n"));
  EXPECT_EQ(objects[2].name, "a a_pkey");
  EXPECT_EQ(objects[2].text,
            "ALTER TABLE ONLY public.a\n    ADD CONSTRAINT a_pkey PRIMARY KEY (id);\n");
  EXPECT_EQ(objects[3].type, "ACL");
  EXPECT_EQ(objects[3].schema, "-");
  EXPECT_EQ(objects[3].name, "SCHEMA public");
  EXPECT_EQ(objects[3].text, "GRANT ALL ON SCHEMA public TO app;\n");
}

TEST(SplitDumpObjects, ReadsTheSchemaBeforeATablespace) {
  const auto objects = split_dump_objects(
      "--\n-- Name: i; Type: INDEX; Schema: s; Owner: app; Tablespace: fast\n--\n\nCREATE INDEX "
      "i ON s.t (x);\n");
  ASSERT_EQ(objects.size(), 1u);
  EXPECT_EQ(objects[0].schema, "s");
  EXPECT_EQ(objects[0].text, "CREATE INDEX i ON s.t (x);\n");
}

TEST(ClassifyDifference, SameColumnsInAnotherOrderAreColumnOrder) {
  const auto before = split_dump_objects(table_a(kTwoColumns))[0].text;
  const auto reordered =
      split_dump_objects(table_a("    note text,\n    id bigint NOT NULL"))[0].text;
  const auto changed =
      split_dump_objects(table_a("    note text,\n    id integer NOT NULL"))[0].text;
  EXPECT_EQ(classify_difference("TABLE", before, reordered), DifferenceClass::column_order);
  EXPECT_EQ(classify_difference("TABLE", before, changed), DifferenceClass::real);
  EXPECT_EQ(classify_difference("TABLE", before, std::nullopt), DifferenceClass::real);
}

TEST(ClassifyDifference, ExtraEnumLabelsAreEnumValuesButOtherLabelChangesAreReal) {
  const auto before = split_dump_objects(mood("    'sad',\n    'happy'"))[0].text;
  const auto extra = split_dump_objects(mood("    'sad',\n    'ok',\n    'happy'"))[0].text;
  const auto renamed = split_dump_objects(mood("    'sad',\n    'glad'"))[0].text;
  const auto swapped = split_dump_objects(mood("    'happy',\n    'sad',\n    'ok'"))[0].text;
  EXPECT_EQ(classify_difference("TYPE", before, extra), DifferenceClass::enum_values);
  EXPECT_EQ(classify_difference("TYPE", extra, before), DifferenceClass::enum_values);
  EXPECT_EQ(classify_difference("TYPE", before, renamed), DifferenceClass::real);
  EXPECT_EQ(classify_difference("TYPE", before, swapped), DifferenceClass::real);
}

TEST(ClassifyDifference, CommentObjectsAndCommentLinesAreComments) {
  EXPECT_EQ(classify_difference("COMMENT", std::nullopt, "COMMENT ON TABLE public.a IS 'x';\n"),
            DifferenceClass::comment);
  EXPECT_EQ(classify_difference("FUNCTION", "BEGIN\n  -- old\n  RETURN 1;\nEND\n",
                                "BEGIN\n  -- new\n  RETURN 1;\nEND\n"),
            DifferenceClass::comment);
  EXPECT_EQ(classify_difference("FUNCTION", "RETURN 1;\n", "RETURN 2;\n"), DifferenceClass::real);
}

TEST(DiffSchemaDumps, ReportsChangedRemovedAndAddedObjectsAndIgnoresMovedSettings) {
  const auto index =
      header("a_note", "INDEX") + "CREATE INDEX a_note ON public.a USING btree (note);\n\n";
  const auto comment = header("TABLE a", "COMMENT") + "COMMENT ON TABLE public.a IS 'x';\n\n";
  const auto before = kPreamble + mood("    'sad'") + table_a(kTwoColumns) + comment + kTrailer;
  const auto after = kPreamble + "SET default_tablespace = '';\n\n" +
                     table_a("    note text,\n    id bigint NOT NULL") + index + kTrailer;
  const auto differences = diff_schema_dumps(before, after);
  ASSERT_EQ(differences.size(), 4u);
  EXPECT_EQ(differences[0].type, "TYPE");
  EXPECT_EQ(differences[0].change, ObjectChange::removed);
  EXPECT_EQ(differences[0].difference_class, DifferenceClass::real);
  EXPECT_EQ(differences[1].type, "TABLE");
  EXPECT_EQ(differences[1].change, ObjectChange::changed);
  EXPECT_EQ(differences[1].difference_class, DifferenceClass::column_order);
  EXPECT_EQ(differences[2].type, "COMMENT");
  EXPECT_EQ(differences[2].difference_class, DifferenceClass::comment);
  EXPECT_EQ(differences[3].name, "a_note");
  EXPECT_EQ(differences[3].change, ObjectChange::added);
  EXPECT_EQ(differences[3].diff,
            "--- before\n+++ after\n@@ -0,0 +1 @@\n+CREATE INDEX a_note ON public.a USING btree "
            "(note);\n");
  EXPECT_TRUE(diff_schema_dumps(before, before).empty());
  EXPECT_TRUE(diff_schema_dumps(before, "SET lock_timeout = 0;\n" + before).empty());
}

TEST(ObjectLabel, QualifiesPlainNamesAndKeepsSpacedNamesApartFromTheirSchema) {
  ObjectDifference difference;
  difference.type = "INDEX";
  difference.schema = "public";
  difference.name = "a_id";
  EXPECT_EQ(object_label(difference), "INDEX public.a_id");
  difference.type = "COMMENT";
  difference.name = "TABLE a";
  EXPECT_EQ(object_label(difference), "COMMENT TABLE a (schema public)");
  difference.type = "ACL";
  difference.schema = "-";
  difference.name = "SCHEMA public";
  EXPECT_EQ(object_label(difference), "ACL SCHEMA public");
}

TEST(TellingChangedLine, SkipsLinesThatOnlyGainedACommaAndKeepsRemovedComments) {
  ObjectDifference difference;
  difference.diff = unified_diff("t (\n    id int\n);\n", "t (\n    id int,\n    note text\n);\n");
  EXPECT_EQ(telling_changed_line(difference), "+    note text");
  difference.diff = unified_diff("-- old note\nx\n", "x\n");
  EXPECT_EQ(telling_changed_line(difference), "--- old note");
  difference.diff = unified_diff("a,\n", "a\n");
  EXPECT_EQ(telling_changed_line(difference), "-a,");
  difference.diff.clear();
  EXPECT_EQ(telling_changed_line(difference), "");
}

TEST(UnifiedDiff, KeepsLeadingWhitespaceAndNumbersHunks) {
  EXPECT_EQ(unified_diff("a\nb\n", "a\nb\n"), "");
  EXPECT_EQ(unified_diff("t (\n    id int\n);\n", "t (\n    id int,\n    note text\n);\n"),
            "--- before\n+++ after\n@@ -1,3 +1,4 @@\n t (\n-    id int\n+    id int,\n"
            "+    note text\n );\n");
  EXPECT_EQ(unified_diff("x\n", ""), "--- before\n+++ after\n@@ -1 +0,0 @@\n-x\n");
}

TEST(UnifiedDiff, SplitsDistantChangesIntoHunksWithContext) {
  std::string before;
  for (int i = 1; i <= 20; ++i)
    before += "l" + std::to_string(i) + "\n";
  auto after = before;
  after.replace(after.find("l2\n"), 3, "L2\n");
  after.replace(after.find("l18\n"), 4, "L18\n");
  EXPECT_EQ(unified_diff(before, after),
            "--- before\n+++ after\n"
            "@@ -1,5 +1,5 @@\n l1\n-l2\n+L2\n l3\n l4\n l5\n"
            "@@ -15,6 +15,6 @@\n l15\n l16\n l17\n-l18\n+L18\n l19\n l20\n");
  // Changes at most twice the context apart share a hunk.
  EXPECT_EQ(unified_diff("a\nb\nc\nd\n", "A\nb\nc\nD\n", 1),
            "--- before\n+++ after\n@@ -1,4 +1,4 @@\n-a\n+A\n b\n c\n-d\n+D\n");
  EXPECT_EQ(unified_diff("a\nb\nc\nd\ne\n", "A\nb\nc\nd\nE\n", 1),
            "--- before\n+++ after\n@@ -1,2 +1,2 @@\n-a\n+A\n b\n@@ -4,2 +4,2 @@\n d\n-e\n+E\n");
}

}  // namespace agentdb::migrate
