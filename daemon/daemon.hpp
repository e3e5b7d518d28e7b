#pragma once
// The server, assembled: io_context and its threads, the HTTP/WebSocket listener, the routes,
// the database writer, the org directory and its reloader, signals and graceful shutdown.
// Built in dependency order, torn down in reverse.

#include <cstdint>
#include <functional>
#include <memory>
#include <string>

#include "core/config/settings.hpp"

namespace sonoria::daemon {

class Daemon {
 public:
  // Opens the database (schema must be current), closes calls a crash left open, loads the
  // organizations. Throws UserError/DataError with a message for the operator.
  explicit Daemon(const config::Settings& settings);
  ~Daemon();

  // How to read the configuration again on a reload (SIGHUP, the control socket). Without one,
  // a reload re-reads the organizations only. Before start().
  void set_config_source(std::function<config::Settings()> reread);
  void start();                 // binds and starts serving on background threads
  uint16_t port() const;        // the bound port (for listen ports of 0)
  uint16_t dashboard_port() const;  // dashboard.listen's bound port, or port() when it shares it
  // Graceful stop, like SIGTERM: readiness fails, new calls are sent to the fallback, calls in
  // progress get up to server.drain_timeout and are then handed to the fallback, the listener
  // stays open until the last of them is done, the writer is flushed. Any thread; returns at once.
  void request_stop();
  // What SIGHUP does, synchronously: "ok …" or "error: …" (the old configuration stays).
  std::string reload();
  // Blocks until stopped; returns the process exit code.
  int wait();
  // start() + SIGTERM/SIGINT handling + wait(). A second signal exits at once.
  int run();

 private:
  class Impl;
  std::unique_ptr<Impl> impl_;
};

}  // namespace sonoria::daemon
