// SHA-256 digests as lowercase hex.
#pragma once

#include <string>
#include <string_view>

namespace agentdb::util {

[[nodiscard]] std::string sha256_hex(std::string_view data);

}  // namespace agentdb::util
