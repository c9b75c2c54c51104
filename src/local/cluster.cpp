#include "local/cluster.hpp"

#include <fcntl.h>
#include <pwd.h>
#include <sys/file.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cstdlib>
#include <memory>
#include <system_error>

#include "core/error.hpp"
#include "db/pg_tools.hpp"
#include "db/session.hpp"
#include "local/settings.hpp"
#include "util/files.hpp"
#include "util/sha256.hpp"
#include "util/strings.hpp"

namespace agentdb::local {

namespace fs = std::filesystem;

namespace {

constexpr const char* kLocationFile = "cluster-location";
constexpr const char* kServerUserFallback = "agentdb";
// sun_path holds 108 bytes with the terminating NUL.
constexpr std::size_t kMaxSocketPath = 107;
constexpr const char* kSocketName = ".s.PGSQL.5432";

bool running_as_root() {
  return ::geteuid() == 0;
}

std::optional<util::ProcessUser> lookup_user(const std::string& name) {
  const passwd* entry = ::getpwnam(name.c_str());
  if (entry == nullptr)
    return std::nullopt;
  return util::ProcessUser{entry->pw_uid, entry->pw_gid};
}

// PostgreSQL refuses to run as root, so as root the server runs as "postgres" (created by the
// Debian package) or, failing that, a system user of our own.
std::string pick_server_user() {
  if (!running_as_root()) {
    const passwd* self = ::getpwuid(::geteuid());
    return self != nullptr ? self->pw_name : "";
  }
  if (lookup_user("postgres"))
    return "postgres";
  if (!lookup_user(kServerUserFallback)) {
    const auto result = util::run_process({"useradd", "--system", "--no-create-home", "--shell",
                                           "/usr/sbin/nologin", kServerUserFallback});
    if (!result.ok()) {
      throw Error(ExitCode::failure, "cannot create the system user '" +
                                         std::string(kServerUserFallback) +
                                         "' for the local server: " + util::one_line(result.err));
    }
  }
  return kServerUserFallback;
}

std::optional<util::ProcessUser> switch_to(const std::string& user) {
  if (!running_as_root())
    return std::nullopt;
  return lookup_user(user);
}

util::ProcessResult run_as_server(const std::string& user, std::vector<std::string> argv) {
  util::ProcessOptions options;
  options.run_as = switch_to(user);
  options.unset_environment = {"PGDATA", "PGHOST", "PGPORT", "PGUSER", "PGDATABASE"};
  try {
    return util::run_process(argv, options);
  } catch (const std::system_error& e) {
    throw Error(ExitCode::failure, "cannot run " + argv[0] + ": " + e.code().message());
  }
}

bool user_can_reach(const std::string& user, const fs::path& dir) {
  if (!running_as_root())
    return true;
  util::ProcessOptions options;
  options.run_as = lookup_user(user);
  return util::run_process({"test", "-x", dir.string()}, options).ok();
}

std::string short_hash(const fs::path& path) {
  return util::sha256_hex(path.string()).substr(0, 16);
}

fs::path socket_dir_for(const fs::path& root) {
  auto natural = root / "run";
  if ((natural / kSocketName).string().size() <= kMaxSocketPath)
    return natural;
  return fs::path("/tmp") / ("agentdb-" + short_hash(root));
}

ClusterPaths paths_for(fs::path home, fs::path root) {
  ClusterPaths paths;
  paths.home = std::move(home);
  paths.root = std::move(root);
  paths.data = paths.root / "data";
  paths.socket_dir = socket_dir_for(paths.root);
  paths.log_file = paths.root / "postgresql.log";
  return paths;
}

// Serialises creation and start-up between concurrent agentdb processes.
class HomeLock {
 public:
  explicit HomeLock(const fs::path& home) {
    fd_ = ::open((home / ".lock").c_str(), O_RDWR | O_CREAT | O_NOFOLLOW | O_CLOEXEC, 0644);
    if (fd_ < 0 || ::flock(fd_, LOCK_EX) != 0) {
      throw Error(ExitCode::failure, "cannot lock '" + (home / ".lock").string() + "'",
                  "check the permissions of the agentdb home directory");
    }
  }
  ~HomeLock() { ::close(fd_); }
  HomeLock(const HomeLock&) = delete;
  HomeLock& operator=(const HomeLock&) = delete;

 private:
  int fd_ = -1;
};

// As root, the files the server reads are handed to its user before they get their names.
std::optional<util::FileOwner> owner_for(const std::string& user) {
  const auto account = switch_to(user);
  if (!account)
    return std::nullopt;
  return util::FileOwner{account->uid, account->gid};
}

void make_dir(const fs::path& path, fs::perms perms) {
  std::error_code ec;
  fs::create_directories(path, ec);
  if (ec)
    throw Error(ExitCode::failure, "cannot create '" + path.string() + "': " + ec.message());
  fs::permissions(path, perms, ec);
}

// A 0700 folder of the server's user; under /tmp (the socket's fallback) a folder or link someone
// else planted at the predictable name is refused instead of being handed to the server.
void make_server_dir(const fs::path& path, const std::string& user) {
  std::error_code ec;
  fs::create_directories(path.parent_path(), ec);
  try {
    util::make_private_directory(path, owner_for(user));
  } catch (const util::FileWriteError& e) {
    throw Error(ExitCode::failure, e.what(),
                "remove it if it is not the local cluster's, then retry");
  }
}

void write_cluster_file(const fs::path& path, const std::string& content,
                        const util::WriteOptions& options = {}) {
  try {
    util::write_file_atomic(path, content, options);
  } catch (const util::FileWriteError& e) {
    throw Error(ExitCode::failure, e.what(), e.hint());
  }
}

// Only the Unix socket, in a folder only the server's user (and root) can enter; initdb's
// `host ... trust` lines would let anyone on the machine in if TCP were ever switched on.
constexpr const char* kHbaContent =
    "# Written by agentdb: connections only through the Unix socket, whose folder only the\n"
    "# server's user can enter. No TCP lines: see agentdb(1), EMBEDDED DATABASE.\n"
    "local all all trust\n"
    "local replication all trust\n";

void restrict_to_socket(const fs::path& data, const std::string& user) {
  const auto path = data / "pg_hba.conf";
  if (util::read_file(path) == std::optional<std::string>(kHbaContent))
    return;
  write_cluster_file(path, kHbaContent, {.mode = 0600, .owner = owner_for(user)});
}

}  // namespace

const char* to_string(ClusterState state) {
  switch (state) {
    case ClusterState::absent:
      return "absent";
    case ClusterState::stopped:
      return "stopped";
    case ClusterState::running:
      return "running";
  }
  return "absent";
}

Messages::Messages(const Output& out)
    : note([out](const std::string& message) { out.note(message); }),
      warn([out](const std::string& message) { out.warn(message); }) {}

fs::path default_home(const std::string& configured) {
  return fs::absolute(fs::path(configured)).lexically_normal();
}

fs::path configured_home(const Config& config) {
  return default_home(config.value(kHome));
}

ClusterStatus cluster_status(const fs::path& home) {
  const LocalCluster cluster(home);
  ClusterStatus result;
  result.state = cluster.state();
  result.paths = cluster.paths();
  if (result.state != ClusterState::absent)
    result.url = cluster.target().display;
  return result;
}

LocalCluster::LocalCluster(fs::path home) {
  home = fs::absolute(home).lexically_normal();
  if (auto stored = util::read_file(home / kLocationFile)) {
    paths_ = paths_for(home, fs::path(std::string(util::trim(*stored))));
  } else {
    paths_ = paths_for(home, home / "pg");
  }
}

std::string LocalCluster::server_user() const {
  // The data directory's owner is the one user the server may run as.
  struct stat info {};
  if (running_as_root() && ::stat(paths_.data.c_str(), &info) == 0) {
    if (const passwd* owner = ::getpwuid(info.st_uid))
      return owner->pw_name;
  }
  return pick_server_user();
}

ClusterState LocalCluster::state() const {
  std::error_code ec;
  if (!fs::exists(paths_.data / "PG_VERSION", ec))
    return ClusterState::absent;
  util::ProcessOptions options;
  options.run_as = switch_to(server_user());
  const auto result = util::run_process(
      {db::pg_program("pg_ctl").string(), "status", "-D", paths_.data.string()}, options);
  return result.exit_code == 0 ? ClusterState::running : ClusterState::stopped;
}

void LocalCluster::initialise(const Messages& messages) {
  const auto user = pick_server_user();
  make_dir(paths_.home, fs::perms::owner_all | fs::perms::group_read | fs::perms::group_exec |
                            fs::perms::others_read | fs::perms::others_exec);
  fs::path root = paths_.home / "pg";
  if (!user_can_reach(user, paths_.home)) {
    // As root in a directory the server's user cannot enter (/root is 0700): keep the cluster
    // under /var/lib and remember where.
    root = fs::path("/var/lib/agentdb/clusters") / short_hash(paths_.home);
    messages.warn("user " + user + " cannot reach " + paths_.home.string() +
                  "; keeping the cluster in " + root.string());
  }
  paths_ = paths_for(paths_.home, root);
  make_server_dir(paths_.root, user);
  make_server_dir(paths_.socket_dir, user);

  messages.note("creating the local PostgreSQL cluster in " + paths_.root.string());
  const auto result =
      run_as_server(user, {db::pg_program("initdb").string(), "-D", paths_.data.string(), "-U",
                           "agentdb", "--auth=trust", "-E", "UTF8", "--locale=C"});
  if (!result.ok()) {
    throw Error(
        ExitCode::failure, "initdb failed: " + util::one_line(result.err),
        "see " + paths_.data.string() + " or remove " + paths_.home.string() + " and retry");
  }
  // Only a Unix socket in a 0700 directory: no TCP port, nobody else on the machine can connect.
  // No JIT: a small embedded cluster gains nothing from it, and agentdb-serve.service runs it
  // under MemoryDenyWriteExecute, which JIT-compiled code would break.
  std::string settings =
      "\n# Added by agentdb\nlisten_addresses = ''\nunix_socket_directories = '" +
      paths_.socket_dir.string() + "'\nunix_socket_permissions = 0700\njit = off\n";
  auto conf = util::read_file(paths_.data / "postgresql.conf").value_or("");
  write_cluster_file(paths_.data / "postgresql.conf", conf + settings,
                     {.mode = 0600, .owner = owner_for(user)});
  write_cluster_file(paths_.home / kLocationFile, paths_.root.string() + "\n");
}

void LocalCluster::start(const Messages& messages) {
  make_dir(paths_.home, fs::perms::owner_all | fs::perms::group_read | fs::perms::group_exec |
                            fs::perms::others_read | fs::perms::others_exec);
  HomeLock lock(paths_.home);
  if (auto stored = util::read_file(paths_.home / kLocationFile)) {
    paths_ = paths_for(paths_.home, fs::path(std::string(util::trim(*stored))));
  }
  auto current = state();
  if (current == ClusterState::absent) {
    initialise(messages);
    current = ClusterState::stopped;
  }
  if (current == ClusterState::stopped) {
    const auto user = server_user();
    make_server_dir(paths_.socket_dir, user);
    restrict_to_socket(paths_.data, user);  // also for clusters made before it was done
    const auto result =
        run_as_server(user, {db::pg_program("pg_ctl").string(), "start", "-w", "-t", "60", "-D",
                             paths_.data.string(), "-l", paths_.log_file.string()});
    if (!result.ok()) {
      throw Error(ExitCode::failure, "the local PostgreSQL server did not start",
                  "see " + paths_.log_file.string());
    }
  }
  create_database();
}

void LocalCluster::create_database() {
  auto session = db::Session::open(target("postgres"));
  const auto exists = session->exec("SELECT 1 FROM pg_database WHERE datname = 'agentdb'");
  if (exists.empty())
    session->exec("CREATE DATABASE agentdb");
}

void LocalCluster::stop(const Messages& messages) {
  if (state() != ClusterState::running) {
    messages.note("the local PostgreSQL server is not running");
    return;
  }
  const auto result = run_as_server(server_user(), {db::pg_program("pg_ctl").string(), "stop", "-w",
                                                    "-m", "fast", "-D", paths_.data.string()});
  if (!result.ok()) {
    throw Error(ExitCode::failure, "pg_ctl stop failed: " + util::one_line(result.err),
                "see " + paths_.log_file.string());
  }
}

void LocalCluster::destroy(const Messages& messages) {
  if (state() == ClusterState::running)
    stop(messages);
  std::error_code ec;
  fs::remove_all(paths_.root, ec);
  if (ec)
    throw Error(ExitCode::failure, "cannot remove '" + paths_.root.string() + "': " + ec.message());
  if (paths_.socket_dir.parent_path() != paths_.root)
    fs::remove_all(paths_.socket_dir, ec);
  fs::remove(paths_.home / kLocationFile, ec);
  fs::remove(paths_.home / ".lock", ec);
  fs::remove(paths_.home, ec);  // only when empty
}

db::ConnectionTarget LocalCluster::target(const std::string& dbname) const {
  const auto quoted = [](const std::string& value) {
    std::string out = "'";
    for (char c : value) {
      if (c == '\'' || c == '\\')
        out += '\\';
      out += c;
    }
    return out + "'";
  };
  return db::parse_connection_target("host=" + quoted(paths_.socket_dir.string()) +
                                     " user=agentdb dbname=" + quoted(dbname));
}

db::ConnectionTarget LocalCluster::ensure_running(const Messages& messages) {
  std::error_code ec;
  if (!fs::exists(paths_.socket_dir / kSocketName, ec))
    start(messages);
  return target();
}

}  // namespace agentdb::local
