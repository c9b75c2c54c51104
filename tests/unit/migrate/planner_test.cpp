#include "migrate/planner.hpp"

#include <gtest/gtest.h>

#include "core/error.hpp"

namespace agentdb::migrate {

namespace {

Revision revision(long long version, std::string checksum = "c", bool irreversible = false) {
  Revision r;
  r.version = version;
  r.name = "r" + std::to_string(version);
  r.checksum = std::move(checksum);
  if (irreversible)
    r.directives.reversibility = Reversibility::irreversible;
  return r;
}

HistoryRecord record(long long version, std::string checksum = "c",
                     RecordStatus status = RecordStatus::applied) {
  HistoryRecord r;
  r.version = version;
  r.name = "r" + std::to_string(version);
  r.checksum = std::move(checksum);
  r.status = status;
  return r;
}

std::vector<long long> versions(const std::vector<const Revision*>& plan) {
  std::vector<long long> out;
  for (const auto* r : plan)
    out.push_back(r->version);
  return out;
}

ExitCode code_of(const std::function<void()>& fn) {
  try {
    fn();
  } catch (const Error& e) {
    return e.code();
  }
  return ExitCode::ok;
}

}  // namespace

TEST(Status, ClassifiesEveryState) {
  const std::vector<Revision> files = {revision(1), revision(2, "changed"), revision(3),
                                       revision(5)};
  const std::vector<HistoryRecord> records = {record(1), record(2), record(4)};
  const auto status = compute_status(files, records);
  ASSERT_EQ(status.entries.size(), 5u);
  EXPECT_EQ(status.entries[0].state, RevisionState::applied);
  EXPECT_EQ(status.entries[1].state, RevisionState::modified);
  EXPECT_EQ(status.entries[2].state, RevisionState::out_of_order);
  EXPECT_EQ(status.entries[3].state, RevisionState::missing);
  EXPECT_EQ(status.entries[4].state, RevisionState::pending);
  EXPECT_EQ(status.current, 4);
  EXPECT_FALSE(status.clean());
}

TEST(Status, FailedRecordsAreFailedEvenWithoutAFile) {
  const std::vector<Revision> files = {revision(1)};
  const std::vector<HistoryRecord> records = {record(1, "c", RecordStatus::failed),
                                              record(2, "c", RecordStatus::running)};
  const auto status = compute_status(files, records);
  EXPECT_EQ(status.entries[0].state, RevisionState::failed);
  EXPECT_EQ(status.entries[1].state, RevisionState::failed);
  EXPECT_FALSE(status.current);
}

TEST(PlanUp, AppliesPendingInOrderUpToTheTarget) {
  const std::vector<Revision> files = {revision(1), revision(2), revision(3)};
  const std::vector<HistoryRecord> records = {record(1)};
  const auto status = compute_status(files, records);
  EXPECT_EQ(versions(plan_up(status, std::nullopt, OutOfOrder::refuse)),
            (std::vector<long long>{2, 3}));
  EXPECT_EQ(versions(plan_up(status, 2, OutOfOrder::refuse)), (std::vector<long long>{2}));
}

TEST(PlanUp, RefusesOutOfOrderUnlessAllowed) {
  const std::vector<Revision> files = {revision(1), revision(2), revision(3)};
  const std::vector<HistoryRecord> records = {record(1), record(3)};
  const auto status = compute_status(files, records);
  EXPECT_EQ(code_of([&] { (void)plan_up(status, std::nullopt, OutOfOrder::refuse); }),
            ExitCode::conflict);
  EXPECT_EQ(versions(plan_up(status, std::nullopt, OutOfOrder::allow)),
            (std::vector<long long>{2}));
}

TEST(PlanUp, RefusesDriftMissingFilesAndFailedRevisions) {
  const std::vector<Revision> files = {revision(1, "new"), revision(2)};
  const std::vector<HistoryRecord> modified = {record(1, "old")};
  EXPECT_EQ(code_of([&] {
              (void)plan_up(compute_status(files, modified), std::nullopt, OutOfOrder::refuse);
            }),
            ExitCode::conflict);
  const std::vector<HistoryRecord> missing = {record(7)};
  EXPECT_EQ(code_of([&] {
              (void)plan_up(compute_status(files, missing), std::nullopt, OutOfOrder::allow);
            }),
            ExitCode::conflict);
  const std::vector<HistoryRecord> failed = {record(2, "c", RecordStatus::failed)};
  EXPECT_EQ(code_of([&] {
              (void)plan_up(compute_status(files, failed), std::nullopt, OutOfOrder::allow);
            }),
            ExitCode::conflict);
}

TEST(PlanDown, RevertsTheLastNNewestFirstOrEverythingAboveTheTarget) {
  const std::vector<Revision> files = {revision(1), revision(2), revision(3)};
  const std::vector<HistoryRecord> records = {record(1), record(2), record(3)};
  const auto status = compute_status(files, records);
  EXPECT_EQ(versions(plan_down(status, 1, std::nullopt)), (std::vector<long long>{3}));
  EXPECT_EQ(versions(plan_down(status, 2, std::nullopt)), (std::vector<long long>{3, 2}));
  EXPECT_EQ(versions(plan_down(status, 1, 1)), (std::vector<long long>{3, 2}));
  EXPECT_TRUE(plan_down(status, 1, 3).empty());
}

TEST(PlanDown, RefusesToRevertAnIrreversibleRevision) {
  const std::vector<Revision> files = {revision(1), revision(2, "c", true), revision(3)};
  const std::vector<HistoryRecord> records = {record(1), record(2), record(3)};
  const auto status = compute_status(files, records);
  EXPECT_EQ(versions(plan_down(status, 1, std::nullopt)), (std::vector<long long>{3}));
  EXPECT_EQ(code_of([&] { (void)plan_down(status, 2, std::nullopt); }), ExitCode::conflict);
}

TEST(PlanDown, RefusesAnyModifiedOrMissingRevisionEvenOutsideTheOnesReverted) {
  // Revision 1 was edited after it was applied; `down 1` and `redo` would revert only 3, yet the
  // documented contract (STATES) is that drift anywhere stops every command that changes the
  // schema.
  const std::vector<Revision> files = {revision(1, "edited"), revision(2), revision(3)};
  const auto modified = compute_status(files, {record(1, "old"), record(2), record(3)});
  EXPECT_EQ(code_of([&] { (void)plan_down(modified, 1, std::nullopt); }), ExitCode::conflict);
  EXPECT_EQ(code_of([&] { (void)plan_down(modified, 2, std::nullopt); }), ExitCode::conflict);
  EXPECT_EQ(code_of([&] { (void)plan_down(modified, std::nullopt, 2); }), ExitCode::conflict);
  const std::vector<Revision> two = {revision(2), revision(3)};
  const auto missing = compute_status(two, {record(1), record(2), record(3)});
  EXPECT_EQ(code_of([&] { (void)plan_down(missing, 1, std::nullopt); }), ExitCode::conflict);
}

}  // namespace agentdb::migrate
