// manifest.json: what a backup holds and how to check it. Written beside the archive before the
// backup is published, and rewritten (atomically) when a verification is recorded.
#pragma once

#include <nlohmann/json_fwd.hpp>

#include <cstdint>
#include <filesystem>
#include <optional>
#include <string>
#include <vector>

#include "core/error.hpp"

namespace agentdb::backup {

enum class DumpFormat { custom, directory };

[[nodiscard]] std::string to_string(DumpFormat format);
[[nodiscard]] std::optional<DumpFormat> parse_format(std::string_view text);

struct ArchiveFile {
  std::string path;  // relative to the backup's folder
  std::uint64_t size_bytes = 0;
  std::string sha256;
};

struct TableRows {
  std::string name;                       // schema-qualified, quoted where needed: public.users
  std::optional<long long> row_estimate;  // pg_class.reltuples; none before the first ANALYZE
  long long rows = 0;                     // counted in the snapshot pg_dump used
  bool data_excluded = false;  // --schema-only or --exclude-table-data: the archive holds none
};

// Which member of a replicated cluster the dump was read from, and where its WAL stood then.
struct TakenFrom {
  std::string role;     // "primary" or "standby"
  std::string member;   // host:port the session reached
  std::string wal_lsn;  // primary: pg_current_wal_lsn(); standby: pg_last_wal_replay_lsn()
};

struct Verification {
  std::string at;      // ISO 8601 UTC
  std::string method;  // "checksums" or "restore"
  bool ok = false;
  std::string detail;
  double seconds = 0;
};

struct Manifest {
  int manifest_version = 1;
  std::string id;
  std::string label;
  std::string database;
  std::string server;  // postgresql://user@host:port/db, never a password
  std::string server_version;
  std::optional<TakenFrom> taken_from;  // none in manifests written before agentdb recorded it
  std::string pg_dump_version;
  DumpFormat format = DumpFormat::custom;
  std::string archive;  // the file (custom) or folder (directory) pg_dump wrote
  std::optional<int> compress;
  int jobs = 1;
  bool schema_only = false;
  std::vector<std::string> exclude_table_data;
  std::optional<long long> migration_version;  // none when agentdb never migrated the database
  std::uint64_t database_size_bytes = 0;
  std::vector<TableRows> tables;
  std::vector<ArchiveFile> files;
  std::uint64_t size_bytes = 0;
  std::string started_at;
  std::string finished_at;
  double duration_seconds = 0;
  std::string created_by;
  std::optional<Verification> verification;

  [[nodiscard]] bool verified() const { return verification && verification->ok; }
};

[[nodiscard]] nlohmann::json to_json(const Manifest& manifest);

// A manifest that was read but is not one (bad JSON, a missing field, a wrong type, a path that
// leaves the backup's folder): what() is "<source>: <what is wrong>"; the exit status is 4.
class ManifestDamage : public Error {
 public:
  explicit ManifestDamage(const std::string& what)
      : Error(ExitCode::conflict, what, "do not restore it; use another backup") {}
};

// Throws ManifestDamage naming `source` and the field when the document is not a manifest.
[[nodiscard]] Manifest manifest_from_json(const nlohmann::json& document,
                                          const std::string& source);

inline constexpr const char* kManifestName = "manifest.json";

// Throws Error(failure) when manifest.json cannot be read, ManifestDamage when it is not a manifest
// (named "manifest.json", relative to the backup).
[[nodiscard]] Manifest read_manifest(const std::filesystem::path& backup_dir);
void write_manifest(const std::filesystem::path& backup_dir, const Manifest& manifest);

}  // namespace agentdb::backup
