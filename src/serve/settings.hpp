// The settings `serve` owns.
#pragma once

#include "core/settings.hpp"

namespace agentdb::serve {

inline constexpr Setting kListen{.key = "serve.listen",
                                 .env = "AGENTDB_LISTEN",
                                 .fallback = "127.0.0.1:8080",
                                 .doc = "address and port serve listens on",
                                 .secrecy = Secrecy::plain};
inline constexpr Setting kPoolSize{.key = "serve.pool_size",
                                   .env = "AGENTDB_POOL_SIZE",
                                   .fallback = "10",
                                   .doc = "database connections of serve (and its worker threads)",
                                   .secrecy = Secrecy::plain};
inline constexpr Setting kThreads{.key = "serve.threads",
                                  .env = nullptr,
                                  .fallback = "2",
                                  .doc = "I/O threads of serve",
                                  .secrecy = Secrecy::plain};
inline constexpr Setting kDrainTimeout{.key = "serve.drain_timeout",
                                       .env = nullptr,
                                       .fallback = "10s",
                                       .doc = "how long SIGTERM lets requests in flight finish",
                                       .secrecy = Secrecy::plain};
inline constexpr Setting kStatementTimeout{.key = "serve.statement_timeout",
                                           .env = nullptr,
                                           .fallback = "5s",
                                           .doc = "statement timeout of each request",
                                           .secrecy = Secrecy::plain};
inline constexpr const Setting* kSettings[] = {&kListen, &kPoolSize, &kThreads, &kDrainTimeout,
                                               &kStatementTimeout};

}  // namespace agentdb::serve
