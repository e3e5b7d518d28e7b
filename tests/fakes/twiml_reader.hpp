#pragma once
// The fakes read TwiML with the same reader as `sonoria simulate` (core/twilio/twiml_reader.hpp);
// these names keep the fakes' spelling (fakes::Twiml, fakes::parse_twiml, …).

#include "core/twilio/twiml_reader.hpp"

namespace sonoria::fakes {

using twilio::parse_twiml;
using twilio::parse_xml;
using twilio::stream_url_problem;
using twilio::Twiml;
using twilio::TwimlConnect;
using twilio::TwimlDial;
using twilio::TwimlParameter;
using twilio::TwimlResult;
using twilio::TwimlRules;
using twilio::TwimlSay;
using twilio::TwimlStream;
using twilio::TwimlVerb;
using twilio::XmlElement;
using twilio::XmlParse;

}  // namespace sonoria::fakes
