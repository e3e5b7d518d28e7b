#pragma once
// One phone call played as Twilio plays it, against a running sonoria (protocols.md §1–3):
//   1. the signed voice webhook (CallStatus=ringing) and the TwiML it answers with;
//   2. a refusal (<Say>/<Hangup>, <Reject>) or <Dial> ends the call there; <Connect><Stream> opens
//      the Media Stream (X-Twilio-Signature over the stream URL), sends `connected` and `start`
//      with the <Parameter>s, then a 20 ms media frame on every tick of the Ticker, playing what
//      sonoria sends back (media_leg.hpp) while the CallScript takes its turns;
//   3. the caller hangs up (`stop`, close) — or sonoria closes the stream, and then the
//      <Connect action> is requested (CallStatus=in-progress) and its TwiML followed;
//   4. the status callback (CallStatus=completed, CallDuration), when the plan names one.
// What happens is reported to the EventLog (if any) as it happens, and as a CallResult at the end.
//
// Threading: create, start() and tick on the CallEnv's executor (a strand); every handler runs
// there. The call keeps itself alive until `done` has run. Failures are values in the result.

#include <boost/asio/any_io_executor.hpp>
#include <chrono>
#include <cstdint>
#include <functional>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "core/net/http_client.hpp"
#include "core/simulate/call_script.hpp"
#include "core/simulate/event_log.hpp"
#include "core/simulate/latency_stats.hpp"
#include "core/simulate/media_leg.hpp"
#include "core/simulate/probe_tracker.hpp"
#include "core/simulate/ticker.hpp"
#include "core/simulate/twilio_requests.hpp"
#include "core/twilio/twiml_reader.hpp"

namespace sonoria::net {
class WsClient;
}

namespace sonoria::simulate {

struct CallPlan {
  std::string webhook_url;            // the public voice webhook URL (signed over, as configured at Twilio)
  std::string status_url;             // the public status callback URL; empty = none is sent
  std::string connect_origin;         // deliver every request here instead (parse_connect_origin); "" = as addressed
  std::string auth_token;             // signs every request; empty = unsigned (validate_signatures = false)
  bool allow_insecure_stream = false; // accept a ws:// <Stream url> (a daemon on plain HTTP)
  CallParty party;                    // call_sid empty = a fresh "CA…" per call
  Turns turns;                        // what the caller says
  ScriptOptions script;
  bool greeting_required = true;      // no greeting within script.greeting_timeout fails the call
  bool sonoria_may_end = true;        // sonoria closing the stream early is normal (else closed_early)
  bool record = false;                // keep the audio heard (CallResult::heard)
  bool probe = false;                 // stamp caller frames with probes, check the assistant's
  std::chrono::milliseconds http_timeout{15000};         // per webhook request
  std::chrono::milliseconds stream_open_timeout{10000};  // WebSocket connect and upgrade
};

enum class Failure { none, webhook, refused, stream, no_greeting, closed_early };

// "webhook", "refused", … ("" for none), for logs and JSON.
const char* failure_name(Failure failure);

struct CallResult {
  std::uint32_t index = 0;
  std::string call_sid;
  bool connected = false;             // the media stream opened
  bool completed = false;             // the call ran its course: no Failure
  Failure failure = Failure::none;
  std::string failure_text;           // a sentence saying what went wrong
  std::optional<double> greeting_ms;  // `start` sent → first assistant audio
  bool no_greeting = false;           // nothing heard within the greeting timeout
  std::string ended_by;               // "caller" or "sonoria" once a stream ran; "" otherwise
  double stream_seconds = 0;
  LegCounters leg;
  std::uint64_t probes_received = 0;
  std::uint64_t probes_lost = 0;
  std::uint64_t probes_reordered = 0;
  std::string heard;                  // when recording: the assistant audio as heard
  std::optional<twilio::Twiml> final_twiml;  // the last TwiML the call followed
  int status_callback_http = 0;       // the status callback's HTTP status (0: not sent or failed)
};

// What the calls of one strand share.
struct CallEnv {
  boost::asio::any_io_executor executor;         // a strand
  std::shared_ptr<net::HttpClient> http;         // on that executor
  std::shared_ptr<Ticker> ticker;                // on that executor
  EventLog* log = nullptr;                       // optional
  LatencyStats* engine_to_caller = nullptr;      // optional: probe latencies (same strand)
};

class SimulatedCall : public Tickable, public std::enable_shared_from_this<SimulatedCall> {
 public:
  using Done = std::function<void(CallResult)>;

  // `index` numbers the call in a run (probe stream, log lines). `plan` may be shared by many calls.
  static std::shared_ptr<SimulatedCall> create(CallEnv env, std::shared_ptr<const CallPlan> plan, CallParty party,
                                               std::uint32_t index, Done done);
  ~SimulatedCall() override;

  // Posts the voice webhook; the call then runs on its own until `done`.
  void start();
  // From the Ticker, every 20 ms while the stream is open.
  bool tick(std::chrono::steady_clock::time_point now) override;

 private:
  enum class State { ringing, opening, streaming, hanging_up, after_stream, done };

  SimulatedCall(CallEnv env, std::shared_ptr<const CallPlan> plan, CallParty party, std::uint32_t index, Done done);

  void on_webhook(net::HttpResponse response);
  void open_stream(const twilio::TwimlStream& stream);
  void on_stream_open(std::error_code ec, const std::string& error_text);
  void on_message(std::string_view text);
  void on_stream_closed(int code, const std::string& reason);
  void on_media();
  void note(const ScriptStep& step);
  void hang_up(const char* why);
  void send(const std::string& text);
  void send_echoes();
  void post_connect_action();
  void on_connect_action(net::HttpResponse response);
  void post_status();
  void finish();
  void fail(Failure failure, std::string text);
  // The TwiML in a webhook answer, or nullopt with the call failed as `failure`.
  std::optional<twilio::Twiml> read_twiml(const net::HttpResponse& response, const std::string& what, Failure failure);
  void follow_final(const twilio::Twiml& twiml);
  Micros stream_time(std::chrono::steady_clock::time_point now) const;
  void log(LogLevel level, std::string_view event, nlohmann::ordered_json fields, const std::string& text);
  bool logging(LogLevel level) const { return env_.log && env_.log->wants(level); }

  CallEnv env_;
  std::shared_ptr<const CallPlan> plan_;
  CallParty party_;
  Done done_;
  State state_ = State::ringing;
  CallResult result_;
  std::optional<twilio::Twiml> twiml_;               // the voice webhook's answer
  std::shared_ptr<net::WsClient> ws_;
  std::optional<MediaLegState> leg_;
  std::optional<CallScript> script_;
  std::chrono::steady_clock::time_point answered_at_{};
  std::chrono::steady_clock::time_point stream_start_{};
  std::chrono::steady_clock::time_point webhook_sent_{};
  bool caller_hung_up_ = false;
  bool assistant_heard_ = false;
  int problems_logged_ = 0;
  std::uint32_t probe_sequence_ = 0;
  std::string out_;                   // reused outgoing message buffer
  std::string frame_;                 // reused probe frame
  std::string payload_;               // reused probe payload (base64)
  std::vector<std::string> echo_;     // reused: marks due
  ProbeTracker probes_;
};

}  // namespace sonoria::simulate
