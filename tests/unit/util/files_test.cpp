// Writes that a local user sharing the folder cannot redirect, and that leave nothing half-done.
#include "util/files.hpp"

#include <gtest/gtest.h>
#include <signal.h>
#include <sys/resource.h>
#include <sys/stat.h>
#include <unistd.h>

#include <filesystem>
#include <set>
#include <string>
#include <thread>
#include <vector>

namespace agentdb::util {

namespace fs = std::filesystem;

namespace {

class Folder : public ::testing::Test {
 protected:
  void SetUp() override {
    std::string pattern = (fs::temp_directory_path() / "agentdb-files-test-XXXXXX").string();
    ASSERT_NE(::mkdtemp(pattern.data()), nullptr);
    dir_ = pattern;
  }
  void TearDown() override { fs::remove_all(dir_); }

  [[nodiscard]] std::set<std::string> names() const {
    std::set<std::string> found;
    for (const auto& entry : fs::directory_iterator(dir_))
      found.insert(entry.path().filename().string());
    return found;
  }

  fs::path dir_;
};

std::string content_of(const fs::path& path) {
  return read_file(path).value_or("<unreadable>");
}

mode_t mode_of(const fs::path& path) {
  struct stat info {};
  EXPECT_EQ(::lstat(path.c_str(), &info), 0);
  return info.st_mode & 07777;
}

}  // namespace

TEST_F(Folder, ALinkPlantedAtTheOldPredictableTemporaryNameIsNotFollowed) {
  write_file_atomic(dir_ / "victim", "precious");
  const auto report = dir_ / "r.html";
  fs::create_symlink(dir_ / "victim", report.string() + ".tmp." + std::to_string(::getpid()));
  write_file_atomic(report, "<html>");
  EXPECT_EQ(content_of(dir_ / "victim"), "precious");
  EXPECT_EQ(content_of(report), "<html>");
}

TEST_F(Folder, ALinkAtTheFinalNameIsReplacedNotFollowed) {
  write_file_atomic(dir_ / "victim", "precious");
  fs::create_symlink(dir_ / "victim", dir_ / "r.html");
  write_file_atomic(dir_ / "r.html", "<html>");
  EXPECT_EQ(content_of(dir_ / "victim"), "precious");
  EXPECT_FALSE(fs::is_symlink(dir_ / "r.html"));
  EXPECT_EQ(content_of(dir_ / "r.html"), "<html>");
}

TEST_F(Folder, CreateExclusiveKeepsADanglingLinkAndCreatesNothingThroughIt) {
  fs::create_symlink(dir_ / "would-be-created", dir_ / "new.sql");
  EXPECT_FALSE(create_file_exclusive(dir_ / "new.sql", "x"));
  EXPECT_FALSE(fs::exists(dir_ / "would-be-created"));
  EXPECT_EQ(names(), (std::set<std::string>{"new.sql"}));
}

TEST_F(Folder, ConcurrentWritersToOneFileNeverClashOrLeaveTemporaryFiles) {
  const auto path = dir_ / "shared.json";
  std::vector<std::thread> writers;
  std::atomic<int> failures{0};
  for (int w = 0; w < 6; ++w) {
    writers.emplace_back([&, w]() {
      const std::string content(65536, static_cast<char>('a' + w));
      for (int i = 0; i < 30; ++i) {
        try {
          write_file_atomic(path, content);
        } catch (const std::exception&) {
          ++failures;
        }
      }
    });
  }
  for (auto& writer : writers)
    writer.join();
  EXPECT_EQ(failures.load(), 0);
  const auto content = content_of(path);
  ASSERT_EQ(content.size(), 65536u);
  EXPECT_EQ(content.find_first_not_of(content[0]), std::string::npos);  // one writer's, whole
  EXPECT_EQ(names(), (std::set<std::string>{"shared.json"}));
}

TEST_F(Folder, AFailedWriteLeavesNoTemporaryFile) {
  // A file size limit makes write(2) fail with EFBIG half-way through.
  rlimit saved{};
  ASSERT_EQ(::getrlimit(RLIMIT_FSIZE, &saved), 0);
  const auto old_handler = ::signal(SIGXFSZ, SIG_IGN);
  rlimit small = saved;
  small.rlim_cur = 4096;
  ASSERT_EQ(::setrlimit(RLIMIT_FSIZE, &small), 0);
  try {
    write_file_atomic(dir_ / "big", std::string(1 << 20, 'x'));
    ADD_FAILURE() << "the write did not fail";
  } catch (const FileWriteError& e) {
    EXPECT_EQ(e.code().value(), EFBIG);
    EXPECT_NE(std::string(e.what()).find("cannot write '" + (dir_ / "big").string() + "'"),
              std::string::npos)
        << e.what();
  }
  ::setrlimit(RLIMIT_FSIZE, &saved);
  ::signal(SIGXFSZ, old_handler);
  EXPECT_TRUE(names().empty());
}

TEST_F(Folder, AFolderAtThePathIsATypedErrorThatSaysSo) {
  fs::create_directory(dir_ / "reports");
  try {
    write_file_atomic(dir_ / "reports", "x");
    ADD_FAILURE() << "writing over a folder did not fail";
  } catch (const FileWriteError& e) {
    EXPECT_EQ(e.code().value(), EISDIR);
    EXPECT_TRUE(e.names_unusable_path());
    EXPECT_EQ(e.hint(), "name a file, not a folder");
  }
  EXPECT_THROW(write_file_atomic(dir_.string() + "/", "x"), FileWriteError);
  EXPECT_EQ(names(), (std::set<std::string>{"reports"}));
}

TEST_F(Folder, AMissingFolderIsATypedErrorNamingTheFolderToCreate) {
  try {
    write_file_atomic(dir_ / "absent" / "r.html", "x");
    ADD_FAILURE() << "writing into a missing folder did not fail";
  } catch (const FileWriteError& e) {
    EXPECT_EQ(e.code().value(), ENOENT);
    EXPECT_TRUE(e.names_unusable_path());
    EXPECT_NE(e.hint().find((dir_ / "absent").string()), std::string::npos) << e.hint();
  }
}

TEST_F(Folder, FilesAreCreatedWithTheModeAsked) {
  const auto old_umask = ::umask(022);
  write_file_atomic(dir_ / "report", "x");
  write_file_atomic(dir_ / "secret", "x", {.mode = 0600, .owner = std::nullopt});
  ::umask(old_umask);
  EXPECT_EQ(mode_of(dir_ / "report"), 0644u);
  EXPECT_EQ(mode_of(dir_ / "secret"), 0600u);
}

TEST_F(Folder, CreateFilesExclusiveCreatesAllOrNone) {
  write_file_atomic(dir_ / "b.down.sql", "taken");
  EXPECT_FALSE(create_files_exclusive({{dir_ / "b.up.sql", "up"}, {dir_ / "b.down.sql", "down"}}));
  EXPECT_EQ(names(), (std::set<std::string>{"b.down.sql"}));
  EXPECT_EQ(content_of(dir_ / "b.down.sql"), "taken");

  ASSERT_TRUE(create_files_exclusive({{dir_ / "c.up.sql", "up"}, {dir_ / "c.down.sql", "down"}}));
  EXPECT_EQ(content_of(dir_ / "c.up.sql"), "up");
  EXPECT_EQ(content_of(dir_ / "c.down.sql"), "down");
}

TEST_F(Folder, CreateFilesExclusiveUndoesTheFirstWhenTheSecondNameIsTooLong) {
  const auto too_long = std::string(300, 'n') + ".down.sql";
  EXPECT_THROW((void)create_files_exclusive({{dir_ / "n.up.sql", "up"}, {dir_ / too_long, "down"}}),
               FileWriteError);
  EXPECT_TRUE(names().empty());
}

TEST_F(Folder, PrivateDirectoryIsCreatedForTheOwnerOnly) {
  make_private_directory(dir_ / "run");
  EXPECT_EQ(mode_of(dir_ / "run"), 0700u);
  make_private_directory(dir_ / "run");  // an existing one of ours is fine
}

TEST_F(Folder, PrivateDirectoryRefusesALinkPlantedAtItsName) {
  fs::create_directory(dir_ / "elsewhere");
  fs::permissions(dir_ / "elsewhere", fs::perms(0755));
  fs::create_symlink(dir_ / "elsewhere", dir_ / "run");
  EXPECT_THROW(make_private_directory(dir_ / "run"), FileWriteError);
  EXPECT_EQ(mode_of(dir_ / "elsewhere"), 0755u);
}

}  // namespace agentdb::util
