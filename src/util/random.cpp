#include "util/random.hpp"

#include <sys/random.h>

#include <cerrno>
#include <system_error>
#include <vector>

namespace agentdb::util {

namespace {

void fill_random(unsigned char* bytes, std::size_t size) {
  std::size_t got = 0;
  while (got < size) {
    const auto n = ::getrandom(bytes + got, size - got, 0);
    if (n < 0 && errno == EINTR)
      continue;
    if (n < 0)
      throw std::system_error(errno, std::generic_category(), "getrandom");
    got += static_cast<std::size_t>(n);
  }
}

}  // namespace

std::string random_hex(std::size_t count) {
  std::vector<unsigned char> bytes(count);
  fill_random(bytes.data(), bytes.size());
  static constexpr char kDigits[] = "0123456789abcdef";
  std::string hex;
  hex.reserve(2 * count);
  for (const unsigned char b : bytes) {
    hex += kDigits[b >> 4];
    hex += kDigits[b & 0xf];
  }
  return hex;
}

std::string random_alphanumeric(std::size_t count) {
  static constexpr char kAlphabet[] =
      "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789";
  constexpr unsigned kSize = sizeof kAlphabet - 1;  // 62
  std::string out;
  out.reserve(count);
  while (out.size() < count) {
    unsigned char buffer[64];
    fill_random(buffer, sizeof buffer);
    for (const unsigned char b : buffer) {
      // 248 = 4 * 62: bytes above it would make the first letters likelier.
      if (b < 4 * kSize && out.size() < count)
        out += kAlphabet[b % kSize];
    }
  }
  return out;
}

}  // namespace agentdb::util
