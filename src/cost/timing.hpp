// Execution times of a report's groups, from agent_executions (categories are a property of cost
// rows only): from the histogram rollup when the costs came from theirs, else exactly.
#pragma once

#include "cost/cost.hpp"
#include "cost/report_query.hpp"

namespace agentdb::cost {

// Average (exact) and p95 (the values around the 95th percentile known to the middle of their
// buckets, so within about 4.5%) from exec_daily's histogram of buckets floor(8 * log2(ms + 1)).
void add_timing_from_rollup(Queries& queries, GroupBy group_by, Report& report);

// Average and percentile_cont(0.95) over agent_executions itself.
void add_exact_timing(Queries& queries, GroupBy group_by, Report& report);

}  // namespace agentdb::cost
