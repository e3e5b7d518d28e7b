#pragma once
// What Twilio is told to do at each decision point of a call: answer with a stream, refuse
// politely, and what follows the stream (hang up, transfer, apologise and fall back). Pure
// functions of their inputs, so every path is unit-tested without sockets.

#include <string>

#include "core/call/actions.hpp"
#include "core/org/profile.hpp"

namespace sonoria::daemon {

// <Connect action=…/connect-done><Stream url=…/twilio/media><Parameter token/></Stream></Connect>.
std::string stream_twiml(const std::string& public_url, const std::string& token, const std::string& call_sid);

// A polite refusal, spoken then hung up. `reason` is an admit_reason() name or "unknown_number".
std::string refusal_twiml(const std::string& reason, const org::Profile* profile);

// What follows the stream. `disposition` is empty when the session never decided (the stream
// failed or the daemon lost track): the caller hears an apology and the fallback. A transfer's
// <Dial action> comes back to `public_url`; an empty one (the daemon is shutting down) leaves
// the <Dial> without an action, so the call ends with the dialled call.
std::string after_stream_twiml(const std::optional<call::Disposition>& disposition, const org::Profile* profile,
                               const std::string& public_url, const std::string& caller_id);

// While the daemon shuts down: a new caller (`mid_call` false) is sent to the organization's
// first fallback number (or, without one, refused politely); a call still running at the drain
// deadline (`mid_call`) is told why and handed to that number, or said goodbye to. The <Dial> has
// no action: the daemon will not be there to answer it.
std::string handoff_twiml(const org::Profile* profile, const std::string& caller_id, bool mid_call);

// An outbound call answered by a machine: the assistant's voicemail message, then hang up (or
// just hang up when the profile has none).
std::string machine_twiml(const org::Profile* profile);

// After a transfer's <Dial>: answered → hang up; not answered → apologise (a message can be
// left by calling back) and hang up. (An unanswered transfer normally goes back to the assistant
// to take a message; this is the answer when it cannot, e.g. while the daemon shuts down.)
std::string after_dial_twiml(const std::string& dial_call_status, const org::Profile* profile);

}  // namespace sonoria::daemon
