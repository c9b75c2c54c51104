// The view of a replicated cluster: the members as Patroni's REST API reports them, side by side
// with what each member's PostgreSQL says of itself, judged with monitoring-plugin levels.
#pragma once

#include <chrono>
#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "db/connection_target.hpp"
#include "db/members.hpp"

namespace agentdb::cluster {

enum class Level { ok, warning, critical, unknown };  // the order of monitoring-plugin codes

// One member as Patroni's GET /cluster lists it.
struct PatroniMember {
  std::string name;
  std::string role;   // leader, replica, sync_standby, standby_leader
  std::string state;  // running, streaming, stopped, starting, ...
  std::string host;
  int port = 0;
  std::optional<std::int64_t> timeline;
  std::optional<std::int64_t> lag_bytes;  // replicas; none when Patroni says "unknown"
};

// What one Patroni REST API answered.
struct PatroniView {
  std::string url;
  bool answered = false;
  std::string error;  // why not, when it did not
  std::vector<PatroniMember> members;
  [[nodiscard]] std::string leader() const;  // "" when it lists none
};

// What the member's PostgreSQL says (asked with the configured credentials at Patroni's host:port).
struct PostgresView : db::MemberState {
  bool asked = false;  // false without credentials
};

struct MemberStatus {
  PatroniMember patroni;
  PostgresView postgres;
  Level level = Level::ok;
  std::vector<std::string> problems;
};

struct StatusRequest {
  std::vector<std::string> patroni_urls;  // http://host:8008 each
  // User, password and database for each member's PostgreSQL; the host and port come from
  // Patroni. Without it only Patroni's view is shown.
  std::optional<db::ConnectionTarget> credentials;
  std::chrono::milliseconds timeout{3000};  // per request and per connection
  std::int64_t lag_warning_bytes = 16 * 1024 * 1024;
};

struct StatusResult {
  std::vector<PatroniView> sources;
  std::vector<MemberStatus> members;  // as the first source that answered lists them
  Level level = Level::ok;
  std::vector<std::string> problems;  // cluster-wide first, then each member's
};

// Asks every Patroni URL and every member; never throws for an unreachable part (that is a
// finding). Throws Error(usage) for a URL that is not http://host:port.
[[nodiscard]] StatusResult cluster_status(const StatusRequest& request);

// The judgement alone, for tests: sources and members as gathered.
[[nodiscard]] StatusResult evaluate(std::vector<PatroniView> sources,
                                    std::vector<MemberStatus> members,
                                    std::int64_t lag_warning_bytes);

// Patroni's GET /cluster document; throws Error(failure) when it is not one.
[[nodiscard]] std::vector<PatroniMember> parse_patroni_cluster(const std::string& body);

using db::parse_lsn;

[[nodiscard]] const char* level_name(Level level);

}  // namespace agentdb::cluster
