#include "util/files.hpp"

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <deque>
#include <memory>
#include <utility>

#include "util/random.hpp"
#include "util/strings.hpp"

namespace agentdb::util {

namespace fs = std::filesystem;

namespace {

constexpr int kNameAttempts = 100;

class Descriptor {
 public:
  explicit Descriptor(int fd) : fd_(fd) {}
  ~Descriptor() {
    if (fd_ >= 0)
      ::close(fd_);
  }
  Descriptor(const Descriptor&) = delete;
  Descriptor& operator=(const Descriptor&) = delete;
  [[nodiscard]] int get() const { return fd_; }
  // close(2) reports delayed write errors (NFS), so it is checked where it matters.
  [[nodiscard]] int close() { return ::close(std::exchange(fd_, -1)); }

 private:
  int fd_;
};

bool write_all(int fd, std::string_view content) {
  while (!content.empty()) {
    const auto n = ::write(fd, content.data(), content.size());
    if (n < 0 && errno == EINTR)
      continue;
    if (n < 0)
      return false;
    content.remove_prefix(static_cast<std::size_t>(n));
  }
  return true;
}

// A file written and synced under a random name in its target's folder, not yet visible under
// its own name; the destructor removes the temporary name unless the file was given its name.
class StagedFile {
 public:
  StagedFile(const fs::path& target, std::string_view content, const WriteOptions& options)
      : target_(target), folder_(open_folder(target)), name_(target.filename().string()) {
    refuse_directory();
    Descriptor file(create_temporary(options.mode));
    const int fd = file.get();
    const bool ok = write_all(fd, content) &&
                    (!options.owner || ::fchown(fd, options.owner->uid, options.owner->gid) == 0) &&
                    ::fsync(fd) == 0 && file.close() == 0;
    if (!ok) {
      // The destructor does not run for a constructor that throws.
      const int error = errno;
      ::unlinkat(folder_.get(), temp_.c_str(), 0);
      throw FileWriteError(error, target_);
    }
  }
  ~StagedFile() {
    if (!temp_.empty())
      ::unlinkat(folder_.get(), temp_.c_str(), 0);
  }
  StagedFile(const StagedFile&) = delete;
  StagedFile& operator=(const StagedFile&) = delete;

  // rename(2) replaces whatever is at the name, a symlink included, without following it.
  void replace() {
    if (::renameat(folder_.get(), temp_.c_str(), folder_.get(), name_.c_str()) != 0)
      throw FileWriteError(errno, target_);
    temp_.clear();
    sync_folder();
  }

  // link(2) never replaces anything, so an existing name (even a dangling symlink) is kept.
  [[nodiscard]] bool link_new() {
    if (::linkat(folder_.get(), temp_.c_str(), folder_.get(), name_.c_str(), 0) != 0) {
      if (errno == EEXIST)
        return false;
      throw FileWriteError(errno, target_);
    }
    linked_ = true;
    return true;
  }

  void unlink_name() {
    if (linked_)
      ::unlinkat(folder_.get(), name_.c_str(), 0);
    linked_ = false;
  }

  void sync_folder() const { ::fsync(folder_.get()); }

 private:
  static int open_folder(const fs::path& target) {
    const auto parent = target.parent_path().empty() ? fs::path(".") : target.parent_path();
    const int fd = ::open(parent.c_str(), O_RDONLY | O_DIRECTORY | O_CLOEXEC);
    if (fd < 0)
      throw FileWriteError(errno, target);
    return fd;
  }

  void refuse_directory() const {
    struct stat info {};
    const bool no_name = name_.empty() || name_ == "." || name_ == "..";
    if (no_name || (::fstatat(folder_.get(), name_.c_str(), &info, AT_SYMLINK_NOFOLLOW) == 0 &&
                    S_ISDIR(info.st_mode))) {
      throw FileWriteError(EISDIR, target_);
    }
  }

  int create_temporary(mode_t mode) {
    for (int attempt = 0; attempt < kNameAttempts; ++attempt) {
      auto candidate = ".agentdb-tmp-" + random_hex(8);
      const int fd = ::openat(folder_.get(), candidate.c_str(),
                              O_WRONLY | O_CREAT | O_EXCL | O_NOFOLLOW | O_CLOEXEC, mode);
      if (fd >= 0) {
        temp_ = std::move(candidate);
        return fd;
      }
      if (errno != EEXIST)
        throw FileWriteError(errno, target_);
    }
    throw FileWriteError(EEXIST, target_);
  }

  fs::path target_;
  Descriptor folder_;
  std::string name_;
  std::string temp_;
  bool linked_ = false;
};

std::string hint_for(int error, const fs::path& path) {
  switch (error) {
    case EISDIR:
      return "name a file, not a folder";
    case ENOENT:
    case ENOTDIR:
      return "create the folder '" + printable(path.parent_path().string()) +
             "' first or choose another path";
    case EACCES:
    case EPERM:
      return "check the folder's permissions or choose another path";
    case EROFS:
      return "the file system is read-only; choose another path";
    case ENOSPC:
    case EDQUOT:
      return "free some disk space and retry";
    case ENAMETOOLONG:
      return "choose a shorter name";
    case ELOOP:
      return "a symlink is in the way: remove it or choose another path";
    default:
      return "";
  }
}

}  // namespace

FileWriteError::FileWriteError(int error, fs::path path, std::string message)
    : std::system_error(error, std::generic_category()), path_(std::move(path)) {
  message_ = message.empty() ? "cannot write '" + printable(path_.string()) +
                                   "': " + std::generic_category().message(error)
                             : std::move(message);
}

std::string FileWriteError::hint() const {
  return hint_for(code().value(), path_);
}

bool FileWriteError::names_unusable_path() const {
  switch (code().value()) {
    case EISDIR:
    case ENOENT:
    case ENOTDIR:
    case EACCES:
    case EPERM:
    case EROFS:
    case ENAMETOOLONG:
    case ELOOP:
      return true;
    default:
      return false;
  }
}

bool read_blocks(const fs::path& path, std::size_t block_size,
                 const std::function<void(std::string_view)>& sink) {
  const int fd = ::open(path.c_str(), O_RDONLY | O_CLOEXEC);
  if (fd < 0)
    return false;
  ::posix_fadvise(fd, 0, 0, POSIX_FADV_SEQUENTIAL);
  const auto buffer = std::make_unique<char[]>(block_size);
  while (true) {
    const auto n = ::read(fd, buffer.get(), block_size);
    if (n < 0 && errno == EINTR)
      continue;
    if (n < 0) {
      const int saved = errno;
      ::close(fd);
      errno = saved;
      return false;
    }
    if (n == 0)
      break;
    sink(std::string_view(buffer.get(), static_cast<std::size_t>(n)));
  }
  ::close(fd);
  return true;
}

std::optional<std::string> read_file(const fs::path& path) {
  std::string content;
  if (!read_blocks(path, 16384, [&content](std::string_view block) { content.append(block); }))
    return std::nullopt;
  return content;
}

void write_file_atomic(const fs::path& path, std::string_view content,
                       const WriteOptions& options) {
  StagedFile(path, content, options).replace();
}

bool create_file_exclusive(const fs::path& path, std::string_view content,
                           const WriteOptions& options) {
  return create_files_exclusive({{path, std::string(content)}}, options);
}

bool create_files_exclusive(const std::vector<NewFile>& files, const WriteOptions& options) {
  std::deque<StagedFile> staged;  // a deque: StagedFile stays where it was built
  for (const auto& file : files)
    staged.emplace_back(file.path, file.content, options);
  const auto undo = [&staged]() {
    for (auto& file : staged)
      file.unlink_name();
  };
  try {
    for (auto& file : staged) {
      if (!file.link_new()) {
        undo();
        return false;
      }
    }
  } catch (...) {
    undo();
    throw;
  }
  for (const auto& file : staged)
    file.sync_folder();
  return true;
}

void make_private_directory(const fs::path& path, const std::optional<FileOwner>& owner) {
  const auto shown = "'" + printable(path.string()) + "'";
  if (::mkdir(path.c_str(), 0700) != 0 && errno != EEXIST) {
    const int error = errno;
    throw FileWriteError(error, path,
                         "cannot create folder " + shown + ": " + std::strerror(error));
  }
  // O_NOFOLLOW: a symlink planted at `path` fails here instead of being chowned or chmodded.
  Descriptor dir(::open(path.c_str(), O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC));
  struct stat info {};
  if (dir.get() < 0 || ::fstat(dir.get(), &info) != 0) {
    const int error = errno;
    throw FileWriteError(error, path,
                         "cannot use " + shown + " as a folder: " + std::strerror(error));
  }
  if (info.st_uid != ::geteuid() && !(owner && info.st_uid == owner->uid)) {
    throw FileWriteError(EPERM, path,
                         "cannot use folder " + shown + ": it belongs to another user (uid " +
                             std::to_string(info.st_uid) + ")");
  }
  const bool failed =
      (owner && ::fchown(dir.get(), owner->uid, owner->gid) != 0) || ::fchmod(dir.get(), 0700) != 0;
  if (failed) {
    const int error = errno;
    throw FileWriteError(error, path,
                         "cannot make folder " + shown + " private: " + std::strerror(error));
  }
}

}  // namespace agentdb::util
