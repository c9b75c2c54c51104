#include "migrate/history.hpp"

#include <pwd.h>
#include <unistd.h>

namespace agentdb::migrate {

namespace {

constexpr const char* kCreateTables = R"SQL(
CREATE TABLE IF NOT EXISTS agentdb_schema_migrations (
  version     bigint PRIMARY KEY,
  name        text NOT NULL,
  checksum    text NOT NULL,
  status      text NOT NULL DEFAULT 'applied' CHECK (status IN ('applied', 'failed', 'running')),
  applied_at  timestamptz NOT NULL DEFAULT now(),
  duration_ms bigint NOT NULL DEFAULT 0,
  applied_by  text NOT NULL,
  error       text
);
COMMENT ON TABLE agentdb_schema_migrations IS
  'Revisions applied by agentdb migrate; maintained by agentdb, do not edit by hand.';
CREATE TABLE IF NOT EXISTS agentdb_schema_migrations_log (
  id          bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
  version     bigint NOT NULL,
  name        text NOT NULL,
  action      text NOT NULL CHECK (action IN ('up', 'down', 'baseline', 'repair')),
  status      text NOT NULL,
  at          timestamptz NOT NULL DEFAULT now(),
  duration_ms bigint NOT NULL DEFAULT 0,
  by_whom     text NOT NULL,
  detail      text
);
COMMENT ON TABLE agentdb_schema_migrations_log IS
  'Every migrate up, down, baseline and repair, for agentdb migrate history.';
)SQL";

RecordStatus parse_status(const std::string& text) {
  if (text == "failed")
    return RecordStatus::failed;
  if (text == "running")
    return RecordStatus::running;
  return RecordStatus::applied;
}

std::string os_identity() {
  std::string user = "unknown";
  if (const passwd* self = ::getpwuid(::geteuid()))
    user = self->pw_name;
  char host[256] = {};
  if (::gethostname(host, sizeof host - 1) != 0)
    host[0] = '\0';
  return user + "@" + (host[0] != '\0' ? host : "localhost");
}

}  // namespace

std::string to_string(RecordStatus status) {
  switch (status) {
    case RecordStatus::applied:
      return "applied";
    case RecordStatus::failed:
      return "failed";
    case RecordStatus::running:
      return "running";
  }
  return "applied";
}

bool History::exists() {
  const auto rows = session_.exec(
      "SELECT to_regclass('agentdb_schema_migrations') IS NOT NULL "
      "   AND to_regclass('agentdb_schema_migrations_log') IS NOT NULL");
  return rows[0][0].as<bool>();
}

void History::ensure_tables() {
  if (!exists())
    session_.exec(kCreateTables);
}

std::vector<HistoryRecord> History::load() {
  std::vector<HistoryRecord> records;
  if (!exists())
    return records;
  const auto rows = session_.exec(
      "SELECT version, name, checksum, status, "
      "       to_char(applied_at AT TIME ZONE 'UTC', 'YYYY-MM-DD\"T\"HH24:MI:SS\"Z\"'), "
      "       duration_ms, applied_by, coalesce(error, '') "
      "FROM agentdb_schema_migrations ORDER BY version");
  records.reserve(rows.size());
  for (const auto& row : rows) {
    records.push_back(
        HistoryRecord{row[0].as<long long>(), row[1].as<std::string>(), row[2].as<std::string>(),
                      parse_status(row[3].as<std::string>()), row[4].as<std::string>(),
                      row[5].as<long long>(), row[6].as<std::string>(), row[7].as<std::string>()});
  }
  return records;
}

std::vector<LogEntry> History::log(int limit) {
  std::vector<LogEntry> entries;
  if (!exists())
    return entries;
  const auto rows = session_.exec_params(
      "SELECT version, name, action, status, "
      "       to_char(at AT TIME ZONE 'UTC', 'YYYY-MM-DD\"T\"HH24:MI:SS\"Z\"'), duration_ms, "
      "       by_whom, coalesce(detail, '') "
      "FROM (SELECT * FROM agentdb_schema_migrations_log ORDER BY id DESC LIMIT $1) recent "
      "ORDER BY id",
      limit);
  for (const auto& row : rows) {
    entries.push_back(LogEntry{row[0].as<long long>(), row[1].as<std::string>(),
                               row[2].as<std::string>(), row[3].as<std::string>(),
                               row[4].as<std::string>(), row[5].as<long long>(),
                               row[6].as<std::string>(), row[7].as<std::string>()});
  }
  return entries;
}

std::string History::record_sql(const HistoryRecord& record) {
  return "INSERT INTO agentdb_schema_migrations "
         "(version, name, checksum, status, duration_ms, applied_by, error) VALUES (" +
         std::to_string(record.version) + ", " + session_.quote(record.name) + ", " +
         session_.quote(record.checksum) + ", " + session_.quote(to_string(record.status)) + ", " +
         std::to_string(record.duration_ms) + ", " + session_.quote(actor()) + ", " +
         (record.error.empty() ? std::string("NULL") : session_.quote(record.error)) + ");\n";
}

std::string History::remove_sql(long long version) {
  return "DELETE FROM agentdb_schema_migrations WHERE version = " + std::to_string(version) + ";\n";
}

std::string History::log_sql(long long version, const std::string& name, const std::string& action,
                             const std::string& status, long long duration_ms,
                             const std::string& detail) {
  return "INSERT INTO agentdb_schema_migrations_log "
         "(version, name, action, status, duration_ms, by_whom, detail) VALUES (" +
         std::to_string(version) + ", " + session_.quote(name) + ", " + session_.quote(action) +
         ", " + session_.quote(status) + ", " + std::to_string(duration_ms) + ", " +
         session_.quote(actor()) + ", " +
         (detail.empty() ? std::string("NULL") : session_.quote(detail)) + ");\n";
}

void History::record(const HistoryRecord& record) {
  session_.exec(record_sql(record));
}

void History::set_status(long long version, RecordStatus status, long long duration_ms,
                         const std::string& error) {
  session_.exec_params(
      "UPDATE agentdb_schema_migrations SET status = $2, duration_ms = $3, error = NULLIF($4, ''), "
      "       applied_at = now() WHERE version = $1",
      version, to_string(status), duration_ms, error);
}

void History::set_checksum(long long version, const std::string& checksum) {
  session_.exec_params("UPDATE agentdb_schema_migrations SET checksum = $2 WHERE version = $1",
                       version, checksum);
}

void History::remove(long long version) {
  session_.exec(remove_sql(version));
}

void History::append_log(long long version, const std::string& name, const std::string& action,
                         const std::string& status, long long duration_ms,
                         const std::string& detail) {
  session_.exec(log_sql(version, name, action, status, duration_ms, detail));
}

const std::string& History::actor() {
  if (actor_.empty()) {
    const auto rows = session_.exec("SELECT current_user");
    actor_ = rows[0][0].as<std::string>() + " (" + os_identity() + ")";
  }
  return actor_;
}

}  // namespace agentdb::migrate
