#pragma once
// A small TwiML builder for the verbs sonoria answers with (protocols.md §1.2–1.3). Every text and
// attribute value is XML-escaped. Plain value type; use from one thread at a time.
//
//   TwimlResponse r;
//   r.connect_stream({.url = "wss://voice.example.com/twilio/media", .parameters = {{"token", t}}})
//    .say("Sorry, something went wrong. Goodbye.")
//    .hangup();
//   send(r.str());

#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace sonoria::twilio {

// <Say voice="…" language="…" loop="…">; empty/unset fields are left out.
struct SayOptions {
  std::string voice{};                 // "Polly.Joanna", "alice", …
  std::string language{};              // BCP-47, "en-US"
  std::optional<int> loop{};           // 0 repeats until the call ends
};

// A <Parameter name value/> of a stream; arrives as start.customParameters.
struct StreamParameter {
  std::string name{};
  std::string value{};
};

// <Connect action method><Stream url name statusCallback statusCallbackMethod><Parameter/>…
struct ConnectStream {
  std::string url{};                        // wss:// only, no query string
  std::string name{};                       // optional
  std::string status_callback{};            // optional absolute URL
  std::string status_callback_method{};     // optional, "GET" or "POST"
  std::vector<StreamParameter> parameters{};
  std::string action{};                     // optional <Connect action>: requested when the stream ends
  std::string method{};                     // optional <Connect method>
  // Accept a plain ws:// url too: only for a daemon on plain HTTP in local development and
  // tests (Twilio itself connects to wss:// only).
  bool allow_insecure_ws = false;
};

// A <Number> inside <Dial>.
struct DialNumber {
  std::string number{};                       // E.164, "+15557654321"
  std::string status_callback{};              // optional
  std::string status_callback_event{};        // optional, e.g. "initiated ringing answered completed"
  std::string status_callback_method{};       // optional
};

// <Dial callerId timeout timeLimit answerOnBridge action method><Number>…</Number>…</Dial>
struct Dial {
  std::vector<DialNumber> numbers{};   // at least one
  std::string caller_id{};             // optional
  std::optional<int> timeout{};        // ring seconds
  std::optional<int> time_limit{};     // call seconds
  std::optional<bool> answer_on_bridge{};
  std::string action{};                // optional
  std::string method{};                // optional
};

enum class RejectReason { rejected, busy };

// Verbs are appended in call order and run top to bottom. Builder methods throw
// std::invalid_argument for values Twilio would refuse (they are programming or configuration
// errors, caught before a call is answered); the document built so far is left unchanged.
class TwimlResponse {
 public:
  TwimlResponse& say(std::string_view text, const SayOptions& options = {});
  // Throws for a url that is not wss:// or carries a query string (Twilio fails the handshake,
  // error 31920), for an empty parameter name, and for a parameter whose name and value together
  // reach 500 characters (Twilio's limit).
  TwimlResponse& connect_stream(const ConnectStream& stream);
  // Throws when there is no number, or a timeout/time limit below 1.
  TwimlResponse& dial(const Dial& dial);
  // Throws for seconds below 1.
  TwimlResponse& pause(int seconds = 1);
  TwimlResponse& hangup();
  TwimlResponse& reject(RejectReason reason = RejectReason::rejected);
  // Throws for an empty url or a method other than GET/POST/empty.
  TwimlResponse& redirect(std::string_view url, std::string_view method = {});

  // The document: <?xml version="1.0" encoding="UTF-8"?><Response>…</Response>.
  std::string str() const;

 private:
  std::string verbs_;
};

// XML-escapes `text` for element content or a double- or single-quoted attribute value. Characters
// XML 1.0 cannot carry (C0 controls other than tab, LF, CR) are dropped: a stray control byte in a
// business profile must not turn the whole answer into invalid TwiML.
std::string xml_escape(std::string_view text);

}  // namespace sonoria::twilio
