// File helpers: whole-file reads and crash-safe writes.
#pragma once

#include <filesystem>
#include <functional>
#include <optional>
#include <string>
#include <string_view>

namespace agentdb::util {

// Reads a file sequentially in blocks of `block_size` bytes, handing each to `sink`, so a large
// file never has to fit in memory. False when it cannot be opened or read (errno says why).
[[nodiscard]] bool read_blocks(const std::filesystem::path& path, std::size_t block_size,
                               const std::function<void(std::string_view)>& sink);

// Reads a whole file; nullopt when it cannot be opened (errno says why).
[[nodiscard]] std::optional<std::string> read_file(const std::filesystem::path& path);

// Writes to a temporary name in the same directory, fsyncs, then renames over `path`, so readers
// see either the old or the new content, never a partial file. Throws std::system_error.
void write_file_atomic(const std::filesystem::path& path, std::string_view content);

// Like write_file_atomic but refuses to replace an existing file (link(2) instead of rename).
// Returns false when `path` already exists.
[[nodiscard]] bool create_file_exclusive(const std::filesystem::path& path,
                                         std::string_view content);

}  // namespace agentdb::util
