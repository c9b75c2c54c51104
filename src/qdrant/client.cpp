#include "qdrant/client.hpp"

#include <httplib.h>

#include <cctype>
#include <thread>

#include "core/error.hpp"
#include "util/strings.hpp"

namespace agentdb::qdrant {

using nlohmann::json;

namespace {

// Answers that say nothing reached Qdrant or came back from it: status 0 carries the httplib error.
constexpr int kNoAnswer = 0;

// Longest server text kept in a message: enough for Qdrant's reasons, not a whole HTML page.
constexpr std::size_t kMaxErrorText = 300;

// Cuts to at most `limit` bytes without splitting a UTF-8 sequence, marking the cut.
std::string shortened(std::string text, std::size_t limit) {
  if (text.size() <= limit)
    return text;
  std::size_t end = limit;
  while (end > 0 && (static_cast<unsigned char>(text[end]) & 0xC0) == 0x80)
    --end;
  text.resize(end);
  return text + "...";
}

// The reason in an error answer, made safe for a terminal and one line of a message.
std::string error_text(const std::string& body) {
  const auto parsed = json::parse(body, nullptr, false);
  std::string text;
  if (!parsed.is_discarded() && parsed.is_object() && parsed.contains("status") &&
      parsed["status"].is_object() && parsed["status"].contains("error")) {
    const auto& error = parsed["status"]["error"];
    text = error.is_string() ? error.get<std::string>() : error.dump();
  } else {
    text = std::string(util::trim(body));
  }
  text = util::printable(util::one_line(util::trim(text)));
  return text.empty() ? "no message" : shortened(std::move(text), kMaxErrorText);
}

bool retryable(int status) {
  return status == kNoAnswer || status == 502 || status == 503 || status == 504 || status == 500;
}

}  // namespace

const char* to_string(Method method) {
  switch (method) {
    case Method::get:
      return "GET";
    case Method::put:
      return "PUT";
    case Method::post:
      return "POST";
    case Method::patch:
      return "PATCH";
    case Method::del:
      return "DELETE";
  }
  return "?";
}

std::string path_segment(std::string_view name) {
  static constexpr char kHex[] = "0123456789ABCDEF";
  std::string out;
  for (const char c : name) {
    const auto byte = static_cast<unsigned char>(c);
    if (std::isalnum(byte) != 0 || c == '-' || c == '_' || c == '.' || c == '~') {
      out += c;
    } else {
      out += '%';
      out += kHex[byte >> 4];
      out += kHex[byte & 0x0F];
    }
  }
  return out;
}

std::optional<std::pair<int, int>> parse_version(const std::string& version) {
  const auto parts = util::split(version, '.');
  if (parts.size() < 2)
    return std::nullopt;
  const auto major = util::parse_int64(parts[0]);
  const auto minor = util::parse_int64(parts[1]);
  if (!major || !minor)
    return std::nullopt;
  return std::make_pair(static_cast<int>(*major), static_cast<int>(*minor));
}

Client::Client(ClientSettings settings) : settings_(std::move(settings)) {
  while (settings_.url.ends_with("/"))
    settings_.url.pop_back();
  if (!settings_.url.starts_with("http://") && !settings_.url.starts_with("https://")) {
    throw Error(ExitCode::usage, "invalid Qdrant URL '" + settings_.url + "'",
                "use http://host:6333 or https://host:6333 (QDRANT_URL)");
  }
  http_ = std::make_unique<httplib::Client>(settings_.url);
  const auto seconds = settings_.timeout.count() / 1000;
  const auto micros = (settings_.timeout.count() % 1000) * 1000;
  http_->set_connection_timeout(seconds, micros);
  http_->set_read_timeout(seconds, micros);
  http_->set_write_timeout(seconds, micros);
  http_->set_keep_alive(true);
  httplib::Headers headers;
  if (!settings_.api_key.empty())
    headers.emplace("api-key", settings_.api_key);
  http_->set_default_headers(headers);
}

Client::~Client() = default;

Client::Answer Client::send_once(Method method, const std::string& path, const json* body) {
  const std::string payload = body != nullptr ? body->dump() : std::string();
  const char* type = "application/json";
  httplib::Result result = [&] {
    switch (method) {
      case Method::get:
        return http_->Get(path);
      case Method::put:
        return http_->Put(path, payload, type);
      case Method::post:
        return body != nullptr ? http_->Post(path, payload, type) : http_->Post(path);
      case Method::patch:
        return http_->Patch(path, payload, type);
      case Method::del:
        return http_->Delete(path);
    }
    return http_->Get(path);
  }();
  if (!result)
    return {kNoAnswer, httplib::to_string(result.error())};
  return {result->status, result->body};
}

Client::Answer Client::send(Method method, const std::string& path, const json* body,
                            Idempotent idempotent) {
  const int attempts = idempotent == Idempotent::yes ? std::max(settings_.attempts, 1) : 1;
  auto delay = settings_.backoff;
  Answer answer;
  for (int attempt = 1; attempt <= attempts; ++attempt) {
    const auto start = std::chrono::steady_clock::now();
    answer = send_once(method, path, body);
    // A request that used up the whole timeout is not retried: --timeout bounds the wait.
    const bool timed_out = answer.status == kNoAnswer &&
                           std::chrono::steady_clock::now() - start >= settings_.timeout * 9 / 10;
    if (!retryable(answer.status) || timed_out || attempt == attempts)
      break;
    std::this_thread::sleep_for(delay);
    delay *= 2;
  }
  return answer;
}

json Client::result_of(Method method, const std::string& path, const Answer& answer) const {
  if (answer.status < 200 || answer.status >= 300)
    fail(method, path, answer);
  const auto parsed = json::parse(answer.body, nullptr, false);
  if (parsed.is_discarded() || !parsed.is_object() || !parsed.contains("result")) {
    throw Error(ExitCode::failure, "Qdrant at " + settings_.url + " answered " + to_string(method) +
                                       " " + path +
                                       " with something that is not Qdrant's JSON envelope");
  }
  return parsed["result"];
}

json Client::call(Method method, const std::string& path, const json* body, Idempotent idempotent) {
  return result_of(method, path, send(method, path, body, idempotent));
}

std::pair<int, std::string> Client::get_text(const std::string& path) {
  auto answer = send_once(Method::get, path, nullptr);
  if (answer.status == kNoAnswer || answer.status == 401 || answer.status == 403)
    fail(Method::get, path, answer);
  return {answer.status, std::move(answer.body)};
}

void Client::fail(Method method, const std::string& path, const Answer& answer) const {
  const std::string where = "Qdrant at " + settings_.url;
  if (answer.status == kNoAnswer) {
    const auto& why = answer.body;
    if (why == "Connection") {
      throw Error(ExitCode::cannot_connect, "cannot connect to " + where + ": connection refused",
                  "check QDRANT_URL and that Qdrant is running");
    }
    if (why == "ConnectionTimeout" || why == "Read") {
      throw Error(ExitCode::cannot_connect,
                  where + " did not answer " + to_string(method) + " " + path + " within " +
                      std::to_string(settings_.timeout.count()) +
                      " ms (timed out or the connection was closed)",
                  "check the network and Qdrant's load, or raise --timeout");
    }
    throw Error(
        ExitCode::cannot_connect,
        "cannot talk to " + where + ": " + why + " error on " + to_string(method) + " " + path,
        "check QDRANT_URL");
  }
  if (answer.status == 401 || answer.status == 403) {
    throw Error(ExitCode::cannot_connect,
                where + " refused the credentials (HTTP " + std::to_string(answer.status) + ": " +
                    error_text(answer.body) + ")",
                settings_.api_key.empty() ? "set QDRANT_API_KEY"
                                          : "check QDRANT_API_KEY (the key is not printed)");
  }
  if (answer.status >= 500) {
    throw Error(ExitCode::failure,
                where + " failed " + to_string(method) + " " + path + " (HTTP " +
                    std::to_string(answer.status) + "): " + error_text(answer.body),
                "the server is in trouble; retry later or check its logs");
  }
  throw Error(ExitCode::failure, where + " rejected " + to_string(method) + " " + path + " (HTTP " +
                                     std::to_string(answer.status) +
                                     "): " + error_text(answer.body));
}

std::optional<json> Client::get_if_exists(const std::string& path) {
  const auto answer = send(Method::get, path, nullptr, Idempotent::yes);
  if (answer.status == 404)
    return std::nullopt;
  return result_of(Method::get, path, answer);
}

std::string Client::check_version() {
  const auto answer = send(Method::get, "/", nullptr, Idempotent::yes);
  if (answer.status != 200)
    fail(Method::get, "/", answer);
  const auto root = json::parse(answer.body, nullptr, false);
  const auto version = !root.is_discarded() && root.is_object() && root.contains("version") &&
                               root["version"].is_string()
                           ? root["version"].get<std::string>()
                           : std::string();
  const auto parsed = parse_version(version);
  if (!parsed) {
    throw Error(ExitCode::failure, "the server at " + settings_.url + " does not look like Qdrant",
                "check QDRANT_URL");
  }
  if (*parsed < std::make_pair(kMinimumMajor, kMinimumMinor)) {
    throw Error(ExitCode::usage,
                "Qdrant " + util::printable(version) + " at " + settings_.url + " is not supported",
                "agentdb needs Qdrant " + std::to_string(kMinimumMajor) + "." +
                    std::to_string(kMinimumMinor) + " or newer; upgrade the server");
  }
  return version;
}

}  // namespace agentdb::qdrant
