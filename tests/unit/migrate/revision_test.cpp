#include "migrate/revision.hpp"

#include <gtest/gtest.h>

#include <filesystem>
#include <fstream>

#include "core/error.hpp"

namespace agentdb::migrate {

namespace fs = std::filesystem;

namespace {

class TempDir {
 public:
  TempDir() {
    path_ = fs::temp_directory_path() /
            ("agentdb-unit-" + std::to_string(::getpid()) + "-" + std::to_string(counter_++));
    fs::create_directories(path_);
  }
  ~TempDir() { fs::remove_all(path_); }
  void write(const std::string& name, const std::string& content) const {
    std::ofstream(path_ / name, std::ios::binary) << content;
  }
  [[nodiscard]] const fs::path& path() const { return path_; }

 private:
  static inline int counter_ = 0;
  fs::path path_;
};

// Loads the directory expecting a usage error and returns its message.
std::string load_error(const TempDir& dir) {
  try {
    (void)load_revisions(dir.path());
  } catch (const Error& e) {
    EXPECT_EQ(e.code(), ExitCode::usage);
    return e.what();
  }
  ADD_FAILURE() << "expected an error";
  return {};
}

}  // namespace

TEST(RevisionFileName, ParsesVersionNameAndDirection) {
  const auto up = parse_revision_file_name("20261123000100_create_users.up.sql");
  ASSERT_TRUE(up);
  EXPECT_EQ(up->version, 20261123000100LL);
  EXPECT_EQ(up->name, "create_users");
  EXPECT_EQ(up->direction, Direction::up);
  EXPECT_EQ(parse_revision_file_name("7_x.down.sql")->direction, Direction::down);
}

TEST(RevisionFileName, RejectsMalformedNames) {
  for (const auto* name : {"create_users.up.sql", "0_zero.up.sql", "12_Upper.up.sql", "12_.up.sql",
                           "12-x.up.sql", "12_x.sql", "x12_y.up.sql", "12_a-b.up.sql"}) {
    EXPECT_FALSE(parse_revision_file_name(name)) << name;
  }
}

TEST(Directives, ReadOnlyTheLeadingCommentLines) {
  const auto d = parse_directives(
      "-- about\n-- agentdb:no-transaction\n\nSELECT 1;\n-- agentdb:irreversible\n");
  EXPECT_EQ(d.transaction, TransactionMode::none);
  EXPECT_EQ(d.reversibility, Reversibility::reversible);
}

TEST(Directives, RejectAnUnknownDirective) {
  EXPECT_THROW((void)parse_directives("-- agentdb:no-transation\nSELECT 1;"),
               std::invalid_argument);
}

TEST(LoadRevisions, OrdersNumericallyAndChecksumsTheUpFile) {
  TempDir dir;
  dir.write("10_b.up.sql", "SELECT 10;");
  dir.write("10_b.down.sql", "");
  dir.write("9_a.up.sql", "SELECT 9;");
  dir.write("9_a.down.sql", "");
  dir.write("README.md", "ignored");
  const auto revisions = load_revisions(dir.path());
  ASSERT_EQ(revisions.size(), 2u);
  EXPECT_EQ(revisions[0].version, 9);
  EXPECT_EQ(revisions[1].version, 10);
  EXPECT_EQ(revisions[0].checksum.size(), 64u);
}

TEST(LoadRevisions, AcceptsAnIrreversibleRevisionWithoutDownFile) {
  TempDir dir;
  dir.write("1_a.up.sql", "-- agentdb:irreversible\nSELECT 1;");
  EXPECT_TRUE(load_revisions(dir.path())[0].irreversible());
}

TEST(LoadRevisions, NamesTheFileForEveryKindOfBadInput) {
  {
    TempDir dir;
    dir.write("1_a.up.sql", "");
    EXPECT_NE(load_error(dir).find("1_a.up.sql': no down file"), std::string::npos);
  }
  {
    TempDir dir;
    dir.write("1_a.down.sql", "");
    EXPECT_NE(load_error(dir).find("a down file without its up file"), std::string::npos);
  }
  {
    TempDir dir;
    dir.write("1_a.up.sql", "");
    dir.write("1_a.down.sql", "");
    dir.write("01_b.up.sql", "");
    dir.write("01_b.down.sql", "");
    EXPECT_NE(load_error(dir).find("version 1 is also used"), std::string::npos);
  }
  {
    TempDir dir;
    dir.write("1_Bad.up.sql", "");
    EXPECT_NE(load_error(dir).find("1_Bad.up.sql"), std::string::npos);
  }
  {
    TempDir dir;
    dir.write("1_a.up.sql", "SELECT 'caf\xe9';");
    dir.write("1_a.down.sql", "");
    EXPECT_NE(load_error(dir).find("not valid UTF-8"), std::string::npos);
  }
  {
    TempDir dir;
    dir.write("1_a.up.sql", "-- agentdb:irreversible\n");
    dir.write("1_a.down.sql", "");
    EXPECT_NE(load_error(dir).find("irreversible but has a down file"), std::string::npos);
  }
}

TEST(LoadRevisions, AcceptsAnEmptyDirectory) {
  TempDir dir;
  EXPECT_TRUE(load_revisions(dir.path()).empty());
}

TEST(LoadRevisions, ReportsAMissingDirectory) {
  try {
    (void)load_revisions("/nonexistent/agentdb/migrations");
    FAIL();
  } catch (const Error& e) {
    EXPECT_EQ(e.code(), ExitCode::usage);
    EXPECT_NE(std::string(e.what()).find("does not exist"), std::string::npos);
  }
}

}  // namespace agentdb::migrate
