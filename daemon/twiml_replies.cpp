#include "daemon/twiml_replies.hpp"

#include "core/twilio/twiml.hpp"
#include "daemon/services.hpp"

namespace sonoria::daemon {
namespace {

twilio::SayOptions say_options(const org::Profile* p) {
  twilio::SayOptions o;
  if (p && !p->assistant.language.empty()) o.language = p->assistant.language == "en" ? "en-US" : p->assistant.language;
  return o;
}

std::string org_name(const org::Profile* p) { return p ? p->organization.name : std::string("us"); }

twilio::Dial transfer_dial(const std::string& number, const std::string& caller_id, const std::string& public_url) {
  twilio::Dial dial;
  dial.numbers.push_back(twilio::DialNumber{number, {}, {}, {}});
  if (!caller_id.empty()) dial.caller_id = caller_id;
  dial.timeout = 20;
  dial.answer_on_bridge = true;
  // Without an address to come back to (the daemon is shutting down), the call simply ends with
  // the dialled call: an action pointing at a daemon that has gone would play Twilio's error.
  if (!public_url.empty()) {
    dial.action = public_url + "/twilio/dial-done";
    dial.method = "POST";
  }
  return dial;
}

}  // namespace

std::string websocket_base_url(const std::string& public_url) {
  if (public_url.rfind("https://", 0) == 0) return "wss://" + public_url.substr(8);
  if (public_url.rfind("http://", 0) == 0) return "ws://" + public_url.substr(7);
  return public_url;
}

std::string stream_twiml(const std::string& public_url, const std::string& token, const std::string& call_sid) {
  twilio::ConnectStream stream;
  stream.url = websocket_base_url(public_url) + "/twilio/media";
  stream.name = "sonoria";
  stream.action = public_url + "/twilio/connect-done";
  stream.method = "POST";
  stream.parameters = {{"token", token}, {"call_sid", call_sid}};
  stream.allow_insecure_ws = public_url.rfind("http://", 0) == 0;
  return twilio::TwimlResponse().connect_stream(stream).str();
}

std::string refusal_twiml(const std::string& reason, const org::Profile* profile) {
  std::string text;
  if (reason == "unknown_number")
    text = "Sorry, this number is not set up to take calls yet. Goodbye.";
  else if (reason == "capacity" || reason == "shutting_down")
    text = "Thank you for calling " + org_name(profile) +
           ". All of our lines are busy right now. Please call again in a few minutes. Goodbye.";
  else if (reason == "rate_limited")
    text = "Thank you for calling " + org_name(profile) +
           ". We have received several calls from your number recently. Please try again later. Goodbye.";
  else
    text = "Sorry, we cannot take your call right now. Goodbye.";
  return twilio::TwimlResponse().say(text, say_options(profile)).hangup().str();
}

std::string after_stream_twiml(const std::optional<call::Disposition>& disposition, const org::Profile* profile,
                               const std::string& public_url, const std::string& caller_id) {
  twilio::TwimlResponse r;
  auto fallback_number = [&]() -> std::string {
    return profile && !profile->fallback_numbers.empty() ? profile->fallback_numbers.front().number : std::string();
  };
  if (disposition && std::holds_alternative<call::Hangup>(*disposition)) return r.hangup().str();
  if (disposition && std::holds_alternative<call::Transfer>(*disposition)) {
    const auto& number = std::get<call::Transfer>(*disposition).number;
    r.say("Please hold while I connect you.", say_options(profile));
    r.dial(transfer_dial(number, caller_id, public_url));
    return r.str();
  }
  // The engine failed, or nobody decided: never leave the caller in silence.
  std::string number = fallback_number();
  if (!number.empty()) {
    r.say("Sorry, we are having technical trouble. Let me connect you to someone at " + org_name(profile) + ".",
          say_options(profile));
    r.dial(transfer_dial(number, caller_id, public_url));
    return r.str();
  }
  r.say("Sorry, we are having technical trouble and cannot take your call right now. Please call again later. "
        "Goodbye.",
        say_options(profile));
  return r.hangup().str();
}

std::string handoff_twiml(const org::Profile* profile, const std::string& caller_id, bool mid_call) {
  const std::string number =
      profile && !profile->fallback_numbers.empty() ? profile->fallback_numbers.front().number : std::string();
  if (number.empty() && !mid_call) return refusal_twiml("shutting_down", profile);
  twilio::TwimlResponse r;
  if (number.empty()) {
    r.say("I am sorry, I have to end our call now. Please call " + org_name(profile) +
              " again in a few minutes. Goodbye.",
          say_options(profile));
    return r.hangup().str();
  }
  r.say(mid_call ? "I am sorry, I have to pass you on now. Let me connect you to someone at " + org_name(profile) + "."
                 : "Thank you for calling " + org_name(profile) + ". Let me connect you to someone who can help.",
        say_options(profile));
  r.dial(transfer_dial(number, caller_id, ""));
  return r.str();
}

std::string machine_twiml(const org::Profile* profile) {
  twilio::TwimlResponse r;
  if (profile && !profile->assistant.voicemail_message.empty())
    r.say(profile->assistant.voicemail_message, say_options(profile));
  return r.hangup().str();
}

std::string after_dial_twiml(const std::string& dial_call_status, const org::Profile* profile) {
  twilio::TwimlResponse r;
  if (dial_call_status == "completed" || dial_call_status == "answered") return r.hangup().str();
  r.say("Sorry, nobody could take your call right now. Please call again later, or leave us a message by calling "
        "back and asking the assistant. Goodbye.",
        say_options(profile));
  return r.hangup().str();
}

}  // namespace sonoria::daemon
