#include "core/twilio/twiml_reader.hpp"

#include <algorithm>
#include <array>
#include <charconv>

namespace sonoria::twilio {
namespace {

// Verbs Twilio's <Response> accepts; anything else makes Twilio fail the document (error 12100).
constexpr std::array<std::string_view, 18> k_verbs = {
    "Say",  "Play",   "Pause", "Gather",  "Record", "Dial", "Hangup", "Reject", "Redirect",
    "Connect", "Start", "Stop", "Enqueue", "Leave", "Pay",  "Refer",  "Sms",    "Echo"};

// Twilio's limit on name + value of one <Parameter> (protocols.md §1.3).
constexpr std::size_t k_parameter_limit = 500;

std::string trim(std::string_view s) {
  const auto first = s.find_first_not_of(" \t\r\n");
  if (first == std::string_view::npos) return {};
  const auto last = s.find_last_not_of(" \t\r\n");
  return std::string(s.substr(first, last - first + 1));
}

std::optional<int> to_int(const std::string& text) {
  int value = 0;
  const auto* end = text.data() + text.size();
  const auto [ptr, ec] = std::from_chars(text.data(), end, value);
  if (ec != std::errc() || ptr != end) return std::nullopt;
  return value;
}

std::string attr_or(const XmlElement& el, std::string_view name, std::string fallback = {}) {
  auto value = el.attribute(name);
  return value ? *value : fallback;
}

// Fills `stream` from a <Stream> element; returns an error message or empty.
std::string read_stream(const XmlElement& el, const TwimlRules& rules, TwimlStream& stream) {
  const auto url = el.attribute("url");
  if (!url) return "<Stream> has no url attribute";
  if (auto problem = stream_url_problem(*url, rules.allow_insecure_stream_url)) return *problem;
  stream.url = *url;
  stream.name = attr_or(el, "name");
  stream.track = attr_or(el, "track");
  stream.status_callback = attr_or(el, "statusCallback");
  stream.status_callback_method = attr_or(el, "statusCallbackMethod");
  for (const auto& child : el.children) {
    if (child.name != "Parameter") return "<Stream> may contain only <Parameter>, found <" + child.name + ">";
    const auto name = child.attribute("name");
    if (!name || name->empty()) return "<Parameter> without a name";
    std::string value = attr_or(child, "value");
    if (name->size() + value.size() >= k_parameter_limit) {
      return "<Parameter name=\"" + *name + "\"> is " + std::to_string(name->size() + value.size()) +
             " characters (Twilio allows under 500 for name and value together)";
    }
    stream.parameters.push_back({*name, std::move(value)});
  }
  return {};
}

std::string read_connect(const XmlElement& el, const TwimlRules& rules, TwimlConnect& connect) {
  connect.action = attr_or(el, "action");
  connect.method = attr_or(el, "method", "POST");
  if (connect.method != "POST" && connect.method != "GET") return "<Connect method=\"" + connect.method + "\"> is not GET or POST";
  int streams = 0;
  for (const auto& child : el.children) {
    if (child.name == "Stream") {
      if (++streams > 1) return "<Connect> holds more than one <Stream> (one bidirectional stream per call)";
      TwimlStream stream;
      if (auto error = read_stream(child, rules, stream); !error.empty()) return error;
      connect.stream = std::move(stream);
    } else if (child.name != "Room" && child.name != "Conversation" && child.name != "VirtualAgent" &&
               child.name != "Autopilot" && child.name != "ConversationRelay" && child.name != "AiSession") {
      return "<Connect> cannot contain <" + child.name + ">";
    }
  }
  if (!trim(el.text).empty()) return "<Connect> has stray text \"" + trim(el.text) + "\"";
  return {};
}

std::string read_dial(const XmlElement& el, TwimlDial& dial) {
  dial.caller_id = attr_or(el, "callerId");
  dial.action = attr_or(el, "action");
  dial.method = attr_or(el, "method");
  if (auto t = el.attribute("timeout")) {
    dial.timeout = to_int(*t);
    if (!dial.timeout) return "<Dial timeout=\"" + *t + "\"> is not an integer";
  }
  if (auto t = el.attribute("timeLimit")) {
    dial.time_limit = to_int(*t);
    if (!dial.time_limit) return "<Dial timeLimit=\"" + *t + "\"> is not an integer";
  }
  dial.answer_on_bridge = attr_or(el, "answerOnBridge") == "true";
  for (const auto& child : el.children) {
    if (child.name == "Number" && dial.number.empty()) dial.number = trim(child.text);
  }
  if (dial.number.empty()) dial.number = trim(el.text);
  if (dial.number.empty() && el.children.empty()) return "<Dial> has nothing to dial";
  return {};
}

}  // namespace

std::optional<std::string> stream_url_problem(std::string_view url, bool allow_insecure) {
  const bool secure = url.substr(0, 6) == "wss://";
  const bool insecure = url.substr(0, 5) == "ws://";
  if (!secure && !(insecure && allow_insecure)) {
    return "<Stream url> \"" + std::string(url) + "\" is not wss:// (Twilio error 31923)";
  }
  if (url.find('?') != std::string_view::npos) {
    return "<Stream url> \"" + std::string(url) + "\" has a query string (Twilio error 31920; use <Parameter>)";
  }
  const std::size_t host_start = secure ? 6 : 5;
  if (url.size() <= host_start || url[host_start] == '/') return "<Stream url> \"" + std::string(url) + "\" has no host";
  return std::nullopt;
}

std::vector<std::string> Twiml::verbs_after_connect() const {
  std::vector<std::string> names;
  bool seen = false;
  for (const auto& verb : verbs) {
    if (seen) names.push_back(verb.name);
    if (verb.name == "Connect") seen = true;
  }
  return names;
}

TwimlResult parse_twiml(std::string_view document, const TwimlRules& rules) {
  TwimlResult result;
  XmlParse xml = parse_xml(document);
  if (!xml.root) {
    result.error = "not XML: " + xml.error;
    return result;
  }
  const XmlElement& root = *xml.root;
  if (root.name != "Response") {
    result.error = "the root element is <" + root.name + ">, expected <Response>";
    return result;
  }
  if (!trim(root.text).empty()) {
    result.error = "<Response> has stray text \"" + trim(root.text) + "\"";
    return result;
  }
  Twiml twiml;
  for (const auto& el : root.children) {
    if (std::find(k_verbs.begin(), k_verbs.end(), el.name) == k_verbs.end()) {
      result.error = "<" + el.name + "> is not a TwiML verb";
      return result;
    }
    std::string error;
    if (el.name == "Connect") {
      TwimlConnect connect;
      error = read_connect(el, rules, connect);
      if (error.empty() && !twiml.connect) twiml.connect = std::move(connect);
    } else if (el.name == "Say") {
      TwimlSay say;
      say.text = trim(el.text);
      say.voice = attr_or(el, "voice");
      say.language = attr_or(el, "language");
      if (auto loop = el.attribute("loop")) {
        auto n = to_int(*loop);
        if (!n || *n < 0) error = "<Say loop=\"" + *loop + "\"> is not a count";
        else say.loop = *n;
      }
      if (error.empty()) twiml.says.push_back(std::move(say));
    } else if (el.name == "Dial") {
      TwimlDial dial;
      error = read_dial(el, dial);
      if (error.empty() && !twiml.dial) twiml.dial = std::move(dial);
    } else if (el.name == "Hangup") {
      twiml.hangup = true;
    } else if (el.name == "Reject") {
      std::string reason = attr_or(el, "reason", "rejected");
      if (reason != "rejected" && reason != "busy") error = "<Reject reason=\"" + reason + "\"> is not rejected or busy";
      else twiml.reject = std::move(reason);
    } else if (el.name == "Pause") {
      auto length = to_int(attr_or(el, "length", "1"));
      if (!length || *length < 0) error = "<Pause length> is not a number of seconds";
      else twiml.pauses.push_back(*length);
    } else if (el.name == "Redirect") {
      twiml.redirects.push_back(trim(el.text));
    }
    if (!error.empty()) {
      result.error = std::move(error);
      return result;
    }
    twiml.verbs.push_back({el.name, el});
  }
  result.twiml = std::move(twiml);
  return result;
}

}  // namespace sonoria::twilio
