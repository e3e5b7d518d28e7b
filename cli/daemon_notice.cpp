#include "cli/daemon_notice.hpp"

#include <ostream>

#include "daemon/control_socket.hpp"

namespace sonoria::cli {

void tell_running_daemon(const config::Settings& settings, std::ostream& out, std::ostream& err) {
  using namespace std::chrono_literals;
  const auto answer = daemon::ask_running_daemon(daemon::control_socket_path(settings.database), "reload", 10s);
  if (!answer) return;
  if (answer->rfind("ok", 0) == 0) {
    out << "the running daemon reloaded: the next call uses it\n";
    return;
  }
  err << "warning: the running daemon could not reload (" << *answer
      << "); it keeps what it had and tries again within 15 s\n";
}

}  // namespace sonoria::cli
