#pragma once
// The running daemon's control socket: a Unix socket beside the database ("<database>.sock",
// mode 0600) through which a command on the same machine reaches the daemon that serves that
// database. `sonoria org import` asks it to reload, so the very next call uses the new profile.
// One line in ("reload"), one line out ("ok …" or "error: …").
//
// Both ends are here. The server runs its own thread (the handler may read the disk or the
// database; it never runs on the event loop). Plain POSIX sockets: nothing here is on a hot path.

#include <chrono>
#include <functional>
#include <optional>
#include <string>
#include <string_view>
#include <thread>

#include "core/config/settings.hpp"

namespace sonoria::daemon {

// "<database.path>.sock", or "" when that path is too long for a Unix socket.
std::string control_socket_path(const config::DatabaseSettings& database);

class ControlSocket {
 public:
  using Handler = std::function<std::string(std::string_view command)>;

  // Binds `path` and starts serving. When the path is empty, or another daemon already answers
  // on it, or it cannot be bound, this logs why and serves nothing (the daemon runs without it).
  ControlSocket(std::string path, Handler handler);
  ~ControlSocket();  // stops the thread and removes the socket file
  ControlSocket(const ControlSocket&) = delete;
  ControlSocket& operator=(const ControlSocket&) = delete;

  bool listening() const { return listen_fd_ >= 0; }

 private:
  void run();
  void serve_one(int fd);

  std::string path_;
  Handler handler_;
  int listen_fd_ = -1;
  int stop_pipe_[2] = {-1, -1};
  std::thread thread_;
};

// Sends `command` to the daemon listening on `path` and returns its answer line. nullopt when no
// daemon listens there (no socket file, or a stale one); "error: …" when it did not answer in time.
std::optional<std::string> ask_running_daemon(const std::string& path, std::string_view command,
                                              std::chrono::milliseconds timeout);

}  // namespace sonoria::daemon
