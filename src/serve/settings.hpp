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
inline constexpr Setting kRateLimits{
    .key = "serve.rate_limits",
    .env = "AGENTDB_RATE_LIMITS",
    .fallback = "free=5/10,standard=50/100,premium=500/1000",
    .doc = "requests per second/burst of each key tier (SIGHUP reloads)",
    .secrecy = Secrecy::plain};
inline constexpr Setting kLogLevel{.key = "serve.log_level",
                                   .env = "AGENTDB_LOG_LEVEL",
                                   .fallback = "info",
                                   .doc =
                                       "access log: info (every request), warn (4xx and 5xx), "
                                       "error (5xx) or off (SIGHUP reloads)",
                                   .secrecy = Secrecy::plain};
inline constexpr Setting kIdleTimeout{.key = "serve.idle_timeout",
                                      .env = nullptr,
                                      .fallback = "30s",
                                      .doc = "how long a client connection may stay silent",
                                      .secrecy = Secrecy::plain};
inline constexpr Setting kMaxConnections{.key = "serve.max_connections",
                                         .env = nullptr,
                                         .fallback = "1024",
                                         .doc = "client connections at once (more get 503)",
                                         .secrecy = Secrecy::plain};
inline constexpr Setting kReadUrl{.key = "serve.read_url",
                                  .env = "AGENTDB_READ_URL",
                                  .fallback = "",
                                  .doc =
                                      "a replica for the read-only routes (the primary answers "
                                      "while it cannot)",
                                  .secrecy = Secrecy::secret};
inline constexpr Setting kPgBouncer{.key = "serve.pgbouncer",
                                    .env = "AGENTDB_PGBOUNCER",
                                    .fallback = "false",
                                    .doc =
                                        "the database URL is PgBouncer in transaction pooling "
                                        "(true/false)",
                                    .secrecy = Secrecy::plain};
inline constexpr const Setting* kSettings[] = {
    &kListen,   &kPoolSize,    &kThreads,        &kDrainTimeout, &kStatementTimeout, &kRateLimits,
    &kLogLevel, &kIdleTimeout, &kMaxConnections, &kReadUrl,      &kPgBouncer};

}  // namespace agentdb::serve
