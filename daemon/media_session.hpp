#pragma once
// One call's session: the transport around core's CallBridge. It carries the Twilio media leg and
// the engine leg (a WebSocket to whichever engine the call uses, through its engine::Adapter), runs
// the call's timers, and hands the bridge's decisions on: frames to send, tools to run
// (CallActions), records to store. The decisions themselves are core's: how the call is set up
// (call::setup_call), how it ended (call::decide_outcome), what is stored (call::CallRecord).
//
// Created by the voice webhook while the phone rings: the engine connection opens at once, so
// the greeting can play the moment the stream starts. The Twilio WebSocket arrives later on its
// own strand and is attached with attach_twilio(); everything the session does runs on the
// session's strand (the engine client's executor), and what the Twilio leg delivers is posted
// there. Errors never escape a session: at worst this call ends, with a fallback for the caller.

#include <boost/asio/any_io_executor.hpp>
#include <memory>
#include <optional>
#include <string>
#include <string_view>

#include "core/call/actions.hpp"
#include "core/call/call_start.hpp"
#include "core/db/timestamp.hpp"
#include "core/org/profile.hpp"
#include "core/twilio/media_message.hpp"
#include "daemon/call_registry.hpp"
#include "daemon/services.hpp"

namespace sonoria::daemon {

class WsConnection;

class MediaSession : public std::enable_shared_from_this<MediaSession> {
 public:
  struct Params {
    std::string call_sid;
    std::shared_ptr<const org::Profile> profile;
    std::string from;
    std::string to;
    std::string direction = "inbound";
    db::TimePoint started_at;
    // Set when the caller comes back to the assistant after a transfer nobody answered: this
    // session continues the call record of the stage before it and takes a message.
    struct Comeback {
      StageRecord earlier;
      std::string dial_status;  // Twilio's DialCallStatus
    };
    // Shared, not inline: it is rare, and a call's session stays small without it.
    std::shared_ptr<const Comeback> comeback;
    // What the call-start webhook said, when the profile has one and it answered in time.
    std::shared_ptr<const call::CallStart> call_start;
    // A test call from the dashboard (daemon/test_call.hpp): the user who placed it. Its stream
    // comes from a browser, not Twilio: texts are recorded but not sent, nothing is done by REST,
    // and the stream's close reason tells the browser what a phone call would do next.
    std::string test_by;
  };

  static std::shared_ptr<MediaSession> create(Services& services, Params params);
  ~MediaSession();

  // Any thread. Opens the engine session and starts the stream-arrival timeout.
  void start_ringing();
  // From the Twilio connection's strand, once its start message carried this call's token.
  void attach_twilio(std::shared_ptr<WsConnection> ws, const twilio::Start& start);
  // From the Twilio connection's strand: every message after start.
  void twilio_message(std::string_view text);
  void twilio_closed(int code, std::string reason);
  // Any thread: Twilio asked for the <Connect action>. If no stream ever started, none will (it
  // failed on Twilio's side): the session ends now, with the fallback, and never hangs up a call
  // Twilio is already transferring.
  void connect_ended();
  // Any thread: the daemon's drain deadline. The caller is handed to the organization's fallback
  // (Twilio is given its TwiML by REST; without REST, the stream closes with that decision and
  // the <Connect action> dials it), and the session ends.
  void hand_off();
  // Any thread: the daemon is shutting down and even the hand-off had no time left.
  void terminate();

  const std::string& call_sid() const;
  // Who, when and for whom (the dashboard's live calls). Fixed at creation: any thread.
  const Params& params() const;

 private:
  class Impl;
  explicit MediaSession(std::shared_ptr<Impl> impl);
  std::shared_ptr<Impl> impl_;
};

}  // namespace sonoria::daemon
