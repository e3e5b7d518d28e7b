#include "core/twilio/twiml.hpp"

#include <stdexcept>

namespace sonoria::twilio {
namespace {

// Twilio's limit on the combined length of a <Parameter>'s name and value (protocols.md §1.3).
constexpr std::size_t k_max_parameter_length = 500;

bool starts_with_ignoring_case(std::string_view text, std::string_view prefix) {
  if (text.size() < prefix.size()) return false;
  for (std::size_t i = 0; i < prefix.size(); ++i) {
    const char c = text[i];
    const char lower = (c >= 'A' && c <= 'Z') ? static_cast<char>(c - 'A' + 'a') : c;
    if (lower != prefix[i]) return false;
  }
  return true;
}

void check_method(std::string_view what, std::string_view method) {
  if (method.empty() || method == "GET" || method == "POST") return;
  throw std::invalid_argument(std::string(what) + " \"" + std::string(method) + "\" is not GET or POST");
}

// Appends name="value" (with a leading space) when value is non-empty.
void attribute(std::string& out, std::string_view name, std::string_view value) {
  if (value.empty()) return;
  out += ' ';
  out += name;
  out += "=\"";
  out += xml_escape(value);
  out += '"';
}

void attribute(std::string& out, std::string_view name, std::optional<int> value) {
  if (value) attribute(out, name, std::to_string(*value));
}

}  // namespace

std::string xml_escape(std::string_view text) {
  std::string out;
  out.reserve(text.size());
  for (char c : text) {
    switch (c) {
      case '&': out += "&amp;"; break;
      case '<': out += "&lt;"; break;
      case '>': out += "&gt;"; break;
      case '"': out += "&quot;"; break;
      case '\'': out += "&apos;"; break;
      // Character references survive attribute-value normalisation, which turns a literal
      // tab or line break into a space.
      case '\t': out += "&#9;"; break;
      case '\n': out += "&#10;"; break;
      case '\r': out += "&#13;"; break;
      default:
        if (static_cast<unsigned char>(c) >= 0x20) out += c;
        break;
    }
  }
  return out;
}

TwimlResponse& TwimlResponse::say(std::string_view text, const SayOptions& options) {
  if (options.loop && *options.loop < 0) throw std::invalid_argument("<Say> loop must be 0 or more");
  std::string verb = "<Say";
  attribute(verb, "voice", options.voice);
  attribute(verb, "language", options.language);
  attribute(verb, "loop", options.loop);
  verb += '>';
  verb += xml_escape(text);
  verb += "</Say>";
  verbs_ += verb;
  return *this;
}

TwimlResponse& TwimlResponse::connect_stream(const ConnectStream& stream) {
  bool insecure_allowed = stream.allow_insecure_ws && starts_with_ignoring_case(stream.url, "ws://");
  if (!starts_with_ignoring_case(stream.url, "wss://") && !insecure_allowed) {
    throw std::invalid_argument("<Stream> url \"" + stream.url + "\" must start with wss://");
  }
  if (stream.url.find('?') != std::string::npos) {
    throw std::invalid_argument("<Stream> url \"" + stream.url +
                                "\" must not have a query string (pass data as <Parameter>s)");
  }
  check_method("<Stream> statusCallbackMethod", stream.status_callback_method);
  check_method("<Connect> method", stream.method);
  for (const auto& parameter : stream.parameters) {
    if (parameter.name.empty()) throw std::invalid_argument("<Parameter> name must not be empty");
    if (parameter.name.size() + parameter.value.size() >= k_max_parameter_length) {
      throw std::invalid_argument("<Parameter> \"" + parameter.name +
                                  "\": name and value together must stay under 500 characters");
    }
  }
  std::string verb = "<Connect";
  attribute(verb, "action", stream.action);
  attribute(verb, "method", stream.method);
  verb += "><Stream";
  attribute(verb, "url", stream.url);
  attribute(verb, "name", stream.name);
  attribute(verb, "statusCallback", stream.status_callback);
  attribute(verb, "statusCallbackMethod", stream.status_callback_method);
  if (stream.parameters.empty()) {
    verb += "/>";
  } else {
    verb += '>';
    for (const auto& parameter : stream.parameters) {
      verb += "<Parameter";
      attribute(verb, "name", parameter.name);
      // An empty value is still a value: write it, so the parameter arrives as "".
      verb += " value=\"";
      verb += xml_escape(parameter.value);
      verb += "\"/>";
    }
    verb += "</Stream>";
  }
  verb += "</Connect>";
  verbs_ += verb;
  return *this;
}

TwimlResponse& TwimlResponse::dial(const Dial& dial) {
  if (dial.numbers.empty()) throw std::invalid_argument("<Dial> needs at least one <Number>");
  if (dial.timeout && *dial.timeout < 1) throw std::invalid_argument("<Dial> timeout must be 1 or more");
  if (dial.time_limit && *dial.time_limit < 1) throw std::invalid_argument("<Dial> timeLimit must be 1 or more");
  check_method("<Dial> method", dial.method);
  for (const auto& number : dial.numbers) {
    if (number.number.empty()) throw std::invalid_argument("<Number> must not be empty");
    check_method("<Number> statusCallbackMethod", number.status_callback_method);
  }
  std::string verb = "<Dial";
  attribute(verb, "callerId", dial.caller_id);
  attribute(verb, "timeout", dial.timeout);
  attribute(verb, "timeLimit", dial.time_limit);
  if (dial.answer_on_bridge) attribute(verb, "answerOnBridge", *dial.answer_on_bridge ? "true" : "false");
  attribute(verb, "action", dial.action);
  attribute(verb, "method", dial.method);
  verb += '>';
  for (const auto& number : dial.numbers) {
    verb += "<Number";
    attribute(verb, "statusCallbackEvent", number.status_callback_event);
    attribute(verb, "statusCallback", number.status_callback);
    attribute(verb, "statusCallbackMethod", number.status_callback_method);
    verb += '>';
    verb += xml_escape(number.number);
    verb += "</Number>";
  }
  verb += "</Dial>";
  verbs_ += verb;
  return *this;
}

TwimlResponse& TwimlResponse::pause(int seconds) {
  if (seconds < 1) throw std::invalid_argument("<Pause> length must be 1 or more, not " + std::to_string(seconds));
  verbs_ += "<Pause length=\"" + std::to_string(seconds) + "\"/>";
  return *this;
}

TwimlResponse& TwimlResponse::hangup() {
  verbs_ += "<Hangup/>";
  return *this;
}

TwimlResponse& TwimlResponse::reject(RejectReason reason) {
  verbs_ += reason == RejectReason::busy ? "<Reject reason=\"busy\"/>" : "<Reject reason=\"rejected\"/>";
  return *this;
}

TwimlResponse& TwimlResponse::redirect(std::string_view url, std::string_view method) {
  if (url.empty()) throw std::invalid_argument("<Redirect> needs a url");
  check_method("<Redirect> method", method);
  std::string verb = "<Redirect";
  attribute(verb, "method", method);
  verb += '>';
  verb += xml_escape(url);
  verb += "</Redirect>";
  verbs_ += verb;
  return *this;
}

std::string TwimlResponse::str() const {
  return "<?xml version=\"1.0\" encoding=\"UTF-8\"?><Response>" + verbs_ + "</Response>";
}

}  // namespace sonoria::twilio
