// File helpers: whole-file reads and writes that are crash-safe and never follow a planted link.
#pragma once

#include <sys/types.h>

#include <filesystem>
#include <functional>
#include <optional>
#include <string>
#include <string_view>
#include <system_error>
#include <vector>

namespace agentdb::util {

// Reads a file sequentially in blocks of `block_size` bytes, handing each to `sink`, so a large
// file never has to fit in memory. False when it cannot be opened or read (errno says why).
[[nodiscard]] bool read_blocks(const std::filesystem::path& path, std::size_t block_size,
                               const std::function<void(std::string_view)>& sink);

// Reads a whole file; nullopt when it cannot be opened (errno says why).
[[nodiscard]] std::optional<std::string> read_file(const std::filesystem::path& path);

struct FileOwner {
  uid_t uid = 0;
  gid_t gid = 0;
};

struct WriteOptions {
  // Before the umask: 0644 for reports and revisions, 0600 for secrets and database files.
  mode_t mode = 0644;
  // Given to the file before it appears under its name (root writing for the server's user).
  std::optional<FileOwner> owner;
};

// A file or folder that could not be written. what() is "cannot write 'PATH': REASON".
class FileWriteError : public std::system_error {
 public:
  FileWriteError(int error, std::filesystem::path path, std::string message = {});
  [[nodiscard]] const char* what() const noexcept override { return message_.c_str(); }
  [[nodiscard]] const std::filesystem::path& path() const { return path_; }
  // What the user can do about it, or "" when nothing specific helps.
  [[nodiscard]] std::string hint() const;
  // True when the path itself is unusable (a folder, a missing or read-only folder, a name too
  // long), so naming another path fixes it; false for a full disk or an I/O error.
  [[nodiscard]] bool names_unusable_path() const;

 private:
  std::filesystem::path path_;
  std::string message_;
};

// Every write below creates a file under a random name in the target's folder (O_EXCL|O_NOFOLLOW,
// so nothing planted there is followed), writes and fsyncs it, and only then gives it its name.
// Readers see the old or the new content, never a partial file; a failure leaves no file behind.
// All throw FileWriteError.

// Replaces `path` (a symlink at `path` is replaced, not followed).
void write_file_atomic(const std::filesystem::path& path, std::string_view content,
                       const WriteOptions& options = {});

// Like write_file_atomic but never replaces anything: false when `path` already exists.
[[nodiscard]] bool create_file_exclusive(const std::filesystem::path& path,
                                         std::string_view content,
                                         const WriteOptions& options = {});

struct NewFile {
  std::filesystem::path path;
  std::string content;
};

// Creates all of `files` or none of them: false, with nothing created, when one already exists.
[[nodiscard]] bool create_files_exclusive(const std::vector<NewFile>& files,
                                          const WriteOptions& options = {});

// Makes `path` a folder only its owner can enter (0700), owned by `owner` when given: creates it,
// or accepts an existing real folder that already belongs to us or to `owner`. Never follows a
// symlink at `path`; a folder someone else planted there is refused.
void make_private_directory(const std::filesystem::path& path,
                            const std::optional<FileOwner>& owner = std::nullopt);

}  // namespace agentdb::util
