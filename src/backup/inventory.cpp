#include "backup/inventory.hpp"

#include <fnmatch.h>

namespace agentdb::backup {

std::vector<TableRows> list_tables(db::Session& session) {
  const auto rows = session.exec(R"SQL(
SELECT format('%I.%I', n.nspname, c.relname), c.reltuples::bigint
FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace
WHERE c.relkind = 'r'
  AND n.nspname NOT IN ('pg_catalog', 'information_schema')
  AND n.nspname NOT LIKE 'pg\_toast%' AND n.nspname NOT LIKE 'pg\_temp%'
  AND NOT EXISTS (SELECT 1 FROM pg_depend d
                  WHERE d.classid = 'pg_class'::regclass AND d.objid = c.oid AND d.deptype = 'e')
ORDER BY n.nspname, c.relname)SQL");
  std::vector<TableRows> tables;
  for (const auto& row : rows) {
    TableRows table;
    table.name = row[0].as<std::string>();
    const auto estimate = row[1].as<long long>();
    if (estimate >= 0)
      table.row_estimate = estimate;
    tables.push_back(std::move(table));
  }
  return tables;
}

void count_rows(db::Session& session, std::vector<TableRows>& tables) {
  std::string sql;
  for (std::size_t i = 0; i < tables.size(); ++i) {
    if (tables[i].data_excluded)
      continue;
    sql += (sql.empty() ? "" : "\nUNION ALL ") + std::string("SELECT ") + std::to_string(i) +
           ", count(*) FROM " + tables[i].name;
  }
  if (sql.empty())
    return;
  for (const auto& row : session.exec(sql))
    tables[row[0].as<std::size_t>()].rows = row[1].as<long long>();
}

std::optional<long long> migration_version(db::Session& session) {
  const auto exists = session.exec("SELECT to_regclass('agentdb_schema_migrations') IS NOT NULL");
  if (!exists[0][0].as<bool>())
    return std::nullopt;
  const auto result =
      session.exec("SELECT max(version) FROM agentdb_schema_migrations WHERE status = 'applied'");
  if (result[0][0].is_null())
    return std::nullopt;
  return result[0][0].as<long long>();
}

bool matches_table_pattern(const std::string& pattern, const std::string& name) {
  if (::fnmatch(pattern.c_str(), name.c_str(), 0) == 0)
    return true;
  const auto dot = name.find('.');
  return dot != std::string::npos && ::fnmatch(pattern.c_str(), name.c_str() + dot + 1, 0) == 0;
}

}  // namespace agentdb::backup
