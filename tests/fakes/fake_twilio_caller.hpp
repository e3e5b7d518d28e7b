#pragma once
// Plays Twilio's part of one phone call against a sonoria daemon (protocols.md §1.8, §3.10):
//   1. post_voice_webhook(): the signed inbound-call webhook with every §1.1 parameter (empty geo
//      fields, CallToken, StirVerstat, Direction=inbound, …) and an I-Twilio-Idempotency-Token; the
//      reply's TwiML is parsed the way Twilio would and kept as last_twiml().
//   2. open_stream(): the Media Streams WebSocket to the TwiML's <Stream url> (signed over that URL),
//      `connected` + `start` with the <Parameter>s as customParameters; then caller audio on a
//      virtual clock, DTMF, hang-up or an abrupt drop; the daemon's media/mark/clear are checked,
//      played and echoed (see media_stream_leg.hpp).
//   3. post_connect_action() once the stream closed, and post_status_callback() in any order.
//
// The daemon is reached at the address of the URL given to post_voice_webhook(); every public URL
// the daemon hands out (Connect action, stream URL, callbacks) is signed as written and sent to
// that address, the way a reverse proxy in front of the daemon would deliver it.
//
// Threads: HTTP requests run on the calling thread; the stream on an internal thread. Public
// members are thread-safe except that a test should not run two requests on one caller at once.

#include <chrono>
#include <functional>
#include <memory>
#include <mutex>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "core/twilio/form.hpp"
#include "tests/fakes/media_stream_leg.hpp"
#include "tests/fakes/twiml_reader.hpp"

namespace sonoria::fakes {

struct CallerOptions {
  std::string account_sid = "AC00000000000000000000000000000001";
  std::string call_sid;                  // empty = generated "CA…"
  std::string from = "+14155551222";
  std::string to = "+15550001000";
  std::string auth_token = "f1e2d3c4b5a697887766554433221100";
  std::string direction = "inbound";
  std::string stir_verstat = "TN-Validation-Passed-A";
  bool allow_insecure_stream_url = false;  // accept ws:// <Stream url>s (plain-HTTP test daemons)
  bool realtime_pacing = false;            // caller frames 20 ms apart in wall time
  std::chrono::milliseconds timeout{5000};  // per HTTP request, and for opening/closing the stream
};

struct WebhookResult {
  int status = 0;                        // 0 when the request failed (see transport_error)
  std::string content_type;
  std::string body;
  std::optional<Twiml> twiml;            // when the answer was 2xx and parsed as TwiML
  std::string twiml_error;               // why Twilio would reject the TwiML ("" if fine or not TwiML)
  std::string transport_error;
  std::string signature;                 // the X-Twilio-Signature sent
  std::string idempotency_token;         // the I-Twilio-Idempotency-Token sent
};

// One call status callback (§1.5). The test picks SequenceNumber so it can deliver out of order.
struct StatusCallback {
  std::string call_status = "completed";
  int sequence_number = 0;
  std::optional<int> call_duration;      // seconds → CallDuration (and Duration, minutes, on completed)
  std::optional<int> sip_response_code;
  twilio::FormParams extra;              // added, or replacing parameters of the same name
};

class FakeTwilioCaller {
 public:
  explicit FakeTwilioCaller(CallerOptions options = {});
  ~FakeTwilioCaller();
  FakeTwilioCaller(const FakeTwilioCaller&) = delete;
  FakeTwilioCaller& operator=(const FakeTwilioCaller&) = delete;

  const CallerOptions& options() const;
  const std::string& call_sid() const;
  const std::string& stream_sid() const;

  // The §1.1 parameters of this call, in the order Twilio sends them (CallStatus=ringing).
  twilio::FormParams voice_params() const;

  // POSTs the voice webhook to `post_url` (the daemon, e.g. http://127.0.0.1:8080/twilio/voice),
  // signed over `public_url` (what the number is configured with). `params` replace or extend
  // voice_params(). Remembers the daemon's address and the TwiML for the next steps.
  WebhookResult post_voice_webhook(const std::string& post_url, const std::string& public_url,
                                   const twilio::FormParams& params = {});
  // A signed form POST of `params` to public URL `public_url`, delivered to the daemon's address.
  WebhookResult post_signed(const std::string& public_url, const twilio::FormParams& params);

  std::optional<Twiml> last_twiml() const;

  // Opens the media stream of the last TwiML's <Stream>: connects to the daemon's address with the
  // stream URL's path, signs over the stream URL as written, and sends its <Parameter>s.
  StreamOpen open_stream();
  // Same, connecting to `connect_url` and signing over `signature_url`, with explicit parameters
  // (defaulting to the last TwiML's).
  StreamOpen open_stream(const std::string& connect_url, const std::string& signature_url,
                         std::optional<std::vector<std::pair<std::string, std::string>>> parameters = std::nullopt);

  // The stream (see media_stream_leg.hpp). Calls before open_stream() do nothing.
  void send_audio(std::string_view mulaw);
  void send_silence(int ms);
  void speak(int ms);
  void advance(int ms);
  void dtmf(char digit);
  void hang_up();
  void drop();
  MediaStreamLeg& stream();
  const MediaStreamLeg& stream() const;

  // After the stream closed: POSTs the <Connect action> (CallStatus=in-progress plus `extra`) and
  // parses the TwiML it returns. An error result when the last TwiML had no <Connect action>.
  WebhookResult post_connect_action(const twilio::FormParams& extra = {});
  // After a <Dial> ended: POSTs the last TwiML's <Dial action> with DialCallStatus (busy,
  // no-answer, failed, completed …) and DialCallSid, and parses the TwiML it returns.
  WebhookResult post_dial_action(const std::string& dial_call_status);
  // Twilio starting another stream on the same call (a later <Connect><Stream>): a fresh stream
  // leg with a new StreamSid replaces stream(), opened like open_stream().
  StreamOpen open_next_stream();
  // POSTs a status callback to `public_url` (signed over it).
  WebhookResult post_status_callback(const std::string& public_url, const StatusCallback& callback);

  // Waits until `predicate` holds; re-checked whenever the stream records something.
  bool wait_for(const std::function<bool()>& predicate,
                std::chrono::milliseconds timeout = std::chrono::seconds(5)) const;

 private:
  std::string daemon_url(const std::string& public_url) const;
  std::string resolve(const std::string& url) const;
  WebhookResult post(const std::string& target_url, const std::string& signed_url, const twilio::FormParams& params,
                     const std::string& method = "POST");

  CallerOptions options_;
  std::string stream_sid_;
  std::string call_token_;
  mutable std::mutex mutex_;
  std::string daemon_origin_;     // "http://127.0.0.1:8080"
  std::string public_url_;        // the voice webhook's public URL
  std::optional<Twiml> twiml_;
  std::unique_ptr<MediaStreamLeg> stream_;
  std::vector<std::unique_ptr<MediaStreamLeg>> earlier_streams_;  // kept until the caller goes
};

}  // namespace sonoria::fakes
