// The settings `seed` owns.
#pragma once

#include "core/settings.hpp"

namespace agentdb::seed {

inline constexpr Setting kSeedsDir{.key = "seed.dir",
                                   .env = "AGENTDB_SEEDS_DIR",
                                   .fallback = "seeds",
                                   .doc = "folder of seed sets",
                                   .secrecy = Secrecy::plain,
                                   .shipped = true};
inline constexpr const Setting* kSettings[] = {&kSeedsDir};

}  // namespace agentdb::seed
