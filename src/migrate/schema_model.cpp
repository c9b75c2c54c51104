#include "migrate/lint.hpp"

namespace agentdb::migrate {

void SchemaModel::learn(std::string_view sql) {
  (void)lint_sql(sql, std::string(), TransactionMode::per_revision, *this);
}

bool SchemaModel::has_table(std::string_view table) const {
  return tables_.contains(table);
}

std::optional<std::string> SchemaModel::column_type(std::string_view table,
                                                    std::string_view column) const {
  const auto t = tables_.find(table);
  if (t == tables_.end())
    return std::nullopt;
  const auto c = t->second.find(column);
  if (c == t->second.end() || c->second.empty())
    return std::nullopt;
  return c->second;
}

void SchemaModel::create_table(const std::string& table) {
  tables_[table].clear();
}

void SchemaModel::drop_table(std::string_view table) {
  if (const auto t = tables_.find(table); t != tables_.end())
    tables_.erase(t);
}

void SchemaModel::rename_table(std::string_view from, const std::string& to) {
  const auto t = tables_.find(from);
  if (t == tables_.end()) {
    tables_.erase(to);  // whatever was known under the new name is stale
    return;
  }
  auto columns = std::move(t->second);
  tables_.erase(t);
  tables_[to] = std::move(columns);
}

void SchemaModel::set_column(const std::string& table, const std::string& column,
                             std::string type) {
  tables_[table][column] = std::move(type);
}

void SchemaModel::drop_column(std::string_view table, std::string_view column) {
  const auto t = tables_.find(table);
  if (t == tables_.end())
    return;
  if (const auto c = t->second.find(column); c != t->second.end())
    t->second.erase(c);
}

void SchemaModel::rename_column(std::string_view table, std::string_view from,
                                const std::string& to) {
  const auto t = tables_.find(table);
  if (t == tables_.end())
    return;
  const auto c = t->second.find(from);
  if (c == t->second.end()) {
    t->second.erase(to);
    return;
  }
  auto type = std::move(c->second);
  t->second.erase(c);
  t->second[to] = std::move(type);
}

}  // namespace agentdb::migrate
