// The record of what ran: agentdb_schema_migrations (one row per applied revision) and
// agentdb_schema_migrations_log (every up, down, baseline and repair, for `migrate history`).
#pragma once

#include <optional>
#include <string>
#include <vector>

#include "db/session.hpp"

namespace agentdb::migrate {

enum class RecordStatus { applied, failed, running };

struct HistoryRecord {
  long long version = 0;
  std::string name;
  std::string checksum;
  RecordStatus status = RecordStatus::applied;
  std::string applied_at;  // ISO 8601, UTC
  long long duration_ms = 0;
  std::string applied_by;
  std::string error;
};

struct LogEntry {
  long long version = 0;
  std::string name;
  std::string action;  // up, down, baseline, repair
  std::string status;  // applied, failed, reverted, ...
  std::string at;
  long long duration_ms = 0;
  std::string by;
  std::string detail;
};

[[nodiscard]] std::string to_string(RecordStatus status);

class History {
 public:
  explicit History(db::Session& session) : session_(session) {}

  // Whether the tables exist (status and dry runs must not create them).
  [[nodiscard]] bool exists();
  // Creates the tables; call with the migration lock held.
  void ensure_tables();
  [[nodiscard]] std::vector<HistoryRecord> load();
  [[nodiscard]] std::vector<LogEntry> log(int limit);

  // These run inside the caller's transaction (or autocommit for no-transaction revisions).
  // The *_sql forms return the statement text, so the applier can send it together with COMMIT.
  [[nodiscard]] std::string record_sql(const HistoryRecord& record);
  [[nodiscard]] std::string remove_sql(long long version);
  [[nodiscard]] std::string log_sql(long long version, const std::string& name,
                                    const std::string& action, const std::string& status,
                                    long long duration_ms, const std::string& detail = {});
  void record(const HistoryRecord& record);
  void set_status(long long version, RecordStatus status, long long duration_ms,
                  const std::string& error);
  void set_checksum(long long version, const std::string& checksum);
  void remove(long long version);
  void append_log(long long version, const std::string& name, const std::string& action,
                  const std::string& status, long long duration_ms, const std::string& detail = {});

  // Who is running this: the database role and the operating-system user and host.
  [[nodiscard]] const std::string& actor();

 private:
  db::Session& session_;
  std::string actor_;
};

}  // namespace agentdb::migrate
