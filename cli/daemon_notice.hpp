#pragma once
// After a command changed what the daemon answers with (an organization imported, a signing
// secret rotated): tell the daemon serving this database, through its control socket, so the next
// call already uses the change. Prints one line when a daemon was told (or could not reload);
// nothing when no daemon runs on this database.

#include <iosfwd>

#include "core/config/settings.hpp"

namespace sonoria::cli {

void tell_running_daemon(const config::Settings& settings, std::ostream& out, std::ostream& err);

}  // namespace sonoria::cli
