// Random bytes from the kernel (getrandom), for names nobody may guess and for secrets.
#pragma once

#include <cstddef>
#include <string>

namespace agentdb::util {

// `count` random bytes as 2 * count lower-case hex digits. Throws std::system_error when the
// kernel has no randomness to give.
[[nodiscard]] std::string random_hex(std::size_t count);

// `count` random characters from A-Z, a-z and 0-9 (unbiased).
[[nodiscard]] std::string random_alphanumeric(std::size_t count);

}  // namespace agentdb::util
