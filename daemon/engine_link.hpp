#pragma once
// One call's connection to its speech engines: the engine leg of a media session. It connects to
// the call's engines in the assistant's order — creating the session over REST first where the
// provider needs it (Ultravox) — moving on to the next engine when one is refused, unreachable or
// times out, all within one connect budget (engines.connect_timeout). It carries frames both
// ways, stops reading when the caller's side backs up, and counts how long each engine served.
//
// What to send and what the engine means is the adapter's business (core/engine); what to do when
// engines change is the session's (the Owner). Everything runs on the session's strand; not
// thread-safe. Callbacks arrive only while the link is alive and not closed.

#include <boost/asio/any_io_executor.hpp>
#include <chrono>
#include <functional>
#include <map>
#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include "core/db/records.hpp"
#include "core/engine/adapter.hpp"
#include "core/engine/providers.hpp"
#include "core/engine/session_config.hpp"

namespace sonoria::net {
class HttpClient;
class WsClient;
}  // namespace sonoria::net

namespace sonoria::daemon {

struct Services;
class LocalEngineConnection;

class EngineLink : public std::enable_shared_from_this<EngineLink> {
 public:
  using Clock = std::chrono::steady_clock;

  class Owner {
   public:
    virtual ~Owner() = default;
    virtual void engine_open() = 0;
    virtual void engine_message(std::string_view data, bool binary) = 0;
    // An open connection ended (the engine closed it or it broke).
    virtual void engine_closed(const std::string& reason) = 0;
    // The current engine failed to connect and `to` is tried next: the owner swaps the adapter.
    virtual void engine_switched(engine::Provider from, engine::Provider to, const std::string& reason,
                                 const std::string& detail) = 0;
    // The last engine failed to connect too: there is nothing left to try.
    virtual void engines_exhausted(const std::string& error) = 0;
    // For providers whose session is created over REST: the conversation so far.
    virtual std::vector<engine::HistoryLine> engine_history() = 0;
    // The current engine's adapter (how its caller audio is merged and bounded).
    virtual const engine::Adapter& engine_adapter() = 0;
    // The current engine is about to be asked for a different session (EngineLink::session): its
    // adapter must be made again from it. (Ultravox refused 8 kHz audio: the link asks for wider.)
    virtual void engine_session_changed() = 0;
  };

  struct Options {
    std::string call_sid;                                      // for logs
    std::vector<engine::Provider> engines;                      // in order; never empty
    std::function<engine::SessionConfig(engine::Provider)> session_for;
  };

  static std::shared_ptr<EngineLink> create(Services& services, boost::asio::any_io_executor strand, Options options,
                                            Owner& owner);
  ~EngineLink();

  // Connects the current engine (within what is left of the connect budget).
  void connect();
  // After an open connection was lost: a fresh budget, the same engine first, then the next ones.
  void reconnect();
  // The engine in use cannot serve the call (it refused the configuration, was not ready in time,
  // or stayed silent): false when it is the last one; else the next engine takes over (switched and
  // connected from the strand, not from inside this call). `kind` labels the failover metric.
  bool next(const std::string& why, const std::string& kind);
  // Sends one frame when a connection is open; false (the frame is lost) otherwise. Caller audio
  // may be dropped (oldest first) when the engine backs up; control frames never.
  bool send(engine::Frame frame);
  void pause_reading();
  void resume_reading();
  // Closes the connection for good; no callback follows.
  void close();

  engine::Provider provider() const { return options_.engines[index_]; }
  // The session `provider` is asked for in this call: Options::session_for, with the audio format
  // the engine takes (learned by this daemon, and fixed for the call once asked). Adapters must be
  // made from this, so that they speak the format the engine was asked for.
  engine::SessionConfig session(engine::Provider provider);
  bool is_open() const { return open_; }
  // Every engine that served the call and for how long, in order (an open connection counts to now).
  std::vector<db::EngineTime> served() const;

  // Caller audio the engine's full queue dropped (oldest first), over every engine of the call.
  std::uint64_t dropped_frames() const { return dropped_frames_; }

 private:
  EngineLink(Services& services, boost::asio::any_io_executor strand, Options options, Owner& owner);

  void open_socket(const engine::SessionConfig& session, std::string_view created_url, std::chrono::milliseconds timeout);
  void open_local(engine::SessionConfig session);
  void drop_connection();
  void connect_failed(const std::string& error);
  void widen_audio(engine::PcmRates wider, const std::string& refusal);
  void switch_to_next(const std::string& reason, const std::string& detail);
  void went_down();
  std::chrono::milliseconds attempt_timeout() const;
  std::string engine_name() const;

  Services& s_;
  boost::asio::any_io_executor strand_;
  Options options_;
  Owner& owner_;
  std::size_t index_ = 0;
  Clock::time_point deadline_{};
  std::shared_ptr<net::WsClient> ws_;
  std::shared_ptr<net::HttpClient> http_;
  std::shared_ptr<LocalEngineConnection> local_;  // instead of ws_ for the local engine
  std::uint64_t local_dropped_seen_ = 0;
  int attempt_ = 0;                       // tells late completions of an abandoned attempt apart
  int sockets_ = 0;                       // numbers the sockets opened, to ignore replaced ones
  bool open_ = false;
  bool closed_ = false;
  Clock::time_point opened_at_{};
  std::vector<db::EngineTime> served_;
  std::map<engine::Provider, engine::PcmRates> pcm_;  // per engine, fixed once asked
  std::uint64_t dropped_frames_ = 0;
};

}  // namespace sonoria::daemon
