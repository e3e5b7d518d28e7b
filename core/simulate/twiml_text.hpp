#pragma once
// TwiML as the simulator prints it: one line naming the verbs in order, and the sentence for a
// <Dial> it cannot carry out. Pure; any thread.
//
//   describe_twiml(…) → Say "Please hold while I connect you." · Dial +15557654321
//   would_dial(…)     → would dial +15557654321 (caller ID +15550001000)

#include <string>

#include "core/twilio/twiml_reader.hpp"

namespace sonoria::simulate {

std::string describe_twiml(const twilio::Twiml& twiml);
std::string would_dial(const twilio::TwimlDial& dial);

}  // namespace sonoria::simulate
