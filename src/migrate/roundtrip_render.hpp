// `migrate verify --roundtrip`'s result as the JSON member, the text report and the one error line.
#pragma once

#include <nlohmann/json_fwd.hpp>

#include <optional>

#include "core/error.hpp"
#include "core/output.hpp"
#include "migrate/roundtrip.hpp"

namespace agentdb::migrate {

// The "roundtrip" member of `migrate verify --json`.
[[nodiscard]] nlohmann::json roundtrip_json(const RoundtripResult& result);

// Each failure's heading and object diffs, then the summary line when the check passes.
void print_roundtrip(const Output& out, const RoundtripResult& result);

// The one error line of a failed check: how many revisions fail and the first; nullopt when ok.
// The hint points at the JSON failures or the diffs above, as `format` shows them.
[[nodiscard]] std::optional<Error> roundtrip_error(const RoundtripResult& result,
                                                   OutputFormat format);

}  // namespace agentdb::migrate
