// Runs one revision against the database together with its history rows: in one transaction, or
// statement by statement for agentdb:no-transaction revisions (recorded as running until done, so
// a failure or a killed process leaves a record that blocks further runs until repaired).
#pragma once

#include <functional>

#include "migrate/history.hpp"
#include "migrate/revision.hpp"

namespace agentdb::migrate {

// Hears the NOTICEs and WARNINGs the server sends while a revision runs.
using RevisionNoticeListener = std::function<void(const Revision&, const db::ServerNotice&)>;

class Applier {
 public:
  Applier(db::Session& session, History& history, RevisionNoticeListener notices = {})
      : session_(session), history_(history), notices_(std::move(notices)) {}

  // Return the milliseconds the revision's own SQL took. Throw Error(failure) naming the file, the
  // line and first line of the statement the server rejected, and its message, detail and hint.
  long long up(const Revision& revision);
  long long down(const Revision& revision);

 private:
  long long run_in_transaction(const Revision& revision, Direction direction);
  long long run_statement_by_statement(const Revision& revision, Direction direction);

  class NoticeScope;

  db::Session& session_;
  History& history_;
  RevisionNoticeListener notices_;
};

}  // namespace agentdb::migrate
