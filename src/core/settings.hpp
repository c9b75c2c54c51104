// A setting is declared once, by the module that owns it: its agentdb.toml key, environment
// variable, default and one-line doc. Config resolves it (flag > environment > file > default),
// rejects file keys nobody declared, and keeps secret values out of every message.
#pragma once

#include <span>
#include <string_view>

namespace agentdb {

enum class Secrecy { plain, secret };

struct Setting {
  // The agentdb.toml key ("qdrant.url"). A key ending in ".*" declares a table whose keys the
  // owning module checks itself ("health.*": thresholds per check). Empty: environment only.
  std::string_view key;
  const char* env = nullptr;  // environment variable, or nullptr when there is none
  std::string_view fallback;  // the built-in default; empty when there is none
  std::string_view doc;       // one line, shown by `agentdb --help` and checked against agentdb(1)
  Secrecy secrecy = Secrecy::plain;
  // The default is a path into the data agentdb ships (migrations, seeds, collections): used from
  // the working directory when it is there (a checkout), else from the installed copy.
  bool shipped = false;

  [[nodiscard]] bool is_table() const { return key.ends_with(".*"); }
  [[nodiscard]] bool is_secret() const { return secrecy == Secrecy::secret; }
};

// What a module declares, in the order `--help` lists them.
using Settings = std::span<const Setting* const>;

}  // namespace agentdb
