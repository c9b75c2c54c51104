#include "db/connection_target.hpp"

#include <libpq-fe.h>

#include <algorithm>
#include <cctype>
#include <map>
#include <memory>
#include <optional>
#include <vector>

#include "core/error.hpp"
#include "util/strings.hpp"

namespace agentdb::db {

namespace {

// A password shorter than this is not searched for in free text: a match there is far likelier a
// coincidence ("a" in any sentence) than an echo, and blanking it would garble the message.
constexpr std::size_t kShortestRecognisablePassword = 4;

struct Span {
  std::size_t begin;
  std::size_t end;
};

// The userinfo password of every scheme://user:password@host: from the first ':' after "://" to
// the last '@' before the authority ends ('/' or a newline), so a password holding spaces, quotes
// or an unencoded '@' is hidden whole. Each byte is looked at a bounded number of times.
void add_url_password_spans(std::string_view text, std::vector<Span>& spans) {
  std::size_t authority_end = 0;
  std::size_t last_at = std::string_view::npos;
  std::size_t from = 0;
  while (true) {
    const auto mark = text.find("://", from);
    if (mark == std::string_view::npos)
      return;
    const auto start = mark + 3;
    from = start;
    if (authority_end < start) {
      last_at = std::string_view::npos;
      for (authority_end = start;
           authority_end < text.size() && text[authority_end] != '/' && text[authority_end] != '\n';
           ++authority_end) {
        if (text[authority_end] == '@')
          last_at = authority_end;
      }
    }
    if (last_at == std::string_view::npos || last_at < start)
      continue;
    const auto colon = text.substr(start, last_at - start).find(':');
    if (colon != std::string_view::npos && start + colon + 1 < last_at)
      spans.push_back({start + colon + 1, last_at});
    from = last_at + 1;
  }
}

bool keyword_at(std::string_view text, std::size_t at, std::string_view keyword) {
  if (text.size() - at < keyword.size())
    return false;
  for (std::size_t i = 0; i < keyword.size(); ++i) {
    if (std::tolower(static_cast<unsigned char>(text[at + i])) != keyword[i])
      return false;
  }
  return true;
}

// Where a libpq keyword value starting at `at` ends: a quoted value at its closing quote (or the
// end), a bare one at whitespace; a backslash escapes the next character in both.
std::size_t value_end(std::string_view text, std::size_t at) {
  const bool quoted = at < text.size() && text[at] == '\'';
  std::size_t i = quoted ? at + 1 : at;
  while (i < text.size()) {
    const char c = text[i];
    if (quoted ? c == '\'' : std::isspace(static_cast<unsigned char>(c)) != 0)
      return quoted ? i + 1 : i;
    i += c == '\\' ? 2 : 1;
  }
  return text.size();
}

// Every password=value (any case, spaces around '='), as libpq reads keyword=value strings.
void add_keyword_password_spans(std::string_view text, std::vector<Span>& spans) {
  constexpr std::string_view kKeyword = "password";
  for (std::size_t i = 0; i < text.size();) {
    if (!keyword_at(text, i, kKeyword)) {
      ++i;
      continue;
    }
    std::size_t at = i + kKeyword.size();
    while (at < text.size() && (text[at] == ' ' || text[at] == '\t'))
      ++at;
    if (at == text.size() || text[at] != '=') {
      i = at;
      continue;
    }
    ++at;
    while (at < text.size() && (text[at] == ' ' || text[at] == '\t'))
      ++at;
    const auto end = value_end(text, at);
    if (end > at)
      spans.push_back({at, end});
    i = std::max(end, at);
  }
}

// The passwords in free text, in order and without overlaps.
std::vector<Span> password_spans(std::string_view text) {
  std::vector<Span> found;
  add_url_password_spans(text, found);
  add_keyword_password_spans(text, found);
  std::sort(found.begin(), found.end(),
            [](const Span& a, const Span& b) { return a.begin < b.begin; });
  std::vector<Span> merged;
  for (const auto& span : found) {
    if (!merged.empty() && span.begin <= merged.back().end)
      merged.back().end = std::max(merged.back().end, span.end);
    else
      merged.push_back(span);
  }
  return merged;
}

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

std::vector<std::string> comma_list(const std::string& text) {
  std::vector<std::string> items;
  for (std::size_t at = 0;;) {
    const auto comma = text.find(',', at);
    items.push_back(text.substr(at, comma == std::string::npos ? std::string::npos : comma - at));
    if (comma == std::string::npos)
      return items;
    at = comma + 1;
  }
}

std::string display_host(const std::string& host) {
  if (!host.starts_with("/"))
    return host.empty() ? "localhost" : host;
  // A Unix socket directory: percent-encoded, as libpq reads it back from a URL.
  std::string out;
  for (const char c : host)
    out += c == '/' ? std::string("%2F") : std::string(1, c);
  return out;
}

std::string lookup(const std::map<std::string, std::string>& params, const char* key) {
  const auto it = params.find(key);
  return it == params.end() ? std::string() : it->second;
}

std::string host_list(const std::map<std::string, std::string>& params) {
  return lookup(params, "host").empty() ? lookup(params, "hostaddr") : lookup(params, "host");
}

// postgresql://user@host:port/dbname; several hosts each with their port, as in a libpq URL.
std::string build_display(const std::map<std::string, std::string>& params) {
  std::string out = "postgresql://";
  if (const auto user = lookup(params, "user"); !user.empty())
    out += user + "@";
  const auto hosts = comma_list(host_list(params));
  const auto ports = comma_list(lookup(params, "port"));
  for (std::size_t i = 0; i < hosts.size(); ++i) {
    if (i > 0)
      out += ',';
    out += display_host(hosts[i]);
    // libpq: one port for every host, or one per host.
    const auto& port = ports.size() == hosts.size() ? ports[i] : ports.front();
    if (!port.empty())
      out += ":" + port;
  }
  out += "/" + lookup(params, "dbname");
  return out;
}

// "mysql" for "mysql://..."; nullopt when the text does not start with a URL scheme.
std::optional<std::string_view> url_scheme(std::string_view text) {
  const auto end = text.find("://");
  if (end == std::string_view::npos || end == 0 ||
      std::isalpha(static_cast<unsigned char>(text[0])) == 0)
    return std::nullopt;
  const auto scheme = text.substr(0, end);
  const bool scheme_characters = std::all_of(scheme.begin(), scheme.end(), [](char c) {
    return std::isalnum(static_cast<unsigned char>(c)) != 0 || c == '+' || c == '.' || c == '-';
  });
  return scheme_characters ? std::optional(scheme) : std::nullopt;
}

void require_postgresql_scheme(std::string_view url) {
  const auto scheme = url_scheme(url);
  if (scheme && *scheme != "postgresql" && *scheme != "postgres") {
    throw Error(ExitCode::usage,
                "unsupported database URL scheme '" + excerpt(*scheme) +
                    "://'; agentdb accepts postgresql:// or postgres:// only",
                "give postgresql://user@host:port/dbname or key=value pairs");
  }
}

// libpq's reason quotes pieces of the input ("p%zz", the whole URL): the passwords found in the
// input are hidden there too, and long pieces are cut short. A piece holding quotes of its own
// pairs them wrongly, so the reason as a whole is cut short too.
std::string describe_parse_failure(std::string_view url, std::string why) {
  constexpr std::size_t kQuotedKept = 20;   // the input is shown once in full excerpt already
  constexpr std::size_t kReasonKept = 200;  // libpq's own words are well within it
  while (!why.empty() && (why.back() == '\n' || why.back() == ' '))
    why.pop_back();
  why = redact_passwords(why);
  for (const auto& span : password_spans(url)) {
    const auto password = url.substr(span.begin, span.end - span.begin);
    util::replace_all(why, "\"" + std::string(password) + "\"", "\"****\"");
    if (password.size() >= kShortestRecognisablePassword)
      util::replace_all(why, password, "****");
  }
  std::string shown;
  for (std::size_t at = 0; at < why.size();) {
    const auto open = why.find('"', at);
    const auto close = open == std::string::npos ? open : why.find('"', open + 1);
    if (close == std::string::npos) {
      shown += why.substr(at);
      break;
    }
    shown += why.substr(at, open + 1 - at) +
             excerpt(std::string_view(why).substr(open + 1, close - open - 1), kQuotedKept) + '"';
    at = close + 1;
  }
  return "invalid database URL '" + excerpt(redact_passwords(url)) +
         "': " + excerpt(shown, kReasonKept);
}

std::map<std::string, std::string> parse_params(std::string_view url) {
  require_postgresql_scheme(url);
  char* error = nullptr;
  const std::string text(url);
  std::unique_ptr<PQconninfoOption, decltype(&PQconninfoFree)> options(
      PQconninfoParse(text.c_str(), &error), &PQconninfoFree);
  if (!options) {
    std::string why = error != nullptr ? error : "cannot parse it";
    PQfreemem(error);
    throw Error(ExitCode::usage, describe_parse_failure(url, std::move(why)),
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
  target.host_count = comma_list(host_list(params)).size();
  target.conninfo = build_conninfo(params);
  return target;
}

}  // namespace

ConnectionTarget parse_connection_target(std::string_view url) {
  if (util::trim(url).empty()) {
    throw Error(ExitCode::usage, "the database URL is empty",
                "give postgresql://user@host:port/dbname or key=value pairs, or set none to use "
                "the embedded cluster");
  }
  return from_params(parse_params(url));
}

ConnectionTarget with_parameter(const ConnectionTarget& target, std::string_view key,
                                std::string_view value) {
  auto params = parse_params(target.conninfo);
  params[std::string(key)] = std::string(value);
  auto result = from_params(std::move(params));
  result.password = target.password;
  return result;
}

std::vector<ConnectionTarget> each_host(const ConnectionTarget& target) {
  const auto params = parse_params(target.conninfo);
  std::vector<std::vector<std::string>> lists;  // host, hostaddr, port: each one per host or one
  const char* keys[] = {"host", "hostaddr", "port"};
  for (const char* key : keys)
    lists.push_back(comma_list(lookup(params, key)));
  const auto count = comma_list(host_list(params)).size();
  std::vector<ConnectionTarget> targets;
  for (std::size_t i = 0; i < count; ++i) {
    auto one = params;
    for (std::size_t k = 0; k < lists.size(); ++k) {
      if (!params.contains(keys[k]))
        continue;
      one[keys[k]] = lists[k].size() == count ? lists[k][i] : lists[k].front();
    }
    one["target_session_attrs"] = "any";
    auto result = from_params(std::move(one));
    result.password = target.password;
    targets.push_back(std::move(result));
  }
  return targets;
}

ConnectionTarget with_database(const ConnectionTarget& target, std::string_view dbname) {
  return with_parameter(target, "dbname", dbname);
}

std::string conninfo_with_password(const ConnectionTarget& target) {
  if (target.password.empty())
    return target.conninfo;
  return target.conninfo + " password=" + quote_value(target.password);
}

std::string redact_passwords(std::string_view text) {
  std::string out;
  std::size_t copied = 0;
  for (const auto& span : password_spans(text)) {
    out.append(text.substr(copied, span.begin - copied)).append("****");
    copied = span.end;
  }
  return out.append(text.substr(copied));
}

std::string redact_passwords(std::string_view text, const ConnectionTarget& target) {
  auto out = redact_passwords(text);
  if (target.password.size() >= kShortestRecognisablePassword)
    util::replace_all(out, target.password, "****");
  return out;
}

}  // namespace agentdb::db
