#include "migrate/roundtrip.hpp"

#include <unistd.h>

#include <algorithm>
#include <chrono>
#include <functional>
#include <memory>
#include <set>

#include "core/error.hpp"
#include "db/pg_tools.hpp"
#include "db/session.hpp"
#include "migrate/applier.hpp"
#include "util/strings.hpp"

namespace agentdb::migrate {

namespace {

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

// A database that exists for the length of one check, dropped even when the check fails, and the
// session that applies and reverts revisions in it.
class ScratchState {
 public:
  ScratchState(const db::ConnectionTarget& admin, const std::string& name,
               const std::vector<Revision>& revisions)
      : admin_(admin),
        target_(create_database(admin, name)),
        revisions_(revisions),
        session_(db::Session::open(target_)),
        history_(*session_),
        applier_(*session_, history_) {
    history_.ensure_tables();
  }
  ~ScratchState() {
    try {
      session_.reset();
      auto session = db::Session::open(admin_);
      session->exec("DROP DATABASE IF EXISTS " + session->quote_name(target_.dbname) +
                    " WITH (FORCE)");
    } catch (...) {
      // Reported by nobody: the check's own result matters more than the cleanup's.
    }
  }
  ScratchState(const ScratchState&) = delete;
  ScratchState& operator=(const ScratchState&) = delete;

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
  static db::ConnectionTarget create_database(const db::ConnectionTarget& admin,
                                              const std::string& name) {
    auto session = db::Session::open(admin);
    session->exec("CREATE DATABASE " + session->quote_name(name) + " TEMPLATE template0");
    return db::with_database(admin, name);
  }

  db::ConnectionTarget admin_;
  db::ConnectionTarget target_;
  const std::vector<Revision>& revisions_;
  std::unique_ptr<db::Session> session_;
  History history_;
  Applier applier_;
};

// The message of the Error(failure) a revision's SQL raised, or nullopt when the step ran. Other
// errors (a lost connection) end the whole check: every later step would only repeat them.
std::optional<std::string> error_of(const std::function<void()>& step) {
  try {
    step();
    return std::nullopt;
  } catch (const Error& e) {
    if (e.code() != ExitCode::failure)
      throw;
    return util::one_line(e.what());
  }
}

class RoundtripCheck {
 public:
  RoundtripCheck(const db::ConnectionTarget& admin, const std::vector<Revision>& revisions,
                 const RoundtripProgress& progress, RoundtripResult& result)
      : admin_(admin), revisions_(revisions), progress_(progress), result_(result) {
    const auto stamp = std::chrono::steady_clock::now().time_since_epoch().count();
    result_.scratch_database =
        "agentdb_verify_" + std::to_string(::getpid()) + "_" + std::to_string(stamp % 1000000);
  }

  void run() {
    const auto base = first_reversible(revisions_);
    start_over(base);
    const auto empty = state_->dump();
    auto before = empty;
    for (auto i = base; i < revisions_.size(); ++i) {
      report("roundtrip: " + revisions_[i].label());
      ++result_.revisions_checked;
      if (auto error = error_of([&] { state_->up(i, i + 1); })) {
        record(&revisions_[i], RoundtripStage::up_failed, *error);
        return;  // every later revision builds on this one
      }
      auto applied = state_->dump();
      if (!revert_and_reapply(i, before)) {
        start_over(i + 1);
        applied = state_->dump();
      }
      before = std::move(applied);
    }
    const auto already_fails =
        std::any_of(result_.failures.begin(), result_.failures.end(),
                    [](const RoundtripFailure& f) { return f.fails(Strictness::lenient); });
    if (!already_fails)
      check_whole_set(base, empty, before);
  }

 private:
  void report(const std::string& line) const {
    if (progress_)
      progress_(line);
  }

  // False when the scratch state no longer is the one the revisions so far give.
  bool revert_and_reapply(std::size_t i, const std::string& before) {
    const auto* revision = &revisions_[i];
    if (auto error = error_of([&] { state_->down(i, i + 1); })) {
      record(revision, RoundtripStage::down_failed, *error);
      return false;
    }
    if (record_differences(revision, RoundtripStage::down_differs, before, state_->dump()))
      return false;
    if (auto error = error_of([&] { state_->up(i, i + 1); })) {
      record(revision, RoundtripStage::up_failed, *error);
      return false;
    }
    return true;
  }

  // Costs no dump beyond today's on a clean set: the states compared are those already taken.
  void check_whole_set(std::size_t base, const std::string& empty, const std::string& applied) {
    result_.whole_set_checked = true;
    const auto count = revisions_.size();
    if (auto error = error_of([&] { state_->down(base, count); })) {
      record(nullptr, RoundtripStage::full_revert, *error);
      return;
    }
    if (record_differences(nullptr, RoundtripStage::full_revert, empty, state_->dump()))
      return;
    if (auto error = error_of([&] { state_->up(base, count); })) {
      record(nullptr, RoundtripStage::full_reapply, *error);
      return;
    }
    (void)record_differences(nullptr, RoundtripStage::full_reapply, applied, state_->dump());
  }

  // A new scratch database with the first `through` revisions applied by their up files alone.
  void start_over(std::size_t through) {
    state_.reset();
    auto name = result_.scratch_database;
    if (++databases_ > 1) {
      name += "_" + std::to_string(databases_);
      report("roundtrip: carrying on in a fresh scratch database " + name);
    }
    state_ = std::make_unique<ScratchState>(admin_, name, revisions_);
    state_->up(0, through);
  }

  RoundtripFailure& record(const Revision* revision, RoundtripStage stage, std::string error) {
    auto& failure = result_.failures.emplace_back();
    if (revision != nullptr) {
      failure.version = revision->version;
      failure.name = revision->name;
    }
    failure.stage = stage;
    failure.error = std::move(error);
    return failure;
  }

  // Dumps that differ only in pg_dump's session settings hold the same objects: no failure.
  bool record_differences(const Revision* revision, RoundtripStage stage, const std::string& before,
                          const std::string& after) {
    if (before == after)
      return false;
    auto objects = diff_schema_dumps(before, after);
    if (objects.empty())
      return false;
    record(revision, stage, {}).objects = std::move(objects);
    return true;
  }

  db::ConnectionTarget admin_;
  const std::vector<Revision>& revisions_;
  const RoundtripProgress& progress_;
  RoundtripResult& result_;
  std::unique_ptr<ScratchState> state_;
  int databases_ = 0;
};

}  // namespace

std::string_view to_string(RoundtripStage stage) {
  switch (stage) {
    case RoundtripStage::down_failed:
      return "down-failed";
    case RoundtripStage::up_failed:
      return "up-failed";
    case RoundtripStage::full_revert:
      return "full-revert";
    case RoundtripStage::full_reapply:
      return "full-reapply";
    default:
      return "down-differs";
  }
}

bool RoundtripFailure::fails(Strictness strictness) const {
  return !error.empty() || strictness == Strictness::strict ||
         std::any_of(objects.begin(), objects.end(), [](const ObjectDifference& o) {
           return o.difference_class == DifferenceClass::real;
         });
}

bool RoundtripResult::ok() const {
  return std::none_of(failures.begin(), failures.end(),
                      [this](const RoundtripFailure& f) { return f.fails(strictness); });
}

RoundtripResult verify_roundtrip(const db::ConnectionTarget& target,
                                 const std::vector<Revision>& revisions, Strictness strictness,
                                 const RoundtripProgress& progress) {
  RoundtripResult result;
  result.strictness = strictness;
  RoundtripCheck(target, revisions, progress, result).run();
  return result;
}

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

}  // namespace agentdb::migrate
