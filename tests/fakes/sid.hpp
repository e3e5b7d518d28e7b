#pragma once
// Twilio/OpenAI-style identifiers and timestamps for the fakes. Thread-safe.

#include <string>
#include <string_view>

namespace sonoria::fakes {

// `prefix` followed by 32 random lowercase hex digits: "CA3f…", "SM…", "MZ…".
std::string make_sid(std::string_view prefix);

// `prefix` followed by 21 alphanumerics, like OpenAI ids: "item_…", "resp_…". Unlike OpenAI's, ids
// made by one process sort in creation order (so std::map<id, …> iterates oldest first).
std::string make_openai_id(std::string_view prefix);

// The current time in RFC 2822 as Twilio writes it: "Tue, 31 Aug 2010 20:36:28 +0000".
std::string rfc2822_now();

}  // namespace sonoria::fakes
