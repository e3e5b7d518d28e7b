#include "core/simulate/twiml_text.hpp"

namespace sonoria::simulate {
namespace {

std::string quoted(const std::string& text) {
  constexpr std::size_t k_max = 160;
  return "\"" + (text.size() > k_max ? text.substr(0, k_max) + "…" : text) + "\"";
}

std::string describe_verb(const twilio::TwimlVerb& verb, const twilio::Twiml& twiml, std::size_t& say_index,
                          bool& first_connect, bool& first_dial) {
  const auto& el = verb.element;
  if (verb.name == "Say") {
    const std::string text = say_index < twiml.says.size() ? twiml.says[say_index].text : el.text;
    ++say_index;
    return "Say " + quoted(text);
  }
  if (verb.name == "Connect" && first_connect && twiml.connect) {
    first_connect = false;
    std::string out = "Connect";
    if (twiml.connect->stream) {
      out += " Stream " + twiml.connect->stream->url;
      if (const auto n = twiml.connect->stream->parameters.size(); n > 0)
        out += " (" + std::to_string(n) + (n == 1 ? " parameter)" : " parameters)");
    }
    if (!twiml.connect->action.empty()) out += " then " + twiml.connect->action;
    return out;
  }
  if (verb.name == "Dial" && first_dial && twiml.dial) {
    first_dial = false;
    return "Dial " + twiml.dial->number;
  }
  if (verb.name == "Reject") return "Reject (" + el.attribute("reason").value_or("rejected") + ")";
  if (verb.name == "Pause") return "Pause " + el.attribute("length").value_or("1") + " s";
  if (verb.name == "Redirect") return "Redirect " + el.text;
  return verb.name;
}

}  // namespace

std::string describe_twiml(const twilio::Twiml& twiml) {
  if (twiml.verbs.empty()) return "(empty <Response>: the call hangs up)";
  std::string out;
  std::size_t say_index = 0;
  bool first_connect = true;
  bool first_dial = true;
  for (const auto& verb : twiml.verbs) {
    if (!out.empty()) out += " · ";
    out += describe_verb(verb, twiml, say_index, first_connect, first_dial);
  }
  return out;
}

std::string would_dial(const twilio::TwimlDial& dial) {
  std::string out = "would dial " + (dial.number.empty() ? std::string("(no number)") : dial.number);
  if (!dial.caller_id.empty()) out += " (caller ID " + dial.caller_id + ")";
  return out;
}

}  // namespace sonoria::simulate
