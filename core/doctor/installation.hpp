#pragma once
// The checks `sonoria doctor` runs against an installation, in order: the database (reachable,
// migrated, quick_check clean), the organizations, the engines (each engine in use: its key set
// and accepted — a session is opened and closed — and the local engine's model files), Twilio (the
// credentials accepted: GET Accounts/{sid}.json; the clock against Twilio's; each organization's
// number on the account and pointing at this daemon, set right with `fix`), and the public URL
// (reachable from here, with a certificate that verifies). Blocking, with a timeout per check: for
// the command line, never the daemon. Secrets never appear in what it returns.

#include <chrono>
#include <string>
#include <vector>

#include "core/config/settings.hpp"
#include "core/doctor/check.hpp"

namespace sonoria::doctor {

struct DoctorOptions {
  bool fix = false;                               // point the numbers at this daemon
  std::string ca_file;                            // extra trust anchors (PEM) for the HTTPS checks
  std::chrono::milliseconds timeout{10000};       // per network check
};

std::vector<Check> check_installation(const config::Settings& settings, const DoctorOptions& options);

}  // namespace sonoria::doctor
