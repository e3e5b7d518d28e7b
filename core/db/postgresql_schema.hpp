#pragma once
// PostgreSQL's migrations: the schema SQLite reaches through versions 1 to 15 in one step,
// numbered 15, then each later version under the same number as SQLite's (16: the daemons and
// their leases).

#include <vector>

#include "core/db/migrations.hpp"

namespace sonoria::db {

const std::vector<Migration>& postgresql_migrations();

}  // namespace sonoria::db
