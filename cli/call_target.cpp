#include "cli/call_target.hpp"

#include "cli/context.hpp"
#include "core/auth/local_test_key.hpp"
#include "core/error.hpp"
#include "core/phone/phone_number.hpp"
#include "core/simulate/twilio_requests.hpp"
#include "core/twilio/form.hpp"
#include "core/url/http_url.hpp"

namespace sonoria::cli {

Endpoints endpoints(Context& context, const Target& opts) {
  const auto& loaded = context.loaded();
  Endpoints out;
  std::string base = opts.url.empty() ? loaded.settings.server.public_url : opts.url;
  while (!base.empty() && base.back() == '/') base.pop_back();
  constexpr std::string_view k_voice = "/twilio/voice";
  if (base.size() >= k_voice.size() && base.compare(base.size() - k_voice.size(), k_voice.size(), k_voice) == 0)
    base.resize(base.size() - k_voice.size());
  if (const std::string problem = url::http_url_problem(base); !problem.empty())
    throw UserError("--url \"" + base + "\" is not an http:// or https:// URL (" + problem + ")", ExitCode::usage);
  out.base = base;
  out.webhook = base + std::string(k_voice);
  if (!opts.org.empty()) out.webhook += "?org=" + twilio::encode_form({{"", opts.org}}).substr(1);

  std::string connect = opts.connect;
  if (connect.empty() && opts.url.empty()) {
    // Nobody set a public URL: the daemon signs for the built-in one but listens where
    // server.listen says, so deliver there.
    const auto origin = loaded.origins.find("server.public_url");
    const bool built_in = origin == loaded.origins.end() || origin->second.source == config::Source::built_in;
    const std::string& listen = loaded.settings.server.listen;
    const auto colon = listen.rfind(':');
    if (built_in && colon != std::string::npos) {
      std::string host = listen.substr(0, colon);
      if (host.empty() || host == "0.0.0.0" || host == "[::]" || host == "::") host = "127.0.0.1";
      const std::string listen_origin = "http://" + host + ":" + listen.substr(colon + 1);
      if (listen_origin != base) connect = listen_origin;
    }
  }
  if (!connect.empty()) {
    std::string error;
    auto origin = simulate::parse_connect_origin(connect, error);
    if (!origin) throw UserError(error, ExitCode::usage);
    out.connect = *origin;
  }
  return out;
}

std::string typed_number(const config::Settings& settings, std::string_view flag, const std::string& typed) {
  // Without a country code, twilio.from's country.
  const phone::Parsed parsed = phone::parse(typed, phone::region_of(settings.twilio.from));
  if (!parsed.number) throw UserError(std::string(flag) + " " + parsed.error, ExitCode::usage);
  return parsed.number->e164;
}

std::string called_number(Context& context, const std::string& to, const std::string& org) {
  if (!to.empty()) return typed_number(context.settings(), "--to", to);
  try {
    auto database = context.open_database(db::SchemaCheck::require_current, true);
    if (!org.empty()) {
      if (auto profile = database.orgs().find_by_id_or_slug(org);
          profile && !profile->organization.phone_numbers.empty())
        return profile->organization.phone_numbers.front();
    } else {
      auto all = database.orgs().all();
      if (all.size() == 1 && !all.front().organization.phone_numbers.empty())
        return all.front().organization.phone_numbers.front();
    }
  } catch (const std::exception&) {
    // No local database (a deployed daemon elsewhere): fall through to the config.
  }
  if (!context.settings().twilio.from.empty()) return context.settings().twilio.from;
  throw UserError("--to is needed: the number being called (one of an organization's phone_numbers)", ExitCode::usage);
}

std::string signing_key(const config::Settings& settings) {
  if (!settings.twilio.auth_token.empty()) return settings.twilio.auth_token;
  // A daemon on this machine takes test calls signed with its local key (from loopback only).
  const auto key_path = auth::local_test_key_path(settings.database.path);
  if (auto key = auth::read_local_test_key(key_path)) return *key;
  throw DataError("no Twilio auth token to sign the webhook with, and no local test key at " + key_path.string() +
                  " (a daemon on this machine writes it when it starts): start `sonoria serve` here, set "
                  "TWILIO_AUTH_TOKEN (or twilio.auth_token) to the daemon's, or pass --unsigned for a daemon with "
                  "twilio.validate_signatures = false");
}

}  // namespace sonoria::cli
