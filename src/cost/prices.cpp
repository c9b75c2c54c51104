// `cost prices`: the price of each model in force at a time.
#include "core/error.hpp"
#include "cost/cost.hpp"
#include "db/session.hpp"

namespace agentdb::cost {

void validate(const PricesRequest& request) {
  if (!request.at.empty() && !parse_date(request.at))
    throw Error(ExitCode::usage, "invalid date '" + request.at + "'", "write YYYY-MM-DD");
}

PricesResult prices(db::Session& session, const PricesRequest& request) {
  validate(request);
  PricesResult result{.at = request.at.empty() ? "now" : request.at, .prices = {}};
  // In force at the end of the given day (UTC), or now.
  const auto rows = session.exec_params(
      "SELECT DISTINCT ON (provider, model) provider, model, input_usd_per_million::text,"
      " output_usd_per_million::text, to_char(effective_from AT TIME ZONE 'UTC',"
      " 'YYYY-MM-DD\"T\"HH24:MI:SS\"Z\"') FROM model_prices"
      " WHERE effective_from < CASE WHEN $1 = 'now' THEN now()"
      " ELSE ($1::date + 1)::timestamp AT TIME ZONE 'UTC' END"
      " ORDER BY provider, model, effective_from DESC",
      result.at);
  for (const auto& row : rows) {
    result.prices.push_back({.provider = row[0].as<std::string>(),
                             .model = row[1].as<std::string>(),
                             .input_usd_per_million = row[2].as<std::string>(),
                             .output_usd_per_million = row[3].as<std::string>(),
                             .effective_from = row[4].as<std::string>()});
  }
  return result;
}

}  // namespace agentdb::cost
