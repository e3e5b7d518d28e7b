#pragma once
// Reads the TwiML a webhook returns the way Twilio would (protocols.md §1.3, §1.8), for
// `sonoria simulate` and the test fakes that play Twilio: the verbs under <Response> in order, with
// <Connect><Stream><Parameter/>, <Say>, <Pause>, <Dial>, <Hangup>, <Reject> and <Redirect>
// extracted. A document Twilio would refuse (not XML, wrong root, unknown verb, a <Stream url> that
// is not wss:// or carries a query string, an oversized <Parameter>) is reported as an error value.
// Pure; callable from any thread.

#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "core/twilio/xml_reader.hpp"

namespace sonoria::twilio {

struct TwimlParameter {
  std::string name;
  std::string value;
};

struct TwimlStream {
  std::string url;
  std::string name;
  std::string track;
  std::string status_callback;
  std::string status_callback_method;
  std::vector<TwimlParameter> parameters;  // become start.customParameters
};

struct TwimlConnect {
  std::string action;           // empty: Twilio continues with the next verb
  std::string method = "POST";
  std::optional<TwimlStream> stream;
};

struct TwimlSay {
  std::string text;             // trimmed
  std::string voice;
  std::string language;
  int loop = 1;
};

struct TwimlDial {
  std::string number;           // bare text or the first <Number>
  std::string caller_id;
  std::string action;
  std::string method;
  std::optional<int> timeout;
  std::optional<int> time_limit;
  bool answer_on_bridge = false;
};

struct TwimlVerb {
  std::string name;             // "Connect", "Say", …
  XmlElement element;
};

struct Twiml {
  std::vector<TwimlVerb> verbs;             // every verb under <Response>, in document order
  std::optional<TwimlConnect> connect;      // the first <Connect>
  std::vector<TwimlSay> says;               // every <Say>, in order
  std::optional<TwimlDial> dial;            // the first <Dial>
  std::vector<std::string> redirects;       // <Redirect> URLs
  std::vector<int> pauses;                  // <Pause length> values, seconds
  bool hangup = false;
  std::optional<std::string> reject;        // the reason ("rejected" when the attribute is absent)

  // Names of the verbs that follow the first </Connect> (what Twilio runs once the stream ends
  // when <Connect> has no action).
  std::vector<std::string> verbs_after_connect() const;
};

struct TwimlRules {
  // Twilio accepts only wss:// stream URLs; tests against a plain-HTTP daemon may allow ws://.
  bool allow_insecure_stream_url = false;
};

struct TwimlResult {
  std::optional<Twiml> twiml;
  std::string error;  // what Twilio would reject, e.g. "<Stream url> has a query string: …"
};

TwimlResult parse_twiml(std::string_view document, const TwimlRules& rules = {});

// Why Twilio would refuse `url` as a <Stream url> (not wss://, or a query string), or nullopt.
std::optional<std::string> stream_url_problem(std::string_view url, bool allow_insecure);

}  // namespace sonoria::twilio
