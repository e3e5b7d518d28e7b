// The TwiML a webhook returns (core/twilio/twiml_reader.hpp), as `sonoria simulate` and the fakes
// read it the way Twilio would: any document is an error value or verbs, never an exception.
#include "core/twilio/twiml_reader.hpp"
#include "tests/fuzz/fuzz_target.hpp"

namespace sonoria::fuzz::twiml {

SONORIA_FUZZ_TARGET(twiml) {
  (void)twilio::parse_twiml(input);
  twilio::TwimlRules lenient;
  lenient.allow_insecure_stream_url = true;
  (void)twilio::parse_twiml(input, lenient);
}

}  // namespace sonoria::fuzz::twiml
