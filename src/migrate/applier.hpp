// Runs one revision against the database together with its history rows: in one transaction, or
// statement by statement for agentdb:no-transaction revisions (recorded as running until done, so
// a failure or a killed process leaves a record that blocks further runs until repaired).
#pragma once

#include "migrate/history.hpp"
#include "migrate/revision.hpp"

namespace agentdb::migrate {

class Applier {
 public:
  Applier(db::Session& session, History& history) : session_(session), history_(history) {}

  // Return the milliseconds the revision's own SQL took. Throw Error(failure) naming the file and
  // line the server rejected.
  long long up(const Revision& revision);
  long long down(const Revision& revision);

 private:
  long long run_in_transaction(const Revision& revision, Direction direction);
  long long run_statement_by_statement(const Revision& revision, Direction direction);

  db::Session& session_;
  History& history_;
};

}  // namespace agentdb::migrate
