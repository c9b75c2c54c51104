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
  std::size_t prefix = 0;
  while (prefix < a.size() && prefix < b.size() && a[prefix] == b[prefix])
    ++prefix;
  if (prefix == a.size() && prefix == b.size())
    return {};
  std::size_t suffix = 0;
  while (suffix < a.size() - prefix && suffix < b.size() - prefix &&
         a[a.size() - 1 - suffix] == b[b.size() - 1 - suffix]) {
    ++suffix;
  }
  // Up to three lines of each side of the changed region, trimmed, joined with " | ".
  const auto region = [prefix, suffix](const std::vector<std::string>& lines) {
    std::vector<std::string> shown;
    for (auto i = prefix; i < lines.size() - suffix && shown.size() < 3; ++i) {
      shown.emplace_back(util::trim(lines[i]));
    }
    return shown.empty() ? std::string("<nothing>") : "'" + util::join(shown, " | ") + "'";
  };
  return "schema dump line " + std::to_string(prefix + 1) + ": " + region(a) + " became " +
         region(b);
}

RoundtripResult verify_roundtrip(const db::ConnectionTarget& target,
                                 const std::vector<Revision>& revisions, const Output& out) {
  RoundtripResult result;
  const auto base = first_reversible(revisions);
  result.revisions_checked = static_cast<int>(revisions.size() - base);
  ScratchDatabase scratch(target);
  result.scratch_database = scratch.target().dbname;
  Runner runner(scratch.target(), revisions);
  runner.up(0, base);
  const auto empty = runner.dump();
  auto before = empty;
  for (auto i = base; i < revisions.size(); ++i) {
    out.detail("roundtrip: " + revisions[i].label());
    runner.up(i, i + 1);
    const auto applied = runner.dump();
    runner.down(i, i + 1);
    if (const auto after = runner.dump(); after != before) {
      result.culprit = revisions[i].label();
      result.difference = first_difference(before, after);
      return result;
    }
    runner.up(i, i + 1);
    before = applied;
  }
  runner.down(base, revisions.size());
  if (const auto reverted = runner.dump(); reverted != empty) {
    result.difference = first_difference(empty, reverted);
    return result;
  }
  runner.up(base, revisions.size());
  result.difference = first_difference(before, runner.dump());
  return result;
}

}  // namespace agentdb::migrate
