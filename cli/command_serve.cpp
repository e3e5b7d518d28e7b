// sonoria serve: the daemon that answers calls.
#include <CLI/CLI.hpp>

#include "cli/commands.hpp"
#include "cli/context.hpp"
#include "core/error.hpp"
#include "daemon/daemon.hpp"

namespace sonoria::cli {

void register_serve(CLI::App& app, Context& context) {
  auto listen = std::make_shared<std::string>();
  auto* cmd = app.add_subcommand("serve", "Run the daemon that answers Twilio calls");
  cmd->add_option("--listen", *listen, "Address:port to bind (overrides server.listen)");
  cmd->callback([&context, listen] {
    if (!listen->empty()) context.extra_flags.emplace_back("server.listen", *listen);
    daemon::Daemon daemon(context.settings());
    daemon.set_config_source([&context] { return context.load_fresh().settings; });
    int code = daemon.run();
    if (code != 0) throw UserError("the daemon stopped with an error", static_cast<ExitCode>(code));
  });
}

}  // namespace sonoria::cli
