// Start-up time is measured (bench/RESULTS.md). Loading libpq pulls in some twenty libraries
// (Kerberos, LDAP, GnuTLS, ...) whose initialisation costs ~8 ms here, so the program proper lives
// in libagentdb-core.so and is loaded only when a command runs; `--version` answers without it.
#include <dlfcn.h>
#include <unistd.h>

#include <cstdio>
#include <cstring>
#include <string>

#ifndef AGENTDB_VERSION
#define AGENTDB_VERSION "0.0.0"
#endif

#ifdef AGENTDB_LINKED_CORE
// Sanitizer builds link the program in (see src/CMakeLists.txt).
extern "C" int agentdb_main(int argc, char** argv);
#endif

namespace {

std::string directory_of_executable() {
  char path[4096];
  const auto n = ::readlink("/proc/self/exe", path, sizeof path - 1);
  if (n <= 0)
    return ".";
  std::string result(path, static_cast<std::size_t>(n));
  return result.substr(0, result.rfind('/'));
}

// Beside the binary in a build tree, ../lib/agentdb when installed.
void* open_core() {
  const auto dir = directory_of_executable();
  for (const auto& candidate :
       {dir + "/libagentdb-core.so", dir + "/../lib/agentdb/libagentdb-core.so"}) {
    if (void* core = ::dlopen(candidate.c_str(), RTLD_NOW | RTLD_LOCAL))
      return core;
    if (::access(candidate.c_str(), F_OK) == 0) {
      std::fprintf(stderr, "agentdb: cannot load '%s': %s; hint: reinstall agentdb\n",
                   candidate.c_str(), ::dlerror());
      return nullptr;
    }
  }
  std::fprintf(stderr,
               "agentdb: cannot find libagentdb-core.so beside %s; hint: reinstall agentdb\n",
               dir.c_str());
  return nullptr;
}

}  // namespace

int main(int argc, char** argv) {
  if (argc == 2 && std::strcmp(argv[1], "--version") == 0) {
    std::puts("agentdb " AGENTDB_VERSION);
    return 0;
  }
#ifdef AGENTDB_LINKED_CORE
  return agentdb_main(argc, argv);
#endif
  void* core = open_core();
  if (core == nullptr)
    return 1;
  using Entry = int (*)(int, char**);
  const auto entry = reinterpret_cast<Entry>(::dlsym(core, "agentdb_main"));
  if (entry == nullptr) {
    std::fprintf(stderr,
                 "agentdb: libagentdb-core.so has no entry point; hint: reinstall agentdb\n");
    return 1;
  }
  return entry(argc, argv);
}
