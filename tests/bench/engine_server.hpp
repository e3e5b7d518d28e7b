#pragma once
// The bench engine's listener: one port for both the OpenAI Realtime WebSocket
// (GET /v1/realtime?model=… with Upgrade; any Authorization is accepted) and plain HTTP for the
// benchmark script: GET /stats (EngineStats as JSON), POST /stats/reset (zeroes the counters, so
// warm-up is excluded) and GET /healthz. Anything else is 404.
//
// Threads: runs on the io_context it is given, which the caller runs on one thread.

#include <memory>
#include <string>

#include "tests/bench/conversation.hpp"

namespace boost::asio {
class io_context;
}

namespace sonoria::bench {

class EngineServer {
 public:
  // Binds `address`:`port` (port 0 = an ephemeral one) and starts accepting. Throws
  // std::runtime_error naming the address when it cannot bind.
  EngineServer(boost::asio::io_context& ioc, const std::string& address, unsigned short port, EngineOptions options);
  ~EngineServer();
  EngineServer(const EngineServer&) = delete;
  EngineServer& operator=(const EngineServer&) = delete;

  unsigned short port() const;

 private:
  struct Impl;
  std::unique_ptr<Impl> impl_;
};

}  // namespace sonoria::bench
