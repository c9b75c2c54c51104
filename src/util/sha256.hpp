// SHA-256 digests as lowercase hex.
#pragma once

#include <cstdint>
#include <filesystem>
#include <optional>
#include <string>
#include <string_view>

namespace agentdb::util {

[[nodiscard]] std::string sha256_hex(std::string_view data);

// The digest of a whole file, read in large blocks; nullopt when it cannot be read (errno says
// why). `bytes_read` receives the file's length.
[[nodiscard]] std::optional<std::string> sha256_file_hex(const std::filesystem::path& path,
                                                         std::uint64_t* bytes_read = nullptr);

}  // namespace agentdb::util
