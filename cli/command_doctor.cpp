// sonoria doctor [--fix] [--json]: checks an installation, one line per check with what to do
// about a failure (core/doctor/installation.hpp). Exit 0 only when nothing failed.
#include <CLI/CLI.hpp>

#include <iostream>

#include <nlohmann/json.hpp>

#include "cli/commands.hpp"
#include "cli/context.hpp"
#include "core/config/duration.hpp"
#include "core/doctor/installation.hpp"
#include "core/error.hpp"

namespace sonoria::cli {

namespace {

struct DoctorFlags {
  bool fix = false;
  bool json = false;
  std::string ca_file;
  std::string timeout = "10s";
};

void print(const std::vector<doctor::Check>& checks, bool json) {
  if (json) std::cout << doctor::report_json(checks).dump(2) << "\n";
  else std::cout << doctor::report_text(checks);
  std::cout << std::flush;
}

}  // namespace

void register_doctor(CLI::App& app, Context& context) {
  auto flags = std::make_shared<DoctorFlags>();
  auto* cmd = app.add_subcommand("doctor", "Check the installation: config, database, engines, Twilio, numbers, public URL");
  cmd->add_flag("--fix", flags->fix, "Point each organization's numbers at this daemon (voice webhook, status callback)");
  cmd->add_flag("--json", flags->json, "One JSON object: {ok, checks: [{name, status, detail, fix}]}");
  cmd->add_option("--ca-file", flags->ca_file, "Extra trust anchors (PEM) for the HTTPS checks");
  cmd->add_option("--timeout", flags->timeout, "Per network check (default 10s)");
  cmd->callback([&context, flags] {
    const auto timeout = config::parse_duration(flags->timeout);
    if (!timeout || timeout->count() <= 0)
      throw UserError("--timeout \"" + flags->timeout + "\" is not a duration (e.g. 5s, 500ms)", ExitCode::usage);
    std::vector<doctor::Check> checks;
    try {
      context.loaded();
    } catch (const UserError& e) {
      // A configuration that does not load is the first finding, not a crash of the doctor.
      checks.push_back({"config", doctor::Status::failed, e.what(), "correct the file as the message says"});
      print(checks, flags->json);
      throw UserError("the configuration does not load", ExitCode::failure);
    }
    doctor::DoctorOptions options;
    options.fix = flags->fix;
    options.ca_file = flags->ca_file;
    options.timeout = *timeout;
    checks = doctor::check_installation(context.settings(), options);
    print(checks, flags->json);
    if (!doctor::all_passed(checks)) {
      int failed = 0;
      for (const auto& c : checks) failed += c.status == doctor::Status::failed;
      throw UserError(std::to_string(failed) + (failed == 1 ? " check failed" : " checks failed"), ExitCode::failure);
    }
  });
}

}  // namespace sonoria::cli
