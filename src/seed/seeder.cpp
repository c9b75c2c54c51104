#include "seed/seeder.hpp"

#include "db/transaction.hpp"
#include "util/strings.hpp"

namespace agentdb::seed {

namespace {

// Names were checked to be [a-z0-9_] (dot-separated for a schema) when the file was loaded.
std::string quoted(const std::string& name) {
  std::vector<std::string> parts;
  for (const auto& part : util::split(name, '.'))
    parts.push_back("\"" + part + "\"");
  return util::join(parts, ".");
}

std::string column_list(const std::vector<std::string>& columns, const std::string& prefix = {}) {
  std::vector<std::string> parts;
  for (const auto& column : columns)
    parts.push_back(prefix + quoted(column));
  return util::join(parts, ", ");
}

Error file_failed(const SeedFile& file, const db::QueryError& error) {
  std::string hint = error.hint();
  if (error.sqlstate() == "42P01")
    hint = "run 'agentdb migrate up' first";
  if (error.sqlstate() == "42501" || error.sqlstate() == "42P17" ||
      std::string(error.what()).find("row-level security") != std::string::npos) {
    hint = "seed as a superuser or a member of agentdb_admin (row-level security is forced)";
  }
  if (error.sqlstate() == "42P10")
    hint = "\"key\" must be the columns of a unique constraint of " + file.table;
  if (error.sqlstate() == "21000")
    hint = "two rows of the file have the same key";
  return Error(
      ExitCode::failure,
      "seed file '" + file.path.string() + "' (table " + file.table + ") failed: " + error.what(),
      hint);
}

}  // namespace

std::size_t SetOutcome::inserted() const {
  std::size_t n = 0;
  for (const auto& f : files)
    n += f.inserted;
  return n;
}

std::size_t SetOutcome::updated() const {
  std::size_t n = 0;
  for (const auto& f : files)
    n += f.updated;
  return n;
}

std::size_t SetOutcome::unchanged() const {
  std::size_t n = 0;
  for (const auto& f : files)
    n += f.unchanged;
  return n;
}

std::string upsert_sql(const SeedFile& file, Updates updates) {
  const std::vector<std::string> others(file.columns.begin() + static_cast<long>(file.key.size()),
                                        file.columns.end());
  const auto table = quoted(file.table);
  std::string sql = "WITH written AS (\nINSERT INTO " + table + " AS t (" +
                    column_list(file.columns) + ")\nSELECT " + column_list(file.columns) +
                    " FROM jsonb_populate_recordset(NULL::" + table +
                    ", $1::jsonb)\nON CONFLICT (" + column_list(file.key) + ") ";
  if (others.empty() || updates == Updates::not_allowed) {
    sql += "DO NOTHING";
  } else {
    std::vector<std::string> assignments;
    for (const auto& column : others) {
      assignments.push_back(quoted(column) + " = EXCLUDED." + quoted(column));
    }
    // ROW(...) keeps the comparison a row comparison even for a single column.
    sql += "DO UPDATE SET " + util::join(assignments, ", ") + "\nWHERE ROW(" +
           column_list(others, "t.") + ") IS DISTINCT FROM ROW(" +
           column_list(others, "EXCLUDED.") + ")";
  }
  // The main query sees the table as it was before the insert, so a written row that already
  // existed was an update. (xmax = 0 would say the same, but partitioned tables cannot return it.)
  std::vector<std::string> match;
  for (const auto& column : file.key)
    match.push_back("e." + quoted(column) + " = w." + quoted(column));
  return sql + "\nRETURNING " + column_list(file.key) +
         ")\nSELECT count(*) FILTER (WHERE NOT EXISTS (SELECT 1 FROM " + table + " e WHERE " +
         util::join(match, " AND ") + ")), count(*) FROM written w";
}

SetOutcome apply_set(db::Session& session, const SeedSet& set, Commit commit) {
  SetOutcome outcome;
  outcome.name = set.name;
  db::Transaction transaction(session);
  for (const auto& file : set.files) {
    FileOutcome result;
    result.path = file.path;
    result.table = file.table;
    try {
      // Append-only tables grant no UPDATE, and ON CONFLICT DO UPDATE needs it even when
      // nothing conflicts: such tables are only ever inserted into.
      const auto updatable =
          session
              .exec_params("SELECT has_table_privilege(current_user, $1, 'UPDATE')",
                           file.table)[0][0]
              .as<bool>();
      const auto counts = session.exec_params(
          upsert_sql(file, updatable ? Updates::allowed : Updates::not_allowed), file.rows_json)[0];
      result.inserted = counts[0].as<std::size_t>();
      result.updated = counts[1].as<std::size_t>() - result.inserted;
      result.unchanged = file.row_count - counts[1].as<std::size_t>();
    } catch (const db::QueryError& e) {
      throw file_failed(file, e);
    }
    outcome.files.push_back(result);
  }
  if (commit == Commit::yes) {
    transaction.commit();
  } else {
    transaction.rollback();
  }
  return outcome;
}

}  // namespace agentdb::seed
