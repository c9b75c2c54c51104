#include "util/files.hpp"

#include <fcntl.h>
#include <unistd.h>

#include <cerrno>
#include <memory>
#include <system_error>

namespace agentdb::util {

namespace {

std::filesystem::path temp_name_for(const std::filesystem::path& path) {
  auto temp = path;
  temp += ".tmp." + std::to_string(::getpid());
  return temp;
}

void write_and_sync(const std::filesystem::path& temp, std::string_view content) {
  const int fd = ::open(temp.c_str(), O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644);
  if (fd < 0)
    throw std::system_error(errno, std::generic_category(), temp.string());
  std::size_t written = 0;
  while (written < content.size()) {
    const auto n = ::write(fd, content.data() + written, content.size() - written);
    if (n < 0) {
      if (errno == EINTR)
        continue;
      const int saved = errno;
      ::close(fd);
      ::unlink(temp.c_str());
      throw std::system_error(saved, std::generic_category(), temp.string());
    }
    written += static_cast<std::size_t>(n);
  }
  if (::fsync(fd) != 0 || ::close(fd) != 0) {
    const int saved = errno;
    ::unlink(temp.c_str());
    throw std::system_error(saved, std::generic_category(), temp.string());
  }
}

}  // namespace

bool read_blocks(const std::filesystem::path& path, std::size_t block_size,
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

std::optional<std::string> read_file(const std::filesystem::path& path) {
  std::string content;
  if (!read_blocks(path, 16384, [&content](std::string_view block) { content.append(block); }))
    return std::nullopt;
  return content;
}

void write_file_atomic(const std::filesystem::path& path, std::string_view content) {
  const auto temp = temp_name_for(path);
  write_and_sync(temp, content);
  if (::rename(temp.c_str(), path.c_str()) != 0) {
    const int saved = errno;
    ::unlink(temp.c_str());
    throw std::system_error(saved, std::generic_category(), path.string());
  }
}

bool create_file_exclusive(const std::filesystem::path& path, std::string_view content) {
  const auto temp = temp_name_for(path);
  write_and_sync(temp, content);
  const int rc = ::link(temp.c_str(), path.c_str());
  const int saved = errno;
  ::unlink(temp.c_str());
  if (rc == 0)
    return true;
  if (saved == EEXIST)
    return false;
  throw std::system_error(saved, std::generic_category(), path.string());
}

}  // namespace agentdb::util
