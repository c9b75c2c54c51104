#include "servers.hpp"

#include <arpa/inet.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <pwd.h>
#include <signal.h>
#include <spawn.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <unistd.h>

#include <chrono>
#include <fstream>
#include <regex>
#include <stdexcept>
#include <thread>

#include "db/pg_tools.hpp"

extern char** environ;

namespace agentdb::testing {

namespace fs = std::filesystem;

int free_port() {
  const int fd = ::socket(AF_INET, SOCK_STREAM, 0);
  sockaddr_in address{};
  address.sin_family = AF_INET;
  address.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  ::bind(fd, reinterpret_cast<sockaddr*>(&address), sizeof address);
  socklen_t length = sizeof address;
  ::getsockname(fd, reinterpret_cast<sockaddr*>(&address), &length);
  ::close(fd);
  return ntohs(address.sin_port);
}

int connect_loopback(int port) {
  const int fd = ::socket(AF_INET, SOCK_STREAM, 0);
  sockaddr_in address{};
  address.sin_family = AF_INET;
  address.sin_port = htons(static_cast<std::uint16_t>(port));
  address.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  if (::connect(fd, reinterpret_cast<sockaddr*>(&address), sizeof address) != 0) {
    ::close(fd);
    return -1;
  }
  return fd;
}

bool port_open(int port) {
  const int fd = connect_loopback(port);
  if (fd >= 0)
    ::close(fd);
  return fd >= 0;
}

bool wait_for_port(int port) {
  for (int i = 0; i < 200 && !port_open(port); ++i)
    std::this_thread::sleep_for(std::chrono::milliseconds(25));
  return port_open(port);
}

ServerProcess::ServerProcess(std::vector<std::string> args) {
  std::vector<char*> argv;
  for (auto& arg : args)
    argv.push_back(arg.data());
  argv.push_back(nullptr);
  posix_spawn_file_actions_t actions;
  posix_spawn_file_actions_init(&actions);
  posix_spawn_file_actions_addopen(&actions, 1, "/dev/null", O_WRONLY, 0);
  pid_t pid = 0;
  const int spawned = ::posix_spawnp(&pid, argv[0], &actions, nullptr, argv.data(), environ);
  posix_spawn_file_actions_destroy(&actions);
  if (spawned != 0)
    throw std::runtime_error("cannot start " + args.front());
  pid_ = pid;
}

void ServerProcess::stop() {
  if (pid_ == 0)
    return;
  ::kill(pid_, SIGTERM);
  int status = 0;
  ::waitpid(pid_, &status, 0);
  pid_ = 0;
}

RedisServer::RedisServer()
    : port_(free_port()),
      process_({"redis-server", "--port", std::to_string(port_), "--bind", "127.0.0.1", "--save",
                "", "--appendonly", "no", "--dir", dir_.path().string()}) {
  if (!wait_for_port(port_))
    throw std::runtime_error("redis-server did not listen on port " + std::to_string(port_));
}

std::string redis_command(int port, const std::vector<std::string>& words) {
  const int fd = connect_loopback(port);
  if (fd < 0)
    return {};
  std::string request = "*" + std::to_string(words.size()) + "\r\n";
  for (const auto& word : words)
    request += "$" + std::to_string(word.size()) + "\r\n" + word + "\r\n";
  (void)::write(fd, request.data(), request.size());
  char buffer[4096];
  const auto n = ::read(fd, buffer, sizeof buffer);
  ::close(fd);
  return n > 0 ? std::string(buffer, static_cast<std::size_t>(n)) : std::string();
}

std::string host_of(const std::string& conninfo) {
  std::smatch host;
  if (!std::regex_search(conninfo, host, std::regex(R"(host='?([^' ]+))")))
    throw std::runtime_error("no host= in the connection string");
  return host[1].str();
}

PgBouncer::PgBouncer(const std::string& host, int server_pool_size) : port_(free_port()) {
  dir_.write("userlist.txt", "\"agentdb\" \"\"\n");
  dir_.write("pgbouncer.ini",
             "[databases]\n* = host=" + host +
                 "\n[pgbouncer]\nlisten_addr = 127.0.0.1\nlisten_port = " + std::to_string(port_) +
                 "\nunix_socket_dir =\nauth_type = trust\nauth_file = " +
                 (dir_.path() / "userlist.txt").string() +
                 "\nadmin_users = agentdb\npool_mode = transaction\n"
                 "default_pool_size = " +
                 std::to_string(server_pool_size) + "\nmax_client_conn = 500\nlogfile = " +
                 (dir_.path() / "pgbouncer.log").string() + "\n");
  std::vector<std::string> args{"pgbouncer"};
  if (::geteuid() == 0) {  // as root PgBouncer must be told whom to run as
    const auto* postgres = ::getpwnam("postgres");
    if (postgres == nullptr)
      throw std::runtime_error("no postgres user to run PgBouncer as");
    if (::chown(dir_.path().c_str(), postgres->pw_uid, postgres->pw_gid) != 0)
      throw std::runtime_error("cannot hand PgBouncer's directory to postgres");
    args.insert(args.end(), {"-u", "postgres"});
  }
  args.push_back((dir_.path() / "pgbouncer.ini").string());
  process_ = std::make_unique<ServerProcess>(args);
  if (!wait_for_port(port_))
    throw std::runtime_error("PgBouncer did not listen on port " + std::to_string(port_));
}

std::string PgBouncer::url(const std::string& dbname, const std::string& user) const {
  return "postgresql://" + user + "@127.0.0.1:" + std::to_string(port_) + "/" + dbname;
}

Standby::Standby(const local::LocalCluster& primary, const fs::path& dir)
    : data_(dir / "standby"), socket_dir_(dir / "standby-run"), log_(dir / "standby.log") {
  fs::create_directories(socket_dir_);
  if (::geteuid() == 0) {
    const auto* user = ::getpwnam(primary.server_user().c_str());
    if (user == nullptr)
      throw std::runtime_error("no user " + primary.server_user());
    as_server_.run_as = util::ProcessUser{user->pw_uid, user->pw_gid};
    if (::chown(dir.c_str(), user->pw_uid, user->pw_gid) != 0 ||
        ::chown(socket_dir_.c_str(), user->pw_uid, user->pw_gid) != 0)
      throw std::runtime_error("cannot hand the standby's directories to " + primary.server_user());
  }
  const auto bindir = db::pg_program("pg_ctl").parent_path();
  const auto backup = util::run_process(
      {(bindir / "pg_basebackup").string(), "-D", data_.string(), "-R", "-X", "stream", "-c",
       "fast", "-h", primary.paths().socket_dir.string(), "-U", "agentdb"},
      as_server_);
  if (backup.exit_code != 0)
    throw std::runtime_error("pg_basebackup failed: " + backup.err);
  {
    std::ofstream conf(data_ / "postgresql.auto.conf", std::ios::app);
    conf << "unix_socket_directories = '" << socket_dir_.string() << "'\n";
  }
  target_ =
      db::parse_connection_target("host=" + socket_dir_.string() + " user=agentdb dbname=agentdb");
  start();
}

std::string Standby::url(const std::string& dbname) const {
  return "host=" + socket_dir_.string() + " user=agentdb dbname=" + dbname;
}

void Standby::start() {
  const auto pg_ctl = db::pg_program("pg_ctl").string();
  const auto started = util::run_process(
      {pg_ctl, "start", "-w", "-D", data_.string(), "-l", log_.string()}, as_server_);
  if (started.exit_code != 0)
    throw std::runtime_error("the standby did not start: " + started.err + started.out);
  running_ = true;
}

void Standby::stop() {
  if (!running_)
    return;
  (void)util::run_process(
      {db::pg_program("pg_ctl").string(), "stop", "-w", "-m", "fast", "-D", data_.string()},
      as_server_);
  running_ = false;
}

}  // namespace agentdb::testing
