#pragma once
// The bench engine's listener: one port for every protocol it speaks and for the benchmark script.
//   GET /v1/realtime?model=… with Upgrade — OpenAI Realtime GA (any Authorization is accepted);
//   GET /v1/agent/converse with Upgrade — Deepgram Voice Agent (Authorization: Token …, else 401);
//   POST /api/calls — creates an Ultravox call (X-API-Key, else 401) and answers 201 with its
//     joinUrl, ws://<Host>/calls/<id>/join, which upgrades once (404 for an unknown or joined id);
//   GET /stats (EngineStats as JSON), POST /stats/reset (zeroes the counters, so warm-up is
//     excluded), GET /healthz. Anything else is 404.
// So sonoria's [engines.openai] url, [engines.deepgram] url and [engines.ultravox] api_url
// (http://HOST:PORT/api) may all point at one engine.
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
