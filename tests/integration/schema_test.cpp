// The shipped schema (migrations/*.sql) against a real server: constraints, append-only guards,
// triggers, row-level security, partition maintenance and the indexes of the main access paths.
#include <gtest/gtest.h>

#include <cstddef>
#include <filesystem>
#include <memory>
#include <string>
#include <vector>

#include "test_support.hpp"

#ifndef AGENTDB_SOURCE_DIR
#define AGENTDB_SOURCE_DIR "/work/main"
#endif

namespace agentdb::testing {
namespace {

constexpr const char* kMigrationsDir = AGENTDB_SOURCE_DIR "/migrations";

// Fixed ids, written as SQL literals.
const std::string kUserA = "'a0000000-0000-4000-8000-000000000001'";
const std::string kUserB = "'b0000000-0000-4000-8000-000000000002'";
const std::string kConversationA = "'a1000000-0000-4000-8000-000000000001'";
const std::string kConversationB = "'b1000000-0000-4000-8000-000000000002'";
const std::string kPlanA = "'a2000000-0000-4000-8000-000000000001'";
const std::string kPlanB = "'b2000000-0000-4000-8000-000000000002'";
const std::string kExecutionA = "'a3000000-0000-4000-8000-000000000001'";

// How many revisions ship, so that adding one does not break the tests.
std::size_t shipped_revisions() {
  std::size_t count = 0;
  for (const auto& entry : std::filesystem::directory_iterator(kMigrationsDir)) {
    if (entry.path().filename().string().ends_with(".up.sql"))
      ++count;
  }
  return count;
}

// Runs a query and returns the first column of the first row ("" for none or NULL).
std::string first_value(agentdb::db::Session& session, const std::string& sql) {
  const auto rows = session.exec(sql);
  if (rows.empty() || rows[0][0].is_null())
    return {};
  return rows[0][0].as<std::string>();
}

// The SQLSTATE the server raises for `sql`, read inside PL/pgSQL. Needed because libpqxx 6.4
// throws insufficient_privilege (42501, e.g. a row-level security violation) without its SQLSTATE,
// so QueryError::sqlstate() is empty for exactly the errors the RLS tests expect.
std::string sqlstate_from_server(agentdb::db::Session& session, const std::string& sql) {
  session.exec(
      "CREATE OR REPLACE FUNCTION pg_temp.sqlstate_of(statement text) RETURNS text "
      "LANGUAGE plpgsql AS $$ BEGIN EXECUTE statement; RETURN 'none'; "
      "EXCEPTION WHEN OTHERS THEN RETURN SQLSTATE; END $$");
  return first_value(session, "SELECT pg_temp.sqlstate_of(" + session.quote(sql) + ")");
}

// Succeeds when the server rejects `sql` with `sqlstate` and a message that mentions `mentions`
// (typically the constraint's name, so that a statement failing for another reason does not pass).
::testing::AssertionResult refuses(agentdb::db::Session& session, const std::string& sql,
                                   const std::string& sqlstate, const std::string& mentions) {
  std::string message;
  std::string state;
  try {
    session.exec(sql);
    return ::testing::AssertionFailure() << "the server accepted: " << sql;
  } catch (const agentdb::db::QueryError& e) {
    message = e.what();
    state = e.sqlstate();
  }
  if (state.empty())
    state = sqlstate_from_server(session, sql);  // the statement failed, so it changed nothing
  if (state != sqlstate) {
    return ::testing::AssertionFailure() << "expected SQLSTATE " << sqlstate << ", got " << state
                                         << " (" << message << ") for: " << sql;
  }
  if (message.find(mentions) == std::string::npos) {
    return ::testing::AssertionFailure()
           << "the error does not mention \"" << mentions << "\": " << message;
  }
  return ::testing::AssertionSuccess();
}

// Succeeds when an EXPLAIN output reads `index` with an index scan of some kind and scans no table
// sequentially.
::testing::AssertionResult uses_index(const std::string& plan, const std::string& index) {
  const bool index_scan = plan.find("Index Scan using " + index) != std::string::npos ||
                          plan.find("Index Only Scan using " + index) != std::string::npos ||
                          plan.find("Bitmap Index Scan on " + index) != std::string::npos;
  if (!index_scan)
    return ::testing::AssertionFailure() << "no scan of " << index << " in:\n" << plan;
  if (plan.find("Seq Scan") != std::string::npos)
    return ::testing::AssertionFailure() << "a sequential scan in:\n" << plan;
  return ::testing::AssertionSuccess();
}

// A role of the shared test cluster, named after the scratch database so that concurrent tests do
// not collide (roles are cluster-wide). Dropped, with the privileges granted to it, at the end.
class ScopedRole {
 public:
  ScopedRole(const ScratchDatabase& database, const std::string& suffix,
             const std::string& options = "")
      : database_(database), name_(database.target().dbname + "_" + suffix) {
    database_.connect()->exec("CREATE ROLE " + name_ + " NOLOGIN " + options);
  }
  ~ScopedRole() {
    try {
      database_.connect()->exec("DROP OWNED BY " + name_ + "; DROP ROLE " + name_);
    } catch (...) {
    }
  }
  ScopedRole(const ScopedRole&) = delete;
  ScopedRole& operator=(const ScopedRole&) = delete;

  [[nodiscard]] const std::string& name() const { return name_; }

 private:
  const ScratchDatabase& database_;
  std::string name_;
};

class SchemaTest : public ::testing::Test {
 protected:
  void SetUp() override {
    const auto result = run_agentdb(
        {"--database-url", db.url(), "--no-color", "migrate", "--dir", kMigrationsDir, "up"});
    ASSERT_EQ(result.exit_code, 0) << result.err;
    session = db.connect();
  }

  db::Rows exec(const std::string& sql) const { return session->exec(sql); }
  [[nodiscard]] std::string value(const std::string& sql) const {
    return first_value(*session, sql);
  }
  [[nodiscard]] ::testing::AssertionResult rejects(const std::string& sql,
                                                   const std::string& sqlstate,
                                                   const std::string& mentions) const {
    return refuses(*session, sql, sqlstate, mentions);
  }

  void add_users() const {
    exec("INSERT INTO users (id, email) VALUES (" + kUserA + ", 'a@example.com'), (" + kUserB +
         ", 'b@example.com')");
  }

  // User A: one conversation with two messages, one plan, one execution, one cost row.
  // User B: one conversation with one message, two plans, one execution, two cost rows.
  void add_content_of_two_users() const {
    add_users();
    exec("INSERT INTO conversations (id, user_id) VALUES (" + kConversationA + ", " + kUserA +
         "), (" + kConversationB + ", " + kUserB + ")");
    exec("INSERT INTO messages (conversation_id, role, content) VALUES (" + kConversationA +
         ", 'user', 'a1'), (" + kConversationA + ", 'assistant', 'a2'), (" + kConversationB +
         ", 'user', 'b1')");
    exec("INSERT INTO travel_plans (id, user_id, title) VALUES (" + kPlanA + ", " + kUserA +
         ", 'Lisbon'), (DEFAULT, " + kUserB + ", 'Oslo'), (DEFAULT, " + kUserB + ", 'Rome')");
    exec("INSERT INTO agent_executions (id, user_id, agent_type) VALUES (" + kExecutionA + ", " +
         kUserA + ", 'planner'), (DEFAULT, " + kUserB + ", 'planner')");
    exec(
        "INSERT INTO cost_tracking (user_id, model_provider, model_name, total_cost_usd) VALUES "
        "(" +
        kUserA + ", 'openai', 'gpt-4o', 0.10), (" + kUserB + ", 'openai', 'gpt-4o', 0.20), (" +
        kUserB + ", 'openai', 'gpt-4o', 0.30)");
  }

  // Creates a role with the privileges an application connection needs (the schema grants
  // nothing to any application role, only to agentdb_admin).
  [[nodiscard]] std::unique_ptr<ScopedRole> application_role() const {
    auto role = std::make_unique<ScopedRole>(db, "app");
    const auto& r = role->name();
    exec("GRANT USAGE ON SCHEMA public TO " + r);
    exec(
        "GRANT SELECT, INSERT, UPDATE, DELETE ON users, api_keys, sessions, conversations, "
        "messages, travel_plans, agent_executions TO " +
        r);
    exec("GRANT SELECT, INSERT ON cost_tracking, audit_logs TO " + r);
    exec("GRANT SELECT ON agents, model_prices TO " + r);
    return role;
  }

  // What a session can see of the user-owned tables, in one line.
  [[nodiscard]] static std::string visible_rows(agentdb::db::Session& as) {
    return first_value(as,
                       "SELECT format('users=%s conversations=%s messages=%s travel_plans=%s "
                       "agent_executions=%s cost_tracking=%s', "
                       "(SELECT count(*) FROM users), (SELECT count(*) FROM conversations), "
                       "(SELECT count(*) FROM messages), (SELECT count(*) FROM travel_plans), "
                       "(SELECT count(*) FROM agent_executions), "
                       "(SELECT count(*) FROM cost_tracking))");
  }

  [[nodiscard]] std::string counters(const std::string& conversation) const {
    return value(
        "SELECT message_count || ' ' || coalesce((last_message_at AT TIME ZONE 'UTC')::text, "
        "'never') FROM conversations WHERE id = " +
        conversation);
  }

  [[nodiscard]] std::string explain(const std::string& query) const {
    std::string plan;
    for (const auto& row : exec("EXPLAIN " + query))
      plan += row[0].as<std::string>() + "\n";
    return plan;
  }

  ScratchDatabase db;
  std::unique_ptr<agentdb::db::Session> session;
};

// Applying and checking the migrations

TEST_F(SchemaTest, AppliesAllRevisionsAndPassesTheRoundTripCheck) {
  const auto revisions = std::to_string(shipped_revisions());
  EXPECT_EQ(value("SELECT count(*) FROM agentdb_schema_migrations WHERE status = 'applied'"),
            revisions);
  const auto result = run_agentdb({"--database-url", db.url(), "--no-color", "migrate", "--dir",
                                   kMigrationsDir, "verify", "--roundtrip"});
  EXPECT_EQ(result.exit_code, 0) << result.out << result.err;
  EXPECT_NE(result.out.find(revisions + " of " + revisions + " applied revisions match"),
            std::string::npos)
      << result.out;
  EXPECT_NE(result.out.find("schemas identical"), std::string::npos) << result.out;
}

TEST_F(SchemaTest, LintFindsNoErrorsInTheShippedMigrations) {
  const auto result =
      run_agentdb({"--no-color", "migrate", "--dir", kMigrationsDir, "lint", "--all"});
  EXPECT_EQ(result.exit_code, 0) << result.out << result.err;
  EXPECT_NE(result.out.find(std::to_string(shipped_revisions()) + " file(s) checked: 0 error(s)"),
            std::string::npos)
      << result.out;
}

// Constraints

TEST_F(SchemaTest, RejectsUnknownEnumValues) {
  add_content_of_two_users();
  EXPECT_TRUE(rejects("INSERT INTO agents (name, agent_type) VALUES ('x', 'robot')", "23514",
                      "agents_agent_type_check"));
  EXPECT_NO_THROW(exec("INSERT INTO agents (name, agent_type) VALUES ('x', 'parallel')"));
  EXPECT_TRUE(
      rejects("INSERT INTO messages (conversation_id, role) VALUES (" + kConversationA + ", 'bot')",
              "23514", "messages_role_check"));
  EXPECT_TRUE(rejects("INSERT INTO messages (conversation_id, role, message_type) VALUES (" +
                          kConversationA + ", 'user', 'image')",
                      "23514", "messages_message_type_check"));
  EXPECT_TRUE(rejects("UPDATE agent_executions SET status = 'done' WHERE id = " + kExecutionA,
                      "23514", "agent_executions_status_check"));
  EXPECT_TRUE(rejects("UPDATE travel_plans SET status = 'lost' WHERE id = " + kPlanA, "23514",
                      "travel_plans_status_check"));
  EXPECT_TRUE(
      rejects("INSERT INTO cost_tracking (user_id, model_provider, model_name, "
              "total_cost_usd, usage_category) VALUES (" +
                  kUserA + ", 'openai', 'gpt-4o', 0, 'misc')",
              "23514", "cost_tracking_usage_category_check"));
}

TEST_F(SchemaTest, RejectsNegativeTokenCountsAndCosts) {
  add_users();
  const std::string execution =
      "INSERT INTO agent_executions (user_id, agent_type, prompt_tokens, completion_tokens, "
      "total_tokens) VALUES (" +
      kUserA + ", 'planner', ";
  EXPECT_TRUE(rejects(execution + "-1, 1, 0)", "23514", "agent_executions_tokens_check"));
  EXPECT_TRUE(rejects(execution + "1, -1, 0)", "23514", "agent_executions_tokens_check"));
  EXPECT_NO_THROW(exec(execution + "0, 0, 0)"));

  const std::string cost =
      "INSERT INTO cost_tracking (user_id, model_provider, model_name, prompt_tokens, "
      "completion_tokens, total_tokens, total_cost_usd) VALUES (" +
      kUserA + ", 'openai', 'gpt-4o', ";
  EXPECT_TRUE(rejects(cost + "-5, 10, 5, 0)", "23514", "cost_tracking_tokens_check"));
  EXPECT_TRUE(rejects(cost + "10, -5, 5, 0)", "23514", "cost_tracking_tokens_check"));
  EXPECT_TRUE(
      rejects(cost + "10, 5, 15, -0.0000000001)", "23514", "cost_tracking_total_cost_usd_check"));
  EXPECT_NO_THROW(exec(cost + "10, 5, 15, 0)"));

  EXPECT_TRUE(
      rejects("INSERT INTO travel_plans (user_id, title, budget) VALUES (" + kUserA + ", 'x', -1)",
              "23514", "travel_plans_budget_check"));
  EXPECT_TRUE(
      rejects("INSERT INTO model_prices (provider, model, input_usd_per_million, "
              "output_usd_per_million, effective_from) VALUES ('openai', 'gpt-4o', -1, "
              "1, now())",
              "23514", "model_prices_price_check"));
}

TEST_F(SchemaTest, RejectsTotalTokensThatAreNotPromptPlusCompletion) {
  add_users();
  const std::string execution =
      "INSERT INTO agent_executions (user_id, agent_type, prompt_tokens, completion_tokens, "
      "total_tokens) VALUES (" +
      kUserA + ", 'planner', 100, 20, ";
  EXPECT_TRUE(rejects(execution + "100)", "23514", "agent_executions_tokens_check"));
  EXPECT_TRUE(rejects(execution + "121)", "23514", "agent_executions_tokens_check"));
  EXPECT_NO_THROW(exec(execution + "120)"));

  const std::string cost =
      "INSERT INTO cost_tracking (user_id, model_provider, model_name, prompt_tokens, "
      "completion_tokens, total_tokens, total_cost_usd) VALUES (" +
      kUserA + ", 'openai', 'gpt-4o', 100, 20, ";
  EXPECT_TRUE(rejects(cost + "0, 0.01)", "23514", "cost_tracking_tokens_check"));
  EXPECT_NO_THROW(exec(cost + "120, 0.01)"));
  // Defaults are 0 + 0 = 0, so a row that leaves total_tokens out must leave the others out too.
  EXPECT_TRUE(rejects("INSERT INTO agent_executions (user_id, agent_type, prompt_tokens) VALUES (" +
                          kUserA + ", 'planner', 7)",
                      "23514", "agent_executions_tokens_check"));
}

TEST_F(SchemaTest, RejectsATravelPlanThatEndsBeforeItStarts) {
  add_users();
  const std::string plan =
      "INSERT INTO travel_plans (user_id, title, start_date, end_date) VALUES (" + kUserA +
      ", 'Trip', '2030-06-10', ";
  EXPECT_TRUE(rejects(plan + "'2030-06-09')", "23514", "travel_plans_dates_check"));
  EXPECT_NO_THROW(exec(plan + "'2030-06-10')"));
  EXPECT_NO_THROW(exec(plan + "NULL)"));
  EXPECT_TRUE(rejects("UPDATE travel_plans SET end_date = '2030-01-01'", "23514",
                      "travel_plans_dates_check"));
}

TEST_F(SchemaTest, RejectsMalformedApiKeyHashes) {
  add_users();
  const auto key = [](const std::string& hash) {
    return "INSERT INTO api_keys (user_id, name, key_hash, key_prefix) VALUES (" + kUserA +
           ", 'ci', '" + hash + "', 'sk_live_ab12')";
  };
  const std::string valid = "9f86d081884c7d659a2feaa0c55ad015a3bf4f1b2b0b822cd15d6c15b0f00a08";
  ASSERT_EQ(valid.size(), 64u);
  EXPECT_TRUE(rejects(key(valid.substr(1)), "23514", "api_keys_key_hash_check"));
  EXPECT_TRUE(rejects(key(valid + "0"), "23514", "api_keys_key_hash_check"));
  EXPECT_TRUE(rejects(key("9F86D081884C7D659A2FEAA0C55AD015A3BF4F1B2B0B822CD15D6C15B0F00A08"),
                      "23514", "api_keys_key_hash_check"));
  EXPECT_TRUE(rejects(key(std::string(63, 'a') + "g"), "23514", "api_keys_key_hash_check"));
  EXPECT_TRUE(rejects(key("sha256:" + valid.substr(7)), "23514", "api_keys_key_hash_check"));
  EXPECT_NO_THROW(exec(key(valid)));
  EXPECT_TRUE(rejects(key(valid), "23505", "api_keys_key_hash_key"));
}

TEST_F(SchemaTest, RejectsAnEmailThatDiffersOnlyInCaseFromALiveUser) {
  exec("INSERT INTO users (id, email) VALUES (" + kUserA + ", 'Ada@Example.com')");
  EXPECT_TRUE(rejects("INSERT INTO users (email) VALUES ('ada@example.COM')", "23505",
                      "users_email_lower_key"));
  // Unique among live users only: a soft-deleted account frees the address.
  exec("UPDATE users SET deleted_at = now() WHERE id = " + kUserA);
  EXPECT_NO_THROW(exec("INSERT INTO users (email) VALUES ('ada@example.COM')"));
  EXPECT_EQ(value("SELECT count(*) FROM users WHERE lower(email) = 'ada@example.com'"), "2");
}

TEST_F(SchemaTest, RejectsASecondEventWithTheSameAggregateVersion) {
  const std::string event = "INSERT INTO events (aggregate_id, type, version) VALUES (";
  exec(event + kPlanA + ", 'PlanCreated', 1)");
  EXPECT_TRUE(
      rejects(event + kPlanA + ", 'PlanRenamed', 1)", "23505", "events_aggregate_id_version_key"));
  EXPECT_NO_THROW(exec(event + kPlanA + ", 'PlanRenamed', 2)"));
  EXPECT_NO_THROW(exec(event + kConversationA + ", 'ConversationStarted', 1)"));
  EXPECT_TRUE(rejects(event + kPlanA + ", 'PlanCreated', 0)", "23514", "events_version_check"));
}

TEST_F(SchemaTest, RejectsAFinishedExecutionWithoutCompletedAt) {
  add_users();
  const std::string execution =
      "INSERT INTO agent_executions (user_id, agent_type, status, completed_at) VALUES (" + kUserA +
      ", 'planner', ";
  EXPECT_TRUE(
      rejects(execution + "'completed', NULL)", "23514", "agent_executions_finished_check"));
  EXPECT_TRUE(rejects(execution + "'failed', NULL)", "23514", "agent_executions_finished_check"));
  EXPECT_NO_THROW(exec(execution + "'running', NULL)"));
  EXPECT_NO_THROW(exec(execution + "'completed', now())"));
  EXPECT_TRUE(rejects("UPDATE agent_executions SET status = 'completed' WHERE status = 'running'",
                      "23514", "agent_executions_finished_check"));
  EXPECT_TRUE(rejects(execution + "'completed', now() - interval '1 hour')", "23514",
                      "agent_executions_completed_at_check"));
}

TEST_F(SchemaTest, RejectsRowsThatPointAtMissingParents) {
  add_users();
  EXPECT_TRUE(rejects(
      "INSERT INTO messages (conversation_id, role) VALUES (" + kConversationB + ", 'user')",
      "23503", "messages_conversation_id_fkey"));
  EXPECT_TRUE(
      rejects("INSERT INTO cost_tracking (user_id, plan_id, model_provider, model_name, "
              "total_cost_usd) VALUES (" +
                  kUserA + ", " + kPlanA + ", 'openai', 'gpt-4o', 0)",
              "23503", "cost_tracking_plan_id_fkey"));
}

TEST_F(SchemaTest, RefusesToHardDeleteAUserWithBillingRecords) {
  add_content_of_two_users();
  EXPECT_TRUE(
      rejects("DELETE FROM users WHERE id = " + kUserA, "23503", "cost_tracking_user_id_fkey"));
  EXPECT_EQ(value("SELECT count(*) FROM users"), "2");
}

// Append-only tables

TEST_F(SchemaTest, CostTrackingRejectsUpdateAndDeleteButLetsItsReferencesBecomeNull) {
  add_users();
  exec("INSERT INTO travel_plans (id, user_id, title) VALUES (" + kPlanA + ", " + kUserA +
       ", 'Lisbon')");
  exec("INSERT INTO agent_executions (id, user_id, agent_type) VALUES (" + kExecutionA + ", " +
       kUserA + ", 'planner')");
  exec(
      "INSERT INTO cost_tracking (user_id, plan_id, agent_execution_id, model_provider, "
      "model_name, total_cost_usd) VALUES (" +
      kUserA + ", " + kPlanA + ", " + kExecutionA + ", 'openai', 'gpt-4o', 0.25)");

  EXPECT_TRUE(rejects("UPDATE cost_tracking SET total_cost_usd = 0", "23001", "append-only"));
  EXPECT_TRUE(rejects("DELETE FROM cost_tracking", "23001", "append-only"));
  EXPECT_TRUE(rejects("UPDATE cost_tracking SET plan_id = NULL, total_cost_usd = 0", "23001",
                      "append-only"));
  exec("INSERT INTO travel_plans (id, user_id, title) VALUES (" + kPlanB + ", " + kUserA +
       ", 'Other')");
  EXPECT_TRUE(
      rejects("UPDATE cost_tracking SET plan_id = " + kPlanB, "23001", "may only be set to NULL"));

  // What ON DELETE SET NULL needs is allowed: the cost stays on the books.
  exec("DELETE FROM travel_plans WHERE id = " + kPlanA);
  exec("DELETE FROM agent_executions WHERE id = " + kExecutionA);
  EXPECT_EQ(value("SELECT format('%s %s %s', plan_id, agent_execution_id, total_cost_usd) "
                  "FROM cost_tracking"),
            "  0.2500000000");
}

TEST_F(SchemaTest, AuditLogsRejectUpdateAndDelete) {
  exec("INSERT INTO audit_logs (user_id, action, resource_type, resource_id) VALUES (" + kUserA +
       ", 'login', 'users', 'a')");
  EXPECT_TRUE(rejects("UPDATE audit_logs SET action = 'logout'", "23001", "append-only"));
  EXPECT_TRUE(rejects("UPDATE audit_logs SET user_id = NULL", "23001", "append-only"));
  EXPECT_TRUE(rejects("DELETE FROM audit_logs", "23001", "append-only"));
  EXPECT_EQ(value("SELECT action FROM audit_logs"), "login");
}

TEST_F(SchemaTest, EventsRejectUpdateAndDelete) {
  exec("INSERT INTO events (aggregate_id, type, version) VALUES (" + kPlanA +
       ", 'PlanCreated', 1)");
  EXPECT_TRUE(rejects("UPDATE events SET data = '{\"x\": 1}'", "23001", "append-only"));
  EXPECT_TRUE(rejects("UPDATE events SET version = version", "23001", "append-only"));
  EXPECT_TRUE(rejects("DELETE FROM events", "23001", "append-only"));
  EXPECT_EQ(value("SELECT count(*) FROM events"), "1");
}

// Triggers

TEST_F(SchemaTest, UpdatedAtFollowsRealChangesButNotNoOpUpdates) {
  const std::string old = "'2001-01-01 00:00:00+00'";
  exec("INSERT INTO users (id, email, created_at, updated_at) VALUES (" + kUserA +
       ", 'a@example.com', " + old + ", " + old + ")");
  exec("INSERT INTO agents (name, created_at, updated_at) VALUES ('a', " + old + ", " + old + ")");
  exec("INSERT INTO sessions (user_id, created_at, updated_at) VALUES (" + kUserA + ", " + old +
       ", " + old + ")");
  exec("INSERT INTO conversations (user_id, created_at, updated_at) VALUES (" + kUserA + ", " +
       old + ", " + old + ")");
  exec("INSERT INTO travel_plans (user_id, title, created_at, updated_at) VALUES (" + kUserA +
       ", 't', " + old + ", " + old + ")");

  struct Case {
    std::string table;
    std::string noop;
    std::string change;
  };
  const std::vector<Case> cases{
      {"users", "email = email", "name = 'Ada'"},
      {"agents", "name = name", "description = 'd'"},
      {"sessions", "status = status", "status = 'idle'"},
      {"conversations", "title = title", "title = 'Hello'"},
      {"travel_plans", "title = title", "title = 'Rome'"},
  };
  for (const auto& c : cases) {
    SCOPED_TRACE(c.table);
    exec("UPDATE " + c.table + " SET " + c.noop);
    EXPECT_EQ(value("SELECT updated_at = " + old + " FROM " + c.table), "t");
    exec("BEGIN");
    exec("UPDATE " + c.table + " SET " + c.change);
    EXPECT_EQ(value("SELECT updated_at = now() AND created_at = " + old + " FROM " + c.table), "t");
    exec("COMMIT");
  }
}

TEST_F(SchemaTest, TravelPlanVersionGoesUpByOneOnEachRealChange) {
  add_users();
  exec("INSERT INTO travel_plans (id, user_id, title) VALUES (" + kPlanA + ", " + kUserA +
       ", 'Lisbon')");
  const std::string version = "SELECT version FROM travel_plans WHERE id = " + kPlanA;
  EXPECT_EQ(value(version), "1");
  exec("UPDATE travel_plans SET title = 'Porto' WHERE id = " + kPlanA);
  EXPECT_EQ(value(version), "2");
  exec("UPDATE travel_plans SET title = 'Porto' WHERE id = " + kPlanA);
  EXPECT_EQ(value(version), "2");
  // A writer that bumps the version itself does not count twice.
  exec("UPDATE travel_plans SET title = 'Faro', version = version + 1 WHERE id = " + kPlanA);
  EXPECT_EQ(value(version), "3");
  // Optimistic concurrency: a writer holding a stale version updates nothing.
  EXPECT_EQ(
      exec("UPDATE travel_plans SET title = 'Braga' WHERE id = " + kPlanA + " AND version = 2")
          .affected_rows(),
      0u);
}

TEST_F(SchemaTest, InsertingMessagesMaintainsTheConversationCounters) {
  add_users();
  exec("INSERT INTO conversations (id, user_id) VALUES (" + kConversationA + ", " + kUserA +
       "), (" + kConversationB + ", " + kUserA + ")");
  EXPECT_EQ(counters(kConversationA), "0 never");

  // One statement, several rows, two conversations.
  exec("INSERT INTO messages (conversation_id, role, created_at) VALUES (" + kConversationA +
       ", 'user', '2030-01-01 10:00+00'), (" + kConversationA +
       ", 'assistant', '2030-01-01 10:05+00'), (" + kConversationB +
       ", 'user', '2030-01-01 09:00+00'), (" + kConversationA + ", 'user', '2030-01-01 10:01+00')");
  EXPECT_EQ(counters(kConversationA), "3 2030-01-01 10:05:00");
  EXPECT_EQ(counters(kConversationB), "1 2030-01-01 09:00:00");

  // Separate statements; an older message does not move last_message_at back.
  exec("INSERT INTO messages (conversation_id, role, created_at) VALUES (" + kConversationA +
       ", 'user', '2030-01-01 11:00+00')");
  exec("INSERT INTO messages (conversation_id, role, created_at) VALUES (" + kConversationA +
       ", 'user', '2029-12-31 23:00+00')");
  EXPECT_EQ(counters(kConversationA), "5 2030-01-01 11:00:00");

  // INSERT ... SELECT of many rows.
  exec("INSERT INTO messages (conversation_id, role, created_at) SELECT " + kConversationB +
       ", 'tool', '2030-01-02 00:00+00'::timestamptz + g * interval '1 second' "
       "FROM generate_series(1, 100) g");
  EXPECT_EQ(counters(kConversationB), "101 2030-01-02 00:01:40");
  EXPECT_EQ(counters(kConversationA), "5 2030-01-01 11:00:00");
  EXPECT_EQ(value("SELECT sum(message_count) = (SELECT count(*) FROM messages) FROM conversations"),
            "t");
}

TEST_F(SchemaTest, RolledBackMessagesLeaveTheConversationCountersUnchanged) {
  add_users();
  exec("INSERT INTO conversations (id, user_id) VALUES (" + kConversationA + ", " + kUserA + ")");
  exec("INSERT INTO messages (conversation_id, role, created_at) VALUES (" + kConversationA +
       ", 'user', '2030-01-01 10:00+00')");

  exec("BEGIN");
  exec("INSERT INTO messages (conversation_id, role, created_at) VALUES (" + kConversationA +
       ", 'user', '2030-01-01 12:00+00'), (" + kConversationA +
       ", 'assistant', '2030-01-01 12:01+00')");
  EXPECT_EQ(counters(kConversationA), "3 2030-01-01 12:01:00");  // in the same transaction
  exec("ROLLBACK");
  EXPECT_EQ(counters(kConversationA), "1 2030-01-01 10:00:00");

  // A statement that fails half-way counts nothing either.
  EXPECT_TRUE(rejects("INSERT INTO messages (conversation_id, role, created_at) VALUES (" +
                          kConversationA + ", 'user', '2030-01-01 13:00+00'), (" + kConversationA +
                          ", 'nobody', '2030-01-01 13:01+00')",
                      "23514", "messages_role_check"));
  EXPECT_EQ(counters(kConversationA), "1 2030-01-01 10:00:00");
}

// Row-level security

TEST_F(SchemaTest, AnApplicationRoleSeesOnlyTheRowsOfTheUserItActsFor) {
  add_content_of_two_users();
  const auto role = application_role();
  auto app = db.connect();
  app->exec("SET ROLE " + role->name());

  app->exec("SET app.current_user_id = " + kUserA);
  EXPECT_EQ(visible_rows(*app),
            "users=1 conversations=1 messages=2 travel_plans=1 agent_executions=1 "
            "cost_tracking=1");
  EXPECT_EQ(first_value(*app,
                        "SELECT string_agg(DISTINCT user_id::text, ',') FROM ("
                        "SELECT user_id FROM conversations UNION ALL "
                        "SELECT user_id FROM travel_plans UNION ALL "
                        "SELECT user_id FROM agent_executions UNION ALL "
                        "SELECT user_id FROM cost_tracking UNION ALL "
                        "SELECT id FROM users UNION ALL "
                        "SELECT c.user_id FROM messages m "
                        "JOIN conversations c ON c.id = m.conversation_id) AS owners"),
            kUserA.substr(1, kUserA.size() - 2));

  app->exec("SET app.current_user_id = " + kUserB);
  EXPECT_EQ(visible_rows(*app),
            "users=1 conversations=1 messages=1 travel_plans=2 agent_executions=1 "
            "cost_tracking=2");

  // Nor can it read a partition directly, around the parent's policies.
  EXPECT_TRUE(refuses(*app, "SELECT count(*) FROM messages_default", "42501", "messages_default"));
}

TEST_F(SchemaTest, AnApplicationRoleSeesNothingWithoutAUser) {
  add_content_of_two_users();
  const auto role = application_role();
  auto app = db.connect();
  app->exec("SET ROLE " + role->name());
  const std::string nothing =
      "users=0 conversations=0 messages=0 travel_plans=0 agent_executions=0 cost_tracking=0";
  EXPECT_EQ(visible_rows(*app), nothing);  // never set in this session
  app->exec("SET app.current_user_id = ''");
  EXPECT_EQ(visible_rows(*app), nothing);
  app->exec("SET app.current_user_id = 'c0000000-0000-4000-8000-000000000003'");  // no such user
  EXPECT_EQ(visible_rows(*app), nothing);
  // Garbage is an error, not a silent match.
  app->exec("SET app.current_user_id = 'not-a-uuid'");
  EXPECT_TRUE(refuses(*app, "SELECT count(*) FROM conversations", "22P02", "uuid"));
}

TEST_F(SchemaTest, AnApplicationRoleCannotWriteRowsOfAnotherUser) {
  add_content_of_two_users();
  const auto role = application_role();
  auto app = db.connect();
  app->exec("SET ROLE " + role->name());
  app->exec("SET app.current_user_id = " + kUserA);

  EXPECT_TRUE(refuses(*app, "INSERT INTO conversations (user_id) VALUES (" + kUserB + ")", "42501",
                      "row-level security policy for table \"conversations\""));
  EXPECT_TRUE(refuses(
      *app, "INSERT INTO messages (conversation_id, role) VALUES (" + kConversationB + ", 'user')",
      "42501", "row-level security policy for table \"messages\""));
  EXPECT_TRUE(refuses(*app,
                      "INSERT INTO travel_plans (user_id, title) VALUES (" + kUserB + ", 'x')",
                      "42501", "row-level security policy for table \"travel_plans\""));
  EXPECT_TRUE(refuses(*app,
                      "INSERT INTO cost_tracking (user_id, model_provider, model_name, "
                      "total_cost_usd) VALUES (" +
                          kUserB + ", 'openai', 'gpt-4o', 0)",
                      "42501", "row-level security policy for table \"cost_tracking\""));
  EXPECT_TRUE(refuses(*app, "UPDATE travel_plans SET user_id = " + kUserB, "42501",
                      "row-level security policy for table \"travel_plans\""));
  EXPECT_EQ(app->exec("UPDATE travel_plans SET title = 'mine now' WHERE user_id = " + kUserB)
                .affected_rows(),
            0u);
  EXPECT_EQ(app->exec("DELETE FROM conversations WHERE user_id = " + kUserB).affected_rows(), 0u);

  // Its own rows it can write, and the message counters follow under RLS.
  EXPECT_NO_THROW(app->exec("INSERT INTO messages (conversation_id, role) VALUES (" +
                            kConversationA + ", 'user'), (" + kConversationA + ", 'assistant')"));
  EXPECT_EQ(value("SELECT message_count FROM conversations WHERE id = " + kConversationA), "4");
  EXPECT_EQ(value("SELECT count(*) FROM travel_plans WHERE title = 'mine now'"), "0");
  EXPECT_EQ(value("SELECT count(*) FROM conversations"), "2");
}

TEST_F(SchemaTest, MembersOfAgentdbAdminSeeEveryUsersRows) {
  add_content_of_two_users();
  const ScopedRole admin(db, "admin", "IN ROLE agentdb_admin");
  auto as_admin = db.connect();
  as_admin->exec("SET ROLE " + admin.name());
  const std::string everything =
      "users=2 conversations=2 messages=3 travel_plans=3 agent_executions=2 cost_tracking=3";
  EXPECT_EQ(visible_rows(*as_admin), everything);
  as_admin->exec("SET app.current_user_id = " + kUserA);
  EXPECT_EQ(visible_rows(*as_admin), everything);

  // An application role without the membership, for contrast.
  const auto role = application_role();
  auto app = db.connect();
  app->exec("SET ROLE " + role->name());
  EXPECT_EQ(visible_rows(*app),
            "users=0 conversations=0 messages=0 travel_plans=0 agent_executions=0 "
            "cost_tracking=0");
}

// Partitions

TEST_F(SchemaTest, EnsureAllMonthlyPartitionsCoversThisMonthAndThreeAhead) {
  exec("BEGIN");  // one now() for the call and the expectation
  const auto expected = value(
      "SELECT string_agg('public.' || t || '_p' || to_char(m, 'YYYYMM'), ',' ORDER BY t, m) "
      "FROM unnest(ARRAY['audit_logs', 'cost_tracking', 'messages']) AS t, generate_series("
      "date_trunc('month', now() AT TIME ZONE 'UTC'), "
      "date_trunc('month', now() AT TIME ZONE 'UTC') + interval '3 months', "
      "interval '1 month') AS m");
  EXPECT_EQ(value("SELECT string_agg(p, ',' ORDER BY p) FROM ensure_all_monthly_partitions() AS p"),
            expected);
  exec("COMMIT");
  EXPECT_EQ(value("SELECT count(*) FROM ensure_all_monthly_partitions()"), "0");  // idempotent

  // A row written now lands in this month's partition, not in the DEFAULT one.
  add_users();
  exec("INSERT INTO conversations (id, user_id) VALUES (" + kConversationA + ", " + kUserA + ")");
  const std::string month = "to_char(created_at AT TIME ZONE 'UTC', 'YYYYMM')";
  EXPECT_EQ(value("INSERT INTO messages (conversation_id, role) VALUES (" + kConversationA +
                  ", 'user') RETURNING tableoid::regclass::text = 'messages_p' || " + month),
            "t");
  EXPECT_EQ(value("INSERT INTO cost_tracking (user_id, model_provider, model_name, "
                  "total_cost_usd) VALUES (" +
                  kUserA +
                  ", 'openai', 'gpt-4o', 0) RETURNING tableoid::regclass::text = "
                  "'cost_tracking_p' || " +
                  month),
            "t");
  EXPECT_EQ(value("INSERT INTO audit_logs (action, resource_type) VALUES ('login', 'users') "
                  "RETURNING tableoid::regclass::text = 'audit_logs_p' || " +
                  month),
            "t");
}

TEST_F(SchemaTest, RowsAreRoutedToThePartitionOfTheirUtcMonth) {
  // Months are UTC months whatever the session's time zone; 2030-11-30 23:00 in New York is
  // already December in UTC.
  exec("SET TimeZone = 'America/New_York'");
  EXPECT_EQ(value("SELECT string_agg(p, ',') FROM "
                  "ensure_monthly_partitions('audit_logs', 2, '2030-11-30 23:00-05') AS p"),
            "public.audit_logs_p203012,public.audit_logs_p203101,public.audit_logs_p203102");
  const auto partition_of = [this](const std::string& at) {
    return value(
        "INSERT INTO audit_logs (action, resource_type, created_at) VALUES ('login', "
        "'users', '" +
        at + "') RETURNING tableoid::regclass::text");
  };
  EXPECT_EQ(partition_of("2030-12-01 00:00:00+00"), "audit_logs_p203012");
  EXPECT_EQ(partition_of("2030-12-31 23:59:59.999999+00"), "audit_logs_p203012");
  EXPECT_EQ(partition_of("2030-12-31 20:30:00-05"), "audit_logs_p203101");  // 01:30 UTC
  EXPECT_EQ(partition_of("2031-02-28 12:00:00+00"), "audit_logs_p203102");
  EXPECT_EQ(partition_of("2031-03-01 00:00:00+00"), "audit_logs_default");
  EXPECT_EQ(partition_of("2030-11-30 23:59:59+00"), "audit_logs_default");
}

TEST_F(SchemaTest, EnsureMonthlyPartitionsMovesRowsOutOfTheDefaultPartition) {
  add_users();
  exec("INSERT INTO conversations (id, user_id) VALUES (" + kConversationA + ", " + kUserA + ")");
  exec("INSERT INTO messages (conversation_id, role, created_at) VALUES (" + kConversationA +
       ", 'user', '2031-03-15 12:00+00'), (" + kConversationA + ", 'user', '2031-04-15 12:00+00')");
  exec(
      "INSERT INTO cost_tracking (user_id, model_provider, model_name, total_cost_usd, "
      "created_at) VALUES (" +
      kUserA + ", 'openai', 'gpt-4o', 1, '2031-03-20 00:00+00'), (" + kUserA +
      ", 'openai', 'gpt-4o', 2, '2035-01-01 00:00+00')");
  EXPECT_EQ(value("SELECT string_agg(DISTINCT tableoid::regclass::text, ',') FROM messages"),
            "messages_default");

  EXPECT_EQ(value("SELECT string_agg(p, ',') FROM ensure_all_monthly_partitions(0, "
                  "'2031-03-01 00:00+00') AS p"),
            "public.audit_logs_p203103,public.cost_tracking_p203103,public.messages_p203103");

  EXPECT_EQ(value("SELECT string_agg(tableoid::regclass::text, ',' ORDER BY created_at) "
                  "FROM messages"),
            "messages_p203103,messages_default");
  EXPECT_EQ(value("SELECT string_agg(tableoid::regclass::text, ',' ORDER BY created_at) "
                  "FROM cost_tracking"),
            "cost_tracking_p203103,cost_tracking_default");
  // Moving rows does not count them again.
  EXPECT_EQ(counters(kConversationA), "2 2031-04-15 12:00:00");
  // The append-only guard is back on the DEFAULT partition and present on the new one.
  EXPECT_TRUE(rejects("DELETE FROM cost_tracking WHERE total_cost_usd = 2", "23001",
                      "cost_tracking_default is append-only"));
  EXPECT_TRUE(rejects("UPDATE cost_tracking SET total_cost_usd = 5 WHERE total_cost_usd = 1",
                      "23001", "cost_tracking_p203103 is append-only"));
  // New partitions have RLS enabled (without policies) like the DEFAULT ones, so that a grant on
  // a partition would not open a way around the parent's policies.
  EXPECT_EQ(value("SELECT string_agg(relname || '=' || relrowsecurity, ',' ORDER BY relname) "
                  "FROM pg_class WHERE relname LIKE '%\\_p203103'"),
            "audit_logs_p203103=true,cost_tracking_p203103=true,messages_p203103=true");
}

// The execution-time histogram

TEST_F(SchemaTest, ExecutionTimeBucketsMatchTheExactFormulaAtEveryBucketEdge) {
  // The float formula can only be wrong next to a bucket edge 2^(k/8) - 1: compare it with the
  // numeric formula of the first revision at the integers on both sides of every edge below
  // 2^40 ms, and on a dense range of ordinary times.
  EXPECT_EQ(value("WITH edge AS (SELECT power(2::numeric, k / 8.0) AS t FROM generate_series(0, "
                  "320) AS k), "
                  "ms AS (SELECT floor(t)::bigint - 1 + d AS ms FROM edge, generate_series(-1, 2) "
                  "AS d UNION SELECT generate_series(-5, 100000)) "
                  "SELECT count(*) || ' of ' || (SELECT count(*) FROM ms) FROM ms "
                  "WHERE exec_time_bucket(ms) <> floor(8 * log(2, greatest(ms, 0) + 1))::smallint"),
            "0 of 100758");
  EXPECT_EQ(value("SELECT exec_time_bucket(0) || ' ' || exec_time_bucket(1) || ' ' || "
                  "exec_time_bucket(7) || ' ' || exec_time_bucket(1023)"),
            "0 8 24 80");
}

// Indexes of the main access paths

TEST_F(SchemaTest, TheMainAccessPathsUseTheirIndexes) {
  const std::string user =
      "('00000000-0000-4000-8000-' || lpad(to_hex(g % 100 + 1), 12, '0'))::uuid";
  const std::string conversation =
      "('10000000-0000-4000-8000-' || lpad(to_hex(g % 100 + 1), 12, '0'))::uuid";
  exec("INSERT INTO users (id, email) SELECT " + user +
       ", 'user' || g || '@example.com' FROM generate_series(0, 99) g");
  exec("INSERT INTO travel_plans (user_id, title, created_at, deleted_at) SELECT " + user +
       ", 'plan ' || g, now() - g * interval '1 minute', "
       "CASE WHEN g % 5 = 0 THEN now() END FROM generate_series(1, 5000) g");
  exec("INSERT INTO conversations (id, user_id, created_at) SELECT " + conversation + ", " + user +
       ", now() - interval '30 days' FROM generate_series(0, 99) g");
  exec("INSERT INTO messages (conversation_id, role, content, created_at) SELECT " + conversation +
       ", 'user', 'message ' || g, now() - g * interval '1 minute' "
       "FROM generate_series(1, 5000) g");
  exec(
      "INSERT INTO cost_tracking (user_id, model_provider, model_name, total_cost_usd, "
      "created_at) SELECT " +
      user +
      ", 'openai', 'gpt-4o', 0.001 * g, now() - g * interval '10 minutes' "
      "FROM generate_series(1, 5000) g");
  exec(
      "INSERT INTO agent_executions (user_id, agent_type, status, created_at, completed_at) "
      "SELECT " +
      user +
      ", 'planner', 'completed', now() - g * interval '1 minute', now() "
      "FROM generate_series(1, 5000) g");
  exec(
      "VACUUM (ANALYZE) users, travel_plans, conversations, messages, cost_tracking, "
      "agent_executions");

  const std::string some_user = "'00000000-0000-4000-8000-000000000005'";
  {
    SCOPED_TRACE("a user's active plans, newest first");
    const auto plan = explain("SELECT * FROM travel_plans WHERE user_id = " + some_user +
                              " AND deleted_at IS NULL ORDER BY created_at DESC LIMIT 20");
    EXPECT_TRUE(uses_index(plan, "travel_plans_user_id_created_at_idx"));
    EXPECT_EQ(plan.find("Sort"), std::string::npos) << plan;  // the index gives the order
  }
  {
    SCOPED_TRACE("a conversation's messages in order");
    const auto plan = explain(
        "SELECT * FROM messages WHERE conversation_id = "
        "'10000000-0000-4000-8000-000000000005' ORDER BY created_at, id");
    EXPECT_TRUE(uses_index(plan, "messages_default_conversation_id_created_at_id_idx"));
  }
  {
    SCOPED_TRACE("a user's costs by day");
    const auto plan = explain(
        "SELECT date_trunc('day', created_at) AS day, sum(total_cost_usd) FROM cost_tracking "
        "WHERE user_id = " +
        some_user + " AND created_at >= now() - interval '30 days' GROUP BY 1 ORDER BY 1");
    EXPECT_TRUE(uses_index(plan, "cost_tracking_default_user_id_created_at_total_cost_usd_idx"));
    EXPECT_NE(plan.find("Index Only Scan"), std::string::npos) << plan;  // never the heap
  }
  {
    SCOPED_TRACE("executions in the last hour");
    const auto plan =
        explain("SELECT * FROM agent_executions WHERE created_at >= now() - interval '1 hour'");
    EXPECT_TRUE(uses_index(plan, "agent_executions_created_at_idx"));
  }
}

}  // namespace
}  // namespace agentdb::testing
