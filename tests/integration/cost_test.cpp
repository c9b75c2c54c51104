// agentdb cost on the shipped schema and demo data: figures checked against sums worked out by hand
// from seeds/demo/090_cost_tracking.json, zero-filled days, period and time-zone boundaries, the
// budget's exit codes, a recompute after a price change, the rollup under concurrent inserts, and
// the HTML page rendered by headless Chromium.
#include <gtest/gtest.h>

#include <nlohmann/json.hpp>

#include <algorithm>
#include <atomic>
#include <thread>

#include "test_support.hpp"
#include "util/files.hpp"
#include "util/strings.hpp"
#include "util/subprocess.hpp"

#ifndef AGENTDB_SOURCE_DIR
#define AGENTDB_SOURCE_DIR "."
#endif

namespace agentdb::testing {

using nlohmann::json;

class CostTest : public ::testing::Test {
 protected:
  void SetUp() override {
    const auto up = run_agentdb(
        {"--database-url", db.url(), "migrate", "--dir", AGENTDB_SOURCE_DIR "/migrations", "up"});
    ASSERT_EQ(up.exit_code, 0) << up.err;
    const auto seed = run_agentdb({"--database-url", db.url(), "seed", "--dir",
                                   AGENTDB_SOURCE_DIR "/seeds", "reference", "demo"});
    ASSERT_EQ(seed.exit_code, 0) << seed.err;
  }

  [[nodiscard]] CommandResult cost(std::vector<std::string> arguments) const {
    std::vector<std::string> argv{"--database-url", db.url(), "cost"};
    argv.insert(argv.end(), arguments.begin(), arguments.end());
    return run_agentdb(argv);
  }

  [[nodiscard]] json cost_json(std::vector<std::string> arguments, int expected_exit = 0) const {
    arguments.insert(arguments.begin(), "--json");
    const auto result = cost(arguments);
    EXPECT_EQ(result.exit_code, expected_exit) << result.err;
    return result.out.empty() ? json::object() : json::parse(result.out);
  }

  // A user of the test's own, so that demo rows dated today do not count.
  [[nodiscard]] std::string new_user(const std::string& email) const {
    return db.scalar("INSERT INTO users (email) VALUES ('" + email + "') RETURNING id");
  }

  void add_cost(const std::string& user, const std::string& model, const std::string& cost,
                const std::string& at, const std::string& provider = "openai") const {
    (void)db.scalar(
        "INSERT INTO cost_tracking (user_id, model_provider, model_name, prompt_tokens,"
        " completion_tokens, total_tokens, total_cost_usd, created_at) VALUES ('" +
        user + "', '" + provider + "', '" + model + "', 100, 50, 150, " + cost + ", " + at + ")");
  }

  ScratchDatabase db;
};

TEST_F(CostTest, ReportMatchesTheDemoDataToTheCentFromRollupAndLedgerAlike) {
  // Worked out from seeds/demo/090_cost_tracking.json: 22 rows in October (0.79185182 USD),
  // 24 in November (1.15479104 USD), 46 in all (1.94664286 USD).
  const auto months =
      cost_json({"report", "--from", "2026-10-01", "--to", "2026-11-30", "--group-by", "month"});
  EXPECT_EQ(months["source"], "rollup");
  ASSERT_EQ(months["groups"].size(), 2u);
  EXPECT_EQ(months["groups"][0]["key"], "2026-10");
  EXPECT_EQ(months["groups"][0]["cost_usd"], "0.79185182");
  EXPECT_EQ(months["groups"][0]["requests"], 22);
  EXPECT_EQ(months["groups"][1]["cost_usd"], "1.15479104");
  EXPECT_EQ(months["groups"][1]["requests"], 24);
  EXPECT_EQ(months["total"]["cost_usd"], "1.94664286");
  EXPECT_EQ(months["total"]["requests"], 46);
  EXPECT_EQ(months["previous_period"]["cost_usd"], "0");
  EXPECT_TRUE(months["change_pct"].is_null());
  EXPECT_EQ(months["total"]["total_tokens"].get<long long>(),
            months["total"]["prompt_tokens"].get<long long>() +
                months["total"]["completion_tokens"].get<long long>());

  // The same period through the ledger (another time zone): the same money.
  const auto berlin = cost_json({"report", "--from", "2026-10-01", "--to", "2026-11-30", "--tz",
                                 "Europe/Berlin", "--group-by", "provider"});
  EXPECT_EQ(berlin["source"], "ledger");
  EXPECT_EQ(berlin["total"]["cost_usd"], "1.94664286");

  // Execution times: the rollup's histogram against percentile_cont over agent_executions
  // ("Etc/UTC" is UTC by another name, which sends the report to the ledger).
  const auto exact = cost_json({"report", "--from", "2026-10-01", "--to", "2026-11-30",
                                "--group-by", "month", "--tz", "Etc/UTC"});
  EXPECT_EQ(exact["source"], "ledger");
  for (std::size_t i = 0; i < 2; ++i) {
    const auto& fast = months["groups"][i];
    const auto& slow = exact["groups"][i];
    EXPECT_NEAR(fast["avg_execution_ms"].get<double>(), slow["avg_execution_ms"].get<double>(),
                1e-6);
    EXPECT_NEAR(fast["p95_execution_ms"].get<double>(), slow["p95_execution_ms"].get<double>(),
                0.05 * slow["p95_execution_ms"].get<double>());
  }

  // By model over a window that starts and ends inside months, after compaction (whole months
  // come from exec_monthly, the edge days from exec_daily): the same averages as the ledger's.
  ASSERT_EQ(cost({"rollup", "--compact"}).exit_code, 0);
  for (const auto& [from, to] :
       std::vector<std::pair<std::string, std::string>>{{"2026-10-12", "2026-11-20"},
                                                        {"2026-10-01", "2026-11-30"},
                                                        {"2026-11-02", "2026-11-20"}}) {
    const auto rolled = cost_json({"report", "--from", from, "--to", to, "--group-by", "model"});
    const auto ledger =
        cost_json({"report", "--from", from, "--to", to, "--group-by", "model", "--tz", "Etc/UTC"});
    ASSERT_EQ(rolled["groups"].size(), ledger["groups"].size());
    for (std::size_t i = 0; i < rolled["groups"].size(); ++i) {
      EXPECT_EQ(rolled["groups"][i]["key"], ledger["groups"][i]["key"]);
      EXPECT_EQ(rolled["groups"][i]["avg_execution_ms"].is_null(),
                ledger["groups"][i]["avg_execution_ms"].is_null());
      if (!ledger["groups"][i]["avg_execution_ms"].is_null()) {
        EXPECT_NEAR(rolled["groups"][i]["avg_execution_ms"].get<double>(),
                    ledger["groups"][i]["avg_execution_ms"].get<double>(), 1e-6)
            << from << " " << to << " " << rolled["groups"][i]["key"];
      }
    }
  }

  const auto models = cost_json({"report", "--from", "2026-10-01", "--group-by", "model"});
  EXPECT_EQ(models["groups"][0]["key"], "claude-sonnet-4-5");
  EXPECT_EQ(models["groups"][0]["cost_usd"], "1.558254");
  EXPECT_FALSE(models["groups"][0]["p95_execution_ms"].is_null());

  const auto table =
      cost({"report", "--from", "2026-10-01", "--to", "2026-11-30", "--group-by", "month"});
  EXPECT_NE(table.out.find("2026-10  0.79"), std::string::npos) << table.out;
  EXPECT_NE(table.out.find("TOTAL    1.95"), std::string::npos) << table.out;
  const auto csv = cost({"report", "--from", "2026-10-01", "--to", "2026-11-30", "--group-by",
                         "month", "--format", "csv"});
  EXPECT_EQ(csv.out.rfind("month,label,cost_usd,requests,", 0), 0u) << csv.out;
  EXPECT_NE(csv.out.find("\nTOTAL,,1.94664286,46,"), std::string::npos) << csv.out;

  const auto top = cost_json({"top", "--by", "model", "--limit", "2", "--from", "2026-10-01"});
  ASSERT_EQ(top["groups"].size(), 2u);
  EXPECT_EQ(top["groups"][0]["share_pct"], "80.0%");  // 1.558254 of 1.94664286
}

TEST_F(CostTest, EmptyDaysAreZeroRowsAndDaysFollowTheTimeZone) {
  const auto days =
      cost_json({"report", "--from", "2026-10-01", "--to", "2026-10-10", "--group-by", "day"});
  ASSERT_EQ(days["groups"].size(), 10u);
  EXPECT_EQ(days["groups"][0]["key"], "2026-10-01");
  EXPECT_EQ(days["groups"][0]["cost_usd"], "0");
  EXPECT_EQ(days["groups"][0]["requests"], 0);

  const auto user = new_user("boundary@example.com");
  add_cost(user, "gpt-4o", "1.00", "'2026-12-31T23:59:59.999Z'");
  add_cost(user, "gpt-4o", "2.00", "'2027-01-01T00:00:00Z'");
  const auto utc =
      cost_json({"report", "--from", "2026-12-31", "--to", "2027-01-01", "--group-by", "day"});
  ASSERT_EQ(utc["groups"].size(), 2u);
  EXPECT_EQ(utc["groups"][0]["cost_usd"], "1");
  EXPECT_EQ(utc["groups"][1]["cost_usd"], "2");
  const auto new_york = cost_json({"report", "--from", "2026-12-31", "--to", "2027-01-01",
                                   "--group-by", "day", "--tz", "America/New_York"});
  EXPECT_EQ(new_york["groups"][0]["cost_usd"], "3");
  EXPECT_EQ(new_york["groups"][1]["cost_usd"], "0");
  const auto months =
      cost_json({"report", "--from", "2026-12-01", "--to", "2027-01-31", "--group-by", "month"});
  EXPECT_EQ(months["groups"][0]["cost_usd"], "1");
  EXPECT_EQ(months["groups"][1]["cost_usd"], "2");
  // The previous period of 2027-01-01 alone is 2026-12-31: 1 USD, so +100%.
  const auto one_day = cost_json({"report", "--from", "2027-01-01", "--to", "2027-01-01"});
  EXPECT_EQ(one_day["previous_period"]["cost_usd"], "1");
  EXPECT_EQ(one_day["change_pct"], "100.0");
  const auto weeks =
      cost_json({"report", "--from", "2026-12-28", "--to", "2027-01-03", "--group-by", "week"});
  ASSERT_EQ(weeks["groups"].size(), 1u);  // ISO week 2026-W53 runs Monday 28 Dec to Sunday 3 Jan
  EXPECT_EQ(weeks["groups"][0]["key"], "2026-W53");
  EXPECT_EQ(weeks["groups"][0]["cost_usd"], "3");
}

TEST_F(CostTest, BudgetExitCodesFollowTheMonitoringConvention) {
  const auto user = new_user("budget@example.com");
  for (const char* amount : {"4.00", "3.00", "3.00"})
    add_cost(user, "gpt-4o", amount, "now()");
  const auto status = [&](const std::vector<std::string>& extra) {
    std::vector<std::string> args{"budget", "--period", "day", "--user", user};
    args.insert(args.end(), extra.begin(), extra.end());
    return cost(args).exit_code;
  };
  EXPECT_EQ(status({"--limit-usd", "20"}), 0);    // 50%
  EXPECT_EQ(status({"--limit-usd", "12.5"}), 1);  // 80%: warning from 80% on
  EXPECT_EQ(status({"--limit-usd", "10"}), 1);    // 100%: at the limit, not over it
  EXPECT_EQ(status({"--limit-usd", "9.99"}), 2);  // over
  const auto report =
      cost_json({"budget", "--period", "month", "--per-user", "--limit-usd", "9.99"}, 2);
  bool found = false;
  for (const auto& person : report["spend"]) {
    if (person["key"] == user) {
      found = true;
      EXPECT_EQ(person["spent_usd"], "10.0000000000");
      EXPECT_EQ(person["status"], "CRITICAL");
      EXPECT_EQ(person["label"], "budget@example.com");
    }
  }
  EXPECT_TRUE(found) << report.dump();
  EXPECT_EQ(report["status"], "CRITICAL");
  const auto negative = cost({"budget", "--limit-usd", "-5"});
  EXPECT_EQ(negative.exit_code, 2);
  EXPECT_NE(negative.err.find("invalid --limit-usd '-5'"), std::string::npos) << negative.err;
}

// Whatever keeps `cost budget` from its figures is UNKNOWN (3) to monitoring, never a budget
// status: a status line on stdout, one error line on stderr.
TEST(CostBudget, WithoutItsSchemaOrServerTheBudgetIsUnknownNotWarning) {
  ScratchDatabase empty;  // no migrations applied
  for (const std::vector<std::string>& extra :
       {std::vector<std::string>{}, {"--per-user"}, {"--period", "day"}}) {
    std::vector<std::string> args{"--database-url", empty.url(),   "cost",
                                  "budget",         "--limit-usd", "500"};
    args.insert(args.end(), extra.begin(), extra.end());
    const auto result = run_agentdb(args);
    EXPECT_EQ(result.exit_code, 3) << result.err;
    EXPECT_TRUE(result.out.starts_with("UNKNOWN: ")) << result.out;
    EXPECT_EQ(std::count(result.out.begin(), result.out.end(), '\n'), 1) << result.out;
    EXPECT_EQ(std::count(result.err.begin(), result.err.end(), '\n'), 1) << result.err;
    EXPECT_NE(result.err.find("cost schema is missing"), std::string::npos) << result.err;
    EXPECT_NE(result.err.find("agentdb migrate up"), std::string::npos) << result.err;
  }
  const auto as_json = run_agentdb(
      {"--database-url", empty.url(), "--json", "cost", "budget", "--limit-usd", "500"});
  EXPECT_EQ(as_json.exit_code, 3);
  const auto document = json::parse(as_json.out);
  EXPECT_EQ(document["status"], "UNKNOWN");
  EXPECT_EQ(document["exit_code"], 3);

  const auto unreachable = run_agentdb({"--database-url", "postgresql://agentdb@127.0.0.1:1/x",
                                        "cost", "budget", "--limit-usd", "500"});
  EXPECT_EQ(unreachable.exit_code, 3) << unreachable.err;
  EXPECT_EQ(unreachable.out, "UNKNOWN: cannot connect to the database\n");
}

TEST(CostBudget, ALimitIsAPlainPositiveAmountOfBoundedSize) {
  for (const char* limit : {"1e3", "5.", ".5", "+5", " 5", "5 ", "nan", "1234567890123456",
                            "1.12345678901", "0.0", "5,00", "5usd"}) {
    const auto result = run_agentdb({"cost", "budget", "--limit-usd", limit});
    EXPECT_EQ(result.exit_code, 2) << limit << ": " << result.err;
    EXPECT_NE(result.err.find("--limit-usd"), std::string::npos) << result.err;
  }
}

TEST_F(CostTest, RecomputeAppliesACorrectedPriceInOneTransaction) {
  const auto before =
      db.scalar("SELECT sum(total_cost_usd) FROM cost_tracking WHERE model_name = 'gpt-4o-mini'");
  // A corrected price: twice the list price from October on.
  (void)db.scalar(
      "INSERT INTO model_prices (provider, model, input_usd_per_million, output_usd_per_million,"
      " effective_from) VALUES ('openai', 'gpt-4o-mini', 0.30, 1.20, '2026-10-01T00:00:00Z')");
  const auto expected = db.scalar(
      "SELECT sum(model_cost_usd(model_provider, model_name, prompt_tokens, completion_tokens,"
      " created_at)::numeric(20,10)) FROM cost_tracking WHERE model_name = 'gpt-4o-mini'");
  ASSERT_NE(expected, before);

  const auto dry =
      cost_json({"recompute", "--from", "2026-10-01", "--to", "2026-11-30", "--dry-run"});
  EXPECT_EQ(
      db.scalar("SELECT sum(total_cost_usd) FROM cost_tracking WHERE model_name = 'gpt-4o-mini'"),
      before);
  const auto done = cost_json({"recompute", "--from", "2026-10-01", "--to", "2026-11-30"});
  EXPECT_EQ(done["rows_changed"], dry["rows_changed"]);
  bool found = false;
  for (const auto& model : done["models"]) {
    if (model["model"] == "openai/gpt-4o-mini") {
      found = true;
      EXPECT_EQ(model["rows"], 7);
      EXPECT_EQ(model["new_cost_usd"], expected);
    }
  }
  EXPECT_TRUE(found) << done.dump();
  EXPECT_EQ(
      db.scalar("SELECT sum(total_cost_usd) FROM cost_tracking WHERE model_name = 'gpt-4o-mini'"),
      expected);
  // Every priced row now carries the price in force at its time, and the rollup followed.
  EXPECT_EQ(db.scalar("SELECT count(*) FROM cost_tracking WHERE total_cost_usd <>"
                      " model_cost_usd(model_provider, model_name, prompt_tokens,"
                      " completion_tokens, created_at)::numeric(20,10)"),
            "0");
  const auto report = cost_json({"report", "--from", "2026-10-01", "--to", "2026-11-30",
                                 "--group-by", "model", "--model", "gpt-4o-mini"});
  EXPECT_EQ(report["source"], "rollup");
  auto trimmed = expected;  // reports print numeric sums without trailing zeros
  while (trimmed.back() == '0')
    trimmed.pop_back();
  EXPECT_EQ(report["total"]["cost_usd"], trimmed);
  EXPECT_EQ(cost({"rollup", "--check"}).exit_code, 0);
  // Outside a recompute the ledger stays append-only.
  auto session = db.connect();
  EXPECT_THROW((void)session->exec("UPDATE cost_tracking SET total_cost_usd = 0"), db::QueryError);
}

TEST_F(CostTest, AnUnknownModelIsReportedAndNeverPricedAtZero) {
  const auto user = new_user("mystery@example.com");
  add_cost(user, "mystery-1", "0.50", "now()", "acme");
  const auto report = cost({"--json", "report", "--since", "1d"});
  EXPECT_EQ(report.exit_code, 0) << report.err;
  EXPECT_NE(report.err.find("acme/mystery-1 has costs in this period but no price"),
            std::string::npos)
      << report.err;
  EXPECT_EQ(json::parse(report.out)["unpriced_models"], json::array({"acme/mystery-1"}));
  const auto recompute = cost({"recompute", "--since", "1d"});
  EXPECT_EQ(recompute.exit_code, 0) << recompute.err;
  EXPECT_NE(recompute.err.find("1 rows of acme/mystery-1 have no price"), std::string::npos)
      << recompute.err;
  EXPECT_EQ(db.scalar("SELECT total_cost_usd FROM cost_tracking WHERE model_name = 'mystery-1'"),
            "0.5000000000");
}

TEST_F(CostTest, TheRollupStaysExactUnderConcurrentInsertsAndCompactions) {
  const auto user = new_user("load@example.com");
  std::atomic<bool> done{false};
  std::thread compactor([&] {
    auto session = db.connect();
    while (!done)
      (void)session->exec("SELECT cost_daily_compact()");
  });
  std::vector<std::thread> writers;
  for (int w = 0; w < 4; ++w) {
    writers.emplace_back([&, w] {
      auto session = db.connect();
      for (int i = 0; i < 40; ++i) {
        (void)session->exec("BEGIN");
        (void)session->exec(
            "INSERT INTO cost_tracking (user_id, model_provider, model_name, prompt_tokens,"
            " completion_tokens, total_tokens, total_cost_usd, usage_category, created_at)"
            " SELECT '" +
            user +
            "', 'openai', 'gpt-4o', g, g, 2 * g, g * 0.0000001234, 'chat',"
            " now() - (g || ' hours')::interval FROM generate_series(1, " +
            std::to_string(1 + (i + w) % 5) + ") g");
        (void)session->exec((i + w) % 7 == 0 ? "ROLLBACK" : "COMMIT");
      }
    });
  }
  for (auto& writer : writers)
    writer.join();
  done = true;
  compactor.join();
  const auto check = cost({"--json", "rollup", "--check"});
  EXPECT_EQ(check.exit_code, 0) << check.out << check.err;
  const auto report = cost_json({"report", "--since", "3d"});
  EXPECT_EQ(report["source"], "rollup");
  EXPECT_EQ(std::to_string(report["total"]["requests"].get<long long>()),
            db.scalar("SELECT count(*) FROM cost_tracking WHERE created_at >= current_date - 2"));
  // A dropped partition fires no trigger: --check notices, --rebuild repairs.
  (void)db.scalar("ALTER TABLE cost_tracking DISABLE TRIGGER cost_tracking_rollup_insert");
  add_cost(user, "gpt-4o", "5.00", "now()");
  (void)db.scalar("ALTER TABLE cost_tracking ENABLE TRIGGER cost_tracking_rollup_insert");
  EXPECT_EQ(cost({"rollup", "--check"}).exit_code, 4);
  EXPECT_EQ(cost({"rollup", "--rebuild", "--check"}).exit_code, 0);
}

TEST_F(CostTest, BadInputIsAUsageError) {
  for (const auto& args : std::vector<std::vector<std::string>>{
           {"report", "--group-by", "fortnight"},
           {"report", "--from", "2026-02-30"},
           {"report", "--since", "5y"},
           {"report", "--from", "2026-11-02", "--to", "2026-11-01"},
           {"report", "--tz", "Mars/Olympus_Mons"},
           {"report", "--user", "not-a-uuid"},
           {"report", "--format", "xml"},
           {"top", "--by", "planet"},
           {"report", "--since", "7320w"},
           {"report", "--html", "/nonexistent/dir/cost.html"},
           {"budget", "--limit-usd", "0"},
           {"budget", "--limit-usd", "0x10"},
           {"budget", "--limit-usd", "inf"},
           {"budget", "--limit-usd", "10", "--user", "not-a-uuid"},
           {"budget", "--limit-usd", "10", "--period", "year"},
           {"prices", "--at", "yesterday"},
           {"recompute"}}) {
    const auto result = cost(args);
    EXPECT_EQ(result.exit_code, 2) << args[0] << " " << args[1] << ": " << result.err;
    EXPECT_EQ(std::count(result.err.begin(), result.err.end(), '\n'), 1) << result.err;
  }
}

TEST_F(CostTest, PricesInForceAtADate) {
  const auto now = cost_json({"prices"});
  const auto old = cost_json({"prices", "--at", "2024-09-01"});
  const auto price_of = [](const json& list, const std::string& model) {
    for (const auto& price : list["prices"]) {
      if (price["model"] == model)
        return price["input_usd_per_million"].get<std::string>();
    }
    return std::string("none");
  };
  // gpt-4o: 5.00 from 2024-05-13, 2.50 from 2024-10-02 (seeds/reference/010_model_prices.json).
  EXPECT_EQ(price_of(old, "gpt-4o"), "5.000000");
  EXPECT_EQ(price_of(now, "gpt-4o"), "2.500000");
  EXPECT_GT(now["prices"].size(), old["prices"].size());
}

TEST_F(CostTest, TheHtmlReportRendersInHeadlessChromium) {
  TempDir dir;
  const auto page = dir.path() / "cost.html";
  const auto result = cost({"report", "--from", "2026-10-01", "--to", "2026-11-30", "--group-by",
                            "provider", "--html", page.string()});
  ASSERT_EQ(result.exit_code, 0) << result.err;
  const auto chromium = util::find_program("chromium");
  ASSERT_TRUE(chromium) << "chromium is not installed (scripts/install-deps.sh installs it)";
  const std::vector<std::string> common{chromium->string(), "--headless", "--no-sandbox",
                                        "--disable-gpu",
                                        "--user-data-dir=" + (dir.path() / "profile").string()};
  auto dump_args = common;
  dump_args.insert(dump_args.end(), {"--dump-dom", "file://" + page.string()});
  const auto dom = util::run_process(dump_args);
  ASSERT_EQ(dom.exit_code, 0) << dom.err;
  // The DOM as Chromium parsed it: the chart with bars, the table with a row a provider.
  EXPECT_NE(dom.out.find("<svg"), std::string::npos);
  EXPECT_NE(dom.out.find("id=\"daily-cost\""), std::string::npos);
  EXPECT_NE(dom.out.find("class=\"bar\""), std::string::npos);
  EXPECT_NE(dom.out.find("<td>anthropic</td>"), std::string::npos) << dom.out.substr(0, 2000);
  EXPECT_NE(dom.out.find("id=\"total-cost\">$1.95<"), std::string::npos);
  auto shot_args = common;
  const auto png = dir.path() / "cost.png";
  shot_args.insert(shot_args.end(), {"--screenshot=" + png.string(), "--window-size=1000,900",
                                     "file://" + page.string()});
  const auto shot = util::run_process(shot_args);
  ASSERT_EQ(shot.exit_code, 0) << shot.err;
  const auto bytes = util::read_file(png);
  ASSERT_TRUE(bytes);
  EXPECT_GT(bytes->size(), 10'000u);  // a page with a chart, not a blank
  EXPECT_EQ(bytes->substr(1, 3), "PNG");
}

// A tenant's email and model name carrying a window-title OSC, a screen-clearing CSI, a colour
// code and a C1 CSI; the model name is a spreadsheet formula too.
TEST_F(CostTest, StoredEscapeSequencesNeverReachTheTerminalAndCsvFormulasAreNeutralised) {
  const std::string escapes =
      "\033]0;owned\007\033[2J\033[31m\xC2\x9B"
      "1m";
  const auto email = "tenant" + escapes + "@example.com";
  const auto model = "=HYPERLINK(\"http://evil\")" + escapes;
  add_cost(new_user(email), model, "0.25", "now()");
  const std::vector<std::vector<std::string>> runs{
      {"report", "--since", "1d", "--group-by", "user"},
      {"report", "--since", "1d", "--group-by", "model"},
      {"top", "--since", "1d", "--by", "user"},
      {"top", "--since", "1d", "--by", "model"},
      {"report", "--since", "1d", "--group-by", "user", "--format", "csv"},
      {"report", "--since", "1d", "--group-by", "model", "--format", "csv"}};
  for (const auto& run : runs) {
    const auto result = cost(run);
    const auto what = util::join(run, " ");
    ASSERT_EQ(result.exit_code, 0) << what << ": " << result.err;
    for (const auto* stream : {&result.out, &result.err}) {
      EXPECT_EQ(stream->find('\033'), std::string::npos) << what << ":\n" << *stream;
      EXPECT_EQ(stream->find('\007'), std::string::npos) << what << ":\n" << *stream;
      EXPECT_EQ(stream->find("\xC2\x9B"), std::string::npos) << what << ":\n" << *stream;
    }
    EXPECT_NE(result.out.find("\\x1B]0;owned\\x07\\x1B[2J\\x1B[31m\\u009B1m"), std::string::npos)
        << what << ": the stored text is shown as escapes\n"
        << result.out;
  }
  const auto csv = cost(runs.back());
  EXPECT_NE(csv.out.find("\"'=HYPERLINK(\"\"http://evil\"\")"), std::string::npos) << csv.out;
  for (const auto& line : util::split_lines(csv.out))
    EXPECT_FALSE(line.starts_with("=")) << line;

  // JSON keeps the stored text exactly (its own escaping makes it safe).
  const auto by_model = cost({"--json", "report", "--since", "1d", "--group-by", "model"});
  ASSERT_EQ(by_model.exit_code, 0) << by_model.err;
  EXPECT_EQ(by_model.out.find('\033'), std::string::npos);
  EXPECT_EQ(by_model.out.find("\xC2\x9B"), std::string::npos);
  const auto groups = json::parse(by_model.out)["groups"];
  EXPECT_TRUE(std::any_of(groups.begin(), groups.end(), [&](const json& group) {
    return group["key"].get<std::string>().find(model) != std::string::npos;
  })) << by_model.out;
  const auto by_user = cost_json({"report", "--since", "1d", "--group-by", "user"});
  const auto& users = by_user["groups"];
  EXPECT_TRUE(std::any_of(users.begin(), users.end(), [&](const json& group) {
    return group.value("label", std::string()) == email;
  })) << by_user.dump();
}

}  // namespace agentdb::testing
