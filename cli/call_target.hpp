#pragma once
// Where `sonoria simulate` and `sonoria chat` deliver a call as Twilio would, and how they sign
// it: the daemon's public URL (or --url), the origin to send to instead (--connect, or the listen
// address when nobody set a public URL), the number called, and the signing key (the Twilio auth
// token, else the local test key of a daemon on this machine).

#include <string>
#include <string_view>

#include "core/config/settings.hpp"

namespace sonoria::cli {

class Context;

struct Target {
  std::string url;       // --url: the daemon's public URL ("" = server.public_url)
  std::string connect;   // --connect: HOST:PORT or an origin to deliver to instead ("" = as addressed, or the listen address)
  std::string org;       // --org: route to this organization whatever number is called
};

// The webhook's public URL and the base the other Twilio URLs hang off.
struct Endpoints {
  std::string webhook;
  std::string base;
  std::string connect;
};

// Throws UserError (usage) for a URL or origin that is not one.
Endpoints endpoints(Context& context, const Target& target);

// A number a person typed for `flag` (--from, --to), read as phone numbers are everywhere (in
// twilio.from's country when it has no country code): its E.164 form. Throws UserError (usage)
// naming the flag and the expected form.
std::string typed_number(const config::Settings& settings, std::string_view flag, const std::string& typed);

// The number called: `to` (read by typed_number), else the organization's (or the only one's) first number in the local
// database, else twilio.from. Throws UserError (usage) when there is none.
std::string called_number(Context& context, const std::string& to, const std::string& org);

// What requests are signed with: twilio.auth_token, else the local test key beside the database
// (core/auth/local_test_key.hpp). Throws DataError saying how to get one when there is neither.
std::string signing_key(const config::Settings& settings);

}  // namespace sonoria::cli
