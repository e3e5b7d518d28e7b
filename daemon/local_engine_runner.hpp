#pragma once
// Where the daemon's calls run their local engines (core/engine/local/local_engine.hpp): on a pool
// of worker threads (engines.local.threads), never on the I/O threads, since hearing and speaking
// are CPU work that blocks for milliseconds at a time. Each call's engine takes its messages one
// at a time, in order (a strand of the pool); what it sends back is posted to the call's strand.
//
// To the engine link (daemon/engine_link.hpp), a LocalEngineConnection stands where a WebSocket
// stands for the cloud engines: open, messages both ways, caller audio bounded in time, close.

#include <boost/asio/any_io_executor.hpp>

#include <atomic>
#include <chrono>
#include <cstdint>
#include <functional>
#include <memory>
#include <string>

#include "core/config/settings.hpp"
#include "core/engine/adapter.hpp"
#include "core/engine/session_config.hpp"

namespace sonoria::engine::local {
class LocalEngine;
class ModelCache;
}  // namespace sonoria::engine::local

namespace sonoria::daemon {

class LocalEngineRunner {
 public:
  explicit LocalEngineRunner(config::LocalEngineSettings settings);
  ~LocalEngineRunner();  // waits for the engines' work in progress
  LocalEngineRunner(const LocalEngineRunner&) = delete;
  LocalEngineRunner& operator=(const LocalEngineRunner&) = delete;

  // A new strand on the worker pool (started at the first call).
  boost::asio::any_io_executor worker();
  engine::local::ModelCache& models();
  const config::LocalEngineSettings& settings() const { return settings_; }
  // Why the local engine cannot run here ("" = it can), checked when the daemon starts.
  const std::string& problem() const { return problem_; }
  // Runs the work already queued to its end and joins the workers, keeping the pool (and its
  // strands) alive: the daemon calls it after its I/O threads stop and before the io_context goes,
  // whose queued handlers may still hold a worker strand. Idempotent.
  void join();

 private:
  struct Pool;
  config::LocalEngineSettings settings_;
  std::string problem_;
  std::unique_ptr<engine::local::ModelCache> models_;
  std::unique_ptr<Pool> pool_;
};

class LocalEngineConnection : public std::enable_shared_from_this<LocalEngineConnection> {
 public:
  struct Handlers {
    std::function<void(const std::string& error)> opened;  // "" = the engine is up
    std::function<void(const std::string& message)> message;
  };

  // Makes the call's engine on a worker (its model built or shared); `handlers` run on `strand`,
  // never after close().
  static std::shared_ptr<LocalEngineConnection> open(LocalEngineRunner& runner, boost::asio::any_io_executor strand,
                                                     engine::SessionConfig session,
                                                     std::chrono::microseconds max_queued_audio, Handlers handlers);
  ~LocalEngineConnection();

  // From the call's strand. Caller audio that waited longer than max_queued_audio for the engine
  // is dropped when its turn comes: stale audio is worth less than keeping up.
  bool send(engine::Frame frame);
  void close();
  std::uint64_t dropped_messages() const { return dropped_.load(std::memory_order_relaxed); }

 private:
  LocalEngineConnection(LocalEngineRunner& runner, boost::asio::any_io_executor strand, Handlers handlers);
  void start(engine::SessionConfig session);
  void to_call(std::function<void(LocalEngineConnection&)> job);

  LocalEngineRunner& runner_;
  boost::asio::any_io_executor strand_;
  boost::asio::any_io_executor worker_;
  Handlers handlers_;
  std::chrono::microseconds max_queued_audio_{0};
  std::atomic<std::uint64_t> dropped_{0};
  bool closed_ = false;                                     // on the call's strand
  std::unique_ptr<engine::local::LocalEngine> engine_;      // on the worker
};

}  // namespace sonoria::daemon
