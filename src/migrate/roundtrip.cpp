#include "migrate/roundtrip.hpp"

#include <unistd.h>

#include <chrono>

#include "db/pg_tools.hpp"
#include "db/session.hpp"
#include "migrate/applier.hpp"
#include "util/strings.hpp"

namespace agentdb::migrate {

namespace {

// A database that exists for the length of one check and is dropped even when the check fails.
class ScratchDatabase {
 public:
  explicit ScratchDatabase(const db::ConnectionTarget& admin) : admin_(admin) {
    const auto stamp = std::chrono::steady_clock::now().time_since_epoch().count();
    name_ = "agentdb_verify_" + std::to_string(::getpid()) + "_" + std::to_string(stamp % 1000000);
    auto session = db::Session::open(admin_);
    session->exec("CREATE DATABASE " + session->quote_name(name_) + " TEMPLATE template0");
  }
  ~ScratchDatabase() {
    try {
      auto session = db::Session::open(admin_);
      session->exec("DROP DATABASE IF EXISTS " + session->quote_name(name_) + " WITH (FORCE)");
    } catch (...) {
      // Reported by nobody: the check's own result matters more than the cleanup's.
    }
  }
  ScratchDatabase(const ScratchDatabase&) = delete;
  ScratchDatabase& operator=(const ScratchDatabase&) = delete;

  [[nodiscard]] db::ConnectionTarget target() const { return db::with_database(admin_, name_); }

 private:
  db::ConnectionTarget admin_;
  std::string name_;
};

std::string schema_dump(const db::ConnectionTarget& target) {
  const auto result = db::run_pg_client(
      "pg_dump", {"--schema-only", "--exclude-table=agentdb_schema_migrations*"}, target);
  if (!result.ok()) {
    throw Error(ExitCode::failure,
                "pg_dump of the scratch database failed: " + util::one_line(result.err));
  }
  return normalise_dump(result.out);
}

// Revisions after the newest irreversible one: only those can be reverted and re-applied.
std::size_t first_reversible(const std::vector<Revision>& revisions) {
  std::size_t base = 0;
  for (std::size_t i = 0; i < revisions.size(); ++i) {
    if (revisions[i].irreversible())
      base = i + 1;
  }
  return base;
}

class Runner {
 public:
  Runner(const db::ConnectionTarget& target, const std::vector<Revision>& revisions)
      : target_(target),
        revisions_(revisions),
        session_(db::Session::open(target)),
        history_(*session_),
        applier_(*session_, history_) {
    history_.ensure_tables();
  }
  void up(std::size_t from, std::size_t to) {
    for (auto i = from; i < to; ++i)
      applier_.up(revisions_[i]);
  }
  void down(std::size_t from, std::size_t to) {
    for (auto i = to; i > from; --i)
      applier_.down(revisions_[i - 1]);
  }
  [[nodiscard]] std::string dump() const { return schema_dump(target_); }

 private:
  db::ConnectionTarget target_;
  const std::vector<Revision>& revisions_;
  std::unique_ptr<db::Session> session_;
  History history_;
  Applier applier_;
};

// Applies each revision up, down and up again, comparing dumps around every down.
void locate_culprit(const db::ConnectionTarget& admin, const std::vector<Revision>& revisions,
                    std::size_t base, RoundtripResult& result) {
  ScratchDatabase scratch(admin);
  Runner runner(scratch.target(), revisions);
  runner.up(0, base);
  for (auto i = base; i < revisions.size(); ++i) {
    const auto before = runner.dump();
    runner.up(i, i + 1);
    runner.down(i, i + 1);
    const auto after = runner.dump();
    if (before != after) {
      result.culprit = revisions[i].label();
      result.difference = first_difference(before, after);
      return;
    }
    runner.up(i, i + 1);
  }
}

}  // namespace

std::string normalise_dump(const std::string& dump) {
  std::string out;
  out.reserve(dump.size());
  for (const auto& line : util::split_lines(dump)) {
    if (line.starts_with("\\restrict") || line.starts_with("\\unrestrict") ||
        line.starts_with("-- Dumped from") || line.starts_with("-- Dumped by")) {
      continue;
    }
    out += line;
    out += '\n';
  }
  return out;
}

std::string first_difference(const std::string& before, const std::string& after) {
  const auto a = util::split_lines(before);
  const auto b = util::split_lines(after);
  for (std::size_t i = 0; i < std::max(a.size(), b.size()); ++i) {
    const std::string left = i < a.size() ? a[i] : "<end of dump>";
    const std::string right = i < b.size() ? b[i] : "<end of dump>";
    if (left != right) {
      return "schema dump line " + std::to_string(i + 1) + ": '" + left + "' became '" + right +
             "'";
    }
  }
  return {};
}

RoundtripResult verify_roundtrip(const db::ConnectionTarget& target,
                                 const std::vector<Revision>& revisions, const Output& out) {
  RoundtripResult result;
  const auto base = first_reversible(revisions);
  result.revisions_checked = static_cast<int>(revisions.size() - base);
  {
    ScratchDatabase scratch(target);
    Runner runner(scratch.target(), revisions);
    out.detail("roundtrip: applying revisions in a scratch database");
    runner.up(0, base);
    const auto empty = runner.dump();
    runner.up(base, revisions.size());
    const auto first = runner.dump();
    runner.down(base, revisions.size());
    const auto reverted = runner.dump();
    runner.up(base, revisions.size());
    const auto last = runner.dump();
    if (empty == reverted && first == last)
      return result;
    result.difference =
        first_difference(first == last ? empty : first, first == last ? reverted : last);
  }
  out.detail("roundtrip: schemas differ; checking revisions one at a time");
  locate_culprit(target, revisions, base, result);
  return result;
}

}  // namespace agentdb::migrate
