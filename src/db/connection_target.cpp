#include "db/connection_target.hpp"

#include <libpq-fe.h>

#include <map>
#include <memory>
#include <regex>

#include "core/error.hpp"

namespace agentdb::db {

namespace {

std::string quote_value(std::string_view value) {
  std::string out = "'";
  for (char c : value) {
    if (c == '\'' || c == '\\')
      out += '\\';
    out += c;
  }
  out += '\'';
  return out;
}

std::string build_conninfo(const std::map<std::string, std::string>& params) {
  std::string out;
  for (const auto& [key, value] : params) {
    if (!out.empty())
      out += ' ';
    out += key + "=" + quote_value(value);
  }
  return out;
}

std::string build_display(const std::map<std::string, std::string>& params) {
  const auto get = [&params](const char* key) {
    const auto it = params.find(key);
    return it == params.end() ? std::string() : it->second;
  };
  std::string out = "postgresql://";
  if (const auto user = get("user"); !user.empty())
    out += user + "@";
  const auto host = get("host").empty() ? get("hostaddr") : get("host");
  if (host.starts_with("/")) {
    // A Unix socket directory: percent-encoded, as libpq reads it back from a URL.
    for (const char c : host)
      out += c == '/' ? std::string("%2F") : std::string(1, c);
  } else {
    out += host.empty() ? "localhost" : host;
  }
  if (const auto port = get("port"); !port.empty())
    out += ":" + port;
  out += "/" + get("dbname");
  return out;
}

std::map<std::string, std::string> parse_params(std::string_view url) {
  char* error = nullptr;
  const std::string text(url);
  std::unique_ptr<PQconninfoOption, decltype(&PQconninfoFree)> options(
      PQconninfoParse(text.c_str(), &error), &PQconninfoFree);
  if (!options) {
    std::string why = error != nullptr ? error : "cannot parse it";
    PQfreemem(error);
    while (!why.empty() && (why.back() == '\n' || why.back() == ' '))
      why.pop_back();
    throw Error(ExitCode::usage, "invalid database URL '" + redact_passwords(url) + "': " + why,
                "use postgresql://user@host:port/dbname or key=value pairs");
  }
  std::map<std::string, std::string> params;
  for (auto* option = options.get(); option->keyword != nullptr; ++option) {
    if (option->val != nullptr && *option->val != '\0')
      params[option->keyword] = option->val;
  }
  return params;
}

ConnectionTarget from_params(std::map<std::string, std::string> params) {
  ConnectionTarget target;
  if (const auto it = params.find("password"); it != params.end()) {
    target.password = it->second;
    params.erase(it);
  }
  if (!params.contains("dbname")) {
    // libpq falls back to the user name; say so explicitly so messages and tools agree.
    if (const auto user = params.find("user"); user != params.end())
      params["dbname"] = user->second;
  }
  target.dbname = params.contains("dbname") ? params["dbname"] : "";
  target.display = build_display(params);
  target.conninfo = build_conninfo(params);
  return target;
}

}  // namespace

ConnectionTarget parse_connection_target(std::string_view url) {
  return from_params(parse_params(url));
}

ConnectionTarget with_database(const ConnectionTarget& target, std::string_view dbname) {
  auto params = parse_params(target.conninfo);
  params["dbname"] = std::string(dbname);
  auto result = from_params(std::move(params));
  result.password = target.password;
  return result;
}

std::string conninfo_with_password(const ConnectionTarget& target) {
  if (target.password.empty())
    return target.conninfo;
  return target.conninfo + " password=" + quote_value(target.password);
}

std::string redact_passwords(std::string_view text) {
  static const std::regex url_password(R"(([a-zA-Z][a-zA-Z0-9+.-]*://[^:/@\s]*):[^@\s]*@)");
  static const std::regex keyword_password(R"((password\s*=\s*)('([^'\\]|\\.)*'|\S+))",
                                           std::regex::icase);
  std::string out = std::regex_replace(std::string(text), url_password, "$1:****@");
  return std::regex_replace(out, keyword_password, "$1****");
}

}  // namespace agentdb::db
