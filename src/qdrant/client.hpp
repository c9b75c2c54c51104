// A Qdrant REST client on cpp-httplib: the api-key header, timeouts, retries with backoff for
// idempotent calls, and every network or server failure turned into one agentdb error.
#pragma once

#include <nlohmann/json.hpp>

#include <chrono>
#include <memory>
#include <optional>
#include <string>
#include <string_view>

namespace httplib {
class Client;
}

namespace agentdb::qdrant {

struct ClientSettings {
  std::string url = "http://localhost:6333";
  std::string api_key;  // sent as the api-key header; never printed
  std::chrono::milliseconds timeout{10'000};
  int attempts = 3;                        // for idempotent calls: the first try and two retries
  std::chrono::milliseconds backoff{200};  // doubled after each retry
};

enum class Method { get, put, post, patch, del };
enum class Idempotent { yes, no };

[[nodiscard]] const char* to_string(Method method);

class Client {
 public:
  explicit Client(ClientSettings settings);
  ~Client();
  Client(const Client&) = delete;
  Client& operator=(const Client&) = delete;

  // Sends one request and returns the "result" of a 2xx answer. Throws Error: cannot_connect
  // (refused, timed out, 401/403), failure (another 4xx with Qdrant's message; 5xx or a dropped
  // connection after the retries an idempotent call gets).
  nlohmann::json call(Method method, const std::string& path, const nlohmann::json* body,
                      Idempotent idempotent);

  // GET that answers nullopt for 404 (a collection that does not exist).
  std::optional<nlohmann::json> get_if_exists(const std::string& path);

  // One GET without retries, for plain-text probes such as /readyz: the HTTP status and body.
  // Throws Error(cannot_connect) when there is no answer or the credentials are refused.
  std::pair<int, std::string> get_text(const std::string& path);

  // The server's version from GET /; Error(usage) when it is older than agentdb supports.
  std::string check_version();

  [[nodiscard]] const std::string& url() const { return settings_.url; }

 private:
  struct Answer {
    int status = 0;
    std::string body;
  };
  Answer send_once(Method method, const std::string& path, const nlohmann::json* body);
  // With retries and doubling backoff for idempotent calls on 5xx or no answer.
  Answer send(Method method, const std::string& path, const nlohmann::json* body,
              Idempotent idempotent);
  [[nodiscard]] nlohmann::json result_of(Method method, const std::string& path,
                                         const Answer& answer) const;
  [[noreturn]] void fail(Method method, const std::string& path, const Answer& answer) const;

  ClientSettings settings_;
  std::unique_ptr<httplib::Client> http_;
};

// The oldest Qdrant whose REST API agentdb's requests follow (uuid payload indexes: 1.11).
inline constexpr int kMinimumMajor = 1;
inline constexpr int kMinimumMinor = 11;

// A name made safe for one URL path segment (percent-encoding all but unreserved characters).
[[nodiscard]] std::string path_segment(std::string_view name);

// "1.19.0" -> (1, 19); nullopt when unreadable.
[[nodiscard]] std::optional<std::pair<int, int>> parse_version(const std::string& version);

}  // namespace agentdb::qdrant
