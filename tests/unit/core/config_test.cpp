// Config: settings declared by their modules, resolved flag > environment > file > default, file
// keys checked against the declarations, and secret values remembered for redaction.
#include <gtest/gtest.h>

#include <unistd.h>

#include <cstdlib>
#include <filesystem>
#include <fstream>

#include "core/config.hpp"
#include "core/error.hpp"

namespace agentdb {
namespace {

constexpr Setting kDir{.key = "test.dir",
                       .env = "AGENTDB_TEST_CONFIG_DIR",
                       .fallback = "dir-default",
                       .doc = "a folder",
                       .secrecy = Secrecy::plain};
constexpr Setting kToken{.key = "",
                         .env = "AGENTDB_TEST_CONFIG_TOKEN",
                         .fallback = "",
                         .doc = "a secret",
                         .secrecy = Secrecy::secret};
constexpr Setting kTable{.key = "test.limits.*",
                         .env = nullptr,
                         .fallback = "",
                         .doc = "a table",
                         .secrecy = Secrecy::plain};

std::filesystem::path write_config(const std::string& text) {
  const auto path = std::filesystem::temp_directory_path() /
                    ("agentdb-config-test-" + std::to_string(::getpid()) + ".toml");
  std::ofstream(path) << text;
  return path;
}

TEST(Config, AFlagBeatsTheEnvironmentWhichBeatsTheFileWhichBeatsTheDefault) {
  const auto path = write_config("[test]\ndir = \"from-file\"\n");
  const auto config = Config::load(path, {&kDir});
  ::unsetenv(kDir.env);
  EXPECT_EQ(config.value(kDir), "from-file");
  ::setenv(kDir.env, "from-env", 1);
  EXPECT_EQ(config.value(kDir), "from-env");
  EXPECT_EQ(config.value(kDir, "from-flag"), "from-flag");
  ::unsetenv(kDir.env);
  EXPECT_EQ(Config().value(kDir), "dir-default");
  EXPECT_FALSE(Config().find(kDir).has_value());
  std::filesystem::remove(path);
}

TEST(Config, ReloadedReadsTheFileAgainCheckedAsAtStartAndKeepsSecretsRedacted) {
  const auto path = write_config("[test]\ndir = \"first\"\n");
  const auto config = Config::load(path, {&kDir});
  ::setenv(kToken.env, "hunter2-token", 1);
  (void)config.find(kToken);
  ::unsetenv(kToken.env);
  std::ofstream(path) << "[test]\ndir = \"second\"\n";
  const auto fresh = config.reloaded();
  EXPECT_EQ(fresh.value(kDir), "second");
  EXPECT_EQ(config.value(kDir), "first") << "the running one is unchanged";
  EXPECT_EQ(fresh.secrets(), std::vector<std::string>{"hunter2-token"});
  std::ofstream(path) << "[test]\ndri = \"typo\"\n";
  EXPECT_THROW((void)config.reloaded(), Error);
  std::filesystem::remove(path);
}

TEST(Config, AKeyNoModuleDeclaredIsAUsageErrorAndATableTakesItsSubkeys) {
  const auto path = write_config("[test]\ndri = \"typo\"\n");
  try {
    (void)Config::load(path, {&kDir, &kTable});
    FAIL() << "no error";
  } catch (const Error& e) {
    EXPECT_EQ(e.code(), ExitCode::usage);
    EXPECT_NE(std::string(e.what()).find("unknown setting 'test.dri'"), std::string::npos)
        << e.what();
  }
  std::filesystem::remove(path);
}

TEST(Config, SubkeysOfADeclaredTableAreAccepted) {
  const auto path = write_config("[test.limits.a]\nwarning = 3\n");
  EXPECT_NO_THROW((void)Config::load(path, {&kTable}));
  std::filesystem::remove(path);
}

TEST(Config, AMalformedFileIsAUsageErrorNamingFileLineAndColumn) {
  const auto path = write_config("[test]\ndir = \"ok\"\nbad = 2x\n");
  try {
    (void)Config::load(path, {&kDir});
    FAIL() << "no error";
  } catch (const Error& e) {
    EXPECT_EQ(e.code(), ExitCode::usage);
    EXPECT_EQ(std::string(e.what()).rfind(path.string() + ":3:8: ", 0), 0u) << e.what();
  }
  std::filesystem::remove(path);
}

TEST(Config, FloatsAndInlineTablesReachSettingsAndUnknownKeysInThemAreCaught) {
  const auto path = write_config("test = { dir = 0.25, limits.a = { warning = 1.5 } }\n");
  const auto config = Config::load(path, {&kDir, &kTable});
  EXPECT_EQ(config.value(kDir), "0.25");
  EXPECT_EQ(toml::to_setting(config.document().at("test.limits.a.warning")), "1.5");
  std::filesystem::remove(path);
  const auto typo = write_config("test = { dri = 1 }\n");
  EXPECT_THROW((void)Config::load(typo, {&kDir}), Error);
  std::filesystem::remove(typo);
}

TEST(Config, AnUnknownKeyIsPrintedWithoutItsControlCharacters) {
  const auto path = write_config("\"evil\\u001b[2J\" = 1\n");
  try {
    (void)Config::load(path, {&kDir});
    FAIL() << "no error";
  } catch (const Error& e) {
    EXPECT_EQ(std::string(e.what()).find('\x1b'), std::string::npos) << e.what();
    EXPECT_NE(std::string(e.what()).find("unknown setting 'evil"), std::string::npos) << e.what();
  }
  std::filesystem::remove(path);
}

TEST(Config, ASecretReadThroughAnyCopyIsRememberedForRedaction) {
  const Config config;
  const Config copy = config;  // NOLINT: the copy is the point
  ::setenv(kToken.env, "s3cr3t value", 1);
  EXPECT_EQ(copy.value(kToken), "s3cr3t value");
  EXPECT_EQ(config.secrets(), std::vector<std::string>{"s3cr3t value"});
  ::unsetenv(kToken.env);
  (void)config.value(kDir, "plain");
  EXPECT_EQ(config.secrets().size(), 1u);
}

TEST(Config, AShippedDefaultIsTheWorkingDirectorysCopyElseTheInstalledOne) {
  constexpr Setting kShipped{.key = "",
                             .env = nullptr,
                             .fallback = "shipped-test-folder",
                             .doc = "a shipped folder",
                             .secrecy = Secrecy::plain,
                             .shipped = true};
  const auto before = std::filesystem::current_path();
  const auto scratch = std::filesystem::temp_directory_path() /
                       ("agentdb-shipped-test-" + std::to_string(::getpid()));
  std::filesystem::create_directories(scratch);
  std::filesystem::current_path(scratch);
  EXPECT_TRUE(shipped_data_dir().is_absolute());
  EXPECT_EQ(shipped_data_dir().filename(), "agentdb");
  // Neither here nor installed: the relative path, so the error names what was looked for.
  EXPECT_EQ(Config().value(kShipped), "shipped-test-folder");
  std::filesystem::create_directory(scratch / "shipped-test-folder");
  EXPECT_EQ(Config().value(kShipped), "shipped-test-folder");
  EXPECT_EQ(Config().value(kShipped, "elsewhere"), "elsewhere");
  std::filesystem::current_path(before);
  std::filesystem::remove_all(scratch);
}

}  // namespace
}  // namespace agentdb
