#include "core/doctor/installation.hpp"

#include <boost/asio/io_context.hpp>
#include <boost/asio/steady_timer.hpp>

#include <set>

#include <nlohmann/json.hpp>

#include "core/call/session_setup.hpp"
#include "core/db/database.hpp"
#include "core/db/migrations.hpp"
#include "core/doctor/clock_skew.hpp"
#include "core/doctor/twilio_numbers.hpp"
#include "core/engine/local/model_cache.hpp"
#include "core/engine/providers.hpp"
#include "core/net/http_client.hpp"
#include "core/net/ws_client.hpp"
#include "core/twilio/rest_request.hpp"

namespace sonoria::doctor {

namespace {

using Clock = std::chrono::steady_clock;

struct Exchange {
  net::HttpResponse response;
  std::chrono::milliseconds took{0};
};

Exchange http(const net::HttpRequest& request, const DoctorOptions& options) {
  boost::asio::io_context io;
  net::HttpClientOptions client_options;
  client_options.ca_file = options.ca_file;
  auto client = net::HttpClient::create(io.get_executor(), client_options);
  Exchange out;
  const auto started = Clock::now();
  client->request(request, options.timeout, [&](net::HttpResponse r) { out.response = std::move(r); });
  io.run();
  out.took = std::chrono::duration_cast<std::chrono::milliseconds>(Clock::now() - started);
  return out;
}

Exchange twilio_exchange(const twilio::RestRequest& r, const DoctorOptions& options) {
  net::HttpRequest request{r.method, r.url, {{"Authorization", r.authorization}, {"Accept", "application/json"}}, {}};
  if (r.method == "POST") {
    request.body = r.body();
    request.headers.emplace_back("Content-Type", "application/x-www-form-urlencoded");
  }
  return http(request, options);
}

// Twilio's message of an error answer ({"code": 20003, "message": "Authenticate"}), or the status.
std::string twilio_error(const net::HttpResponse& r) {
  if (!r.ok()) return r.error_text;
  auto j = nlohmann::json::parse(r.body, nullptr, false);
  std::string out = "HTTP " + std::to_string(r.status);
  if (j.is_object()) {
    if (auto code = j.find("code"); code != j.end() && code->is_number_integer()) out += ", code " + std::to_string(code->get<int>());
    if (auto m = j.find("message"); m != j.end() && m->is_string()) out += ": " + m->get<std::string>();
  }
  return out;
}

Check database_check(const config::Settings& settings, std::vector<org::Profile>& profiles) {
  Check c{"database", Status::ok, "", ""};
  try {
    db::Database database(settings.database, db::SchemaCheck::none);
    const int version = database.schema_version();
    const int latest = db::latest_schema_version();
    if (version < latest) {
      c.status = Status::failed;
      c.detail = database.location() + " is at schema version " + std::to_string(version) + " of " + std::to_string(latest);
      c.fix = database.dialect() == db::Dialect::sqlite ? "sonoria migrate (after a backup: sonoria backup)"
                                                        : "sonoria migrate (after a backup: pg_dump)";
      return c;
    }
    database.check_integrity();
    profiles = database.orgs().all();
    c.detail = database.location() + ": schema version " + std::to_string(version) +
               (database.dialect() == db::Dialect::sqlite ? ", quick_check clean" : "");
  } catch (const std::exception& e) {
    c.status = Status::failed;
    c.detail = e.what();
    c.fix = settings.database.url.empty() ? "check database.path and the folder's permissions"
                                          : "check database.url, that the server is up, and the user's rights";
  }
  return c;
}

// Opens a session of `provider` and closes it: the key is accepted once the engine speaks first
// (OpenAI's session.created, Deepgram's Welcome).
Check engine_key_check(engine::Provider provider, const config::Settings& settings, const DoctorOptions& options) {
  const std::string name(engine::to_string(provider));
  Check c{"engine." + name, Status::ok, "", ""};
  if (auto missing = engine::missing_settings(provider, settings); !missing.empty()) {
    c.status = Status::warning;
    c.detail = missing + ": its calls go to the assistant's next engine";
    c.fix = "set the key (" + std::string(provider == engine::Provider::openai     ? "OPENAI_API_KEY"
                                           : provider == engine::Provider::deepgram ? "DEEPGRAM_API_KEY"
                                                                                    : "ULTRAVOX_API_KEY") +
            ") or take the engine out of assistant.engines";
    return c;
  }
  if (provider == engine::Provider::ultravox) {
    // Creating a session would create a billed call: the key is checked on the account instead.
    net::HttpRequest request{"GET", settings.ultravox.api_url + "/accounts/me", {{"X-API-Key", settings.ultravox.api_key}}, {}};
    auto ex = http(request, options);
    if (ex.response.ok() && ex.response.status == 200) {
      c.detail = "key accepted (" + settings.ultravox.api_url + ")";
    } else {
      c.status = Status::failed;
      c.detail = ex.response.ok() ? "key refused: HTTP " + std::to_string(ex.response.status) : ex.response.error_text;
      c.fix = "check engines.ultravox.api_key (ULTRAVOX_API_KEY)";
    }
    return c;
  }
  engine::SessionConfig session;
  session.model = provider == engine::Provider::openai ? settings.engine.model : settings.deepgram.think_model;
  auto request = engine::connect_request(provider, session, settings);
  boost::asio::io_context io;
  auto ws = net::WsClient::create(io.get_executor());
  std::string error;
  std::string first;
  bool opened = false;
  ws->on_message([&](std::string_view text) {
    if (first.empty()) first = std::string(text);
    ws->close();
  });
  ws->connect(request.url, request.headers, options.timeout, [&](std::error_code ec, std::string text) {
    if (ec) error = text;
    else opened = true;
  });
  // The first message, or the timeout.
  boost::asio::steady_timer deadline(io, options.timeout);
  deadline.async_wait([&](boost::system::error_code ec) {
    if (!ec) ws->close();
  });
  ws->on_close([&](int, std::string) { deadline.cancel(); });
  io.run();
  const std::string url = request.url.substr(0, request.url.find('?'));
  auto j = nlohmann::json::parse(first, nullptr, false);
  const std::string type = j.is_object() ? j.value("type", "") : "";
  if (!opened) {
    c.status = Status::failed;
    c.detail = error;
    const bool refused = error.find("401") != std::string::npos || error.find("403") != std::string::npos;
    c.fix = refused ? "the key was refused: check engines." + name + ".api_key" : "check engines." + name + ".url and the network";
  } else if (first.empty() || type == "error" || type == "Error") {
    c.status = Status::failed;
    c.detail = first.empty() ? "the engine said nothing within " + std::to_string(options.timeout.count()) + " ms"
                             : "the engine answered with an error: " + first.substr(0, 200);
    c.fix = "check engines." + name + ".api_key and model";
  } else {
    c.detail = "key accepted: a session opened at " + url + " (" + type + ")";
  }
  return c;
}

Check public_url_check(const config::Settings& settings, const DoctorOptions& options) {
  Check c{"public_url", Status::ok, "", ""};
  const std::string& url = settings.server.public_url;
  const bool local = url.find("://127.") != std::string::npos || url.find("://localhost") != std::string::npos ||
                     url.find("://[::1]") != std::string::npos;
  auto ex = http({"GET", url + "/healthz", {}, {}}, options);
  if (!ex.response.ok()) {
    c.status = Status::failed;
    c.detail = url + " is not reachable from here: " + ex.response.error_text;
    c.fix = ex.response.error_text.find("certificate") != std::string::npos
                ? "renew or fix the certificate (server.tls_cert, or the reverse proxy's)"
                : "check server.public_url, the reverse proxy and the firewall";
    return c;
  }
  if (ex.response.status != 200) {
    c.status = Status::failed;
    c.detail = url + "/healthz answered HTTP " + std::to_string(ex.response.status) + ": it is not this daemon";
    c.fix = "point server.public_url (and the reverse proxy) at `sonoria serve`";
    return c;
  }
  c.detail = url + " reaches a running daemon";
  if (local) {
    c.status = Status::warning;
    c.detail += ", but only from this machine: Twilio cannot reach it";
    c.fix = "set server.public_url to the HTTPS URL Twilio reaches (a reverse proxy, or server.tls_cert)";
  } else if (url.rfind("https://", 0) != 0) {
    c.status = Status::warning;
    c.detail += " without TLS: Twilio's signatures and the callers' audio travel in the clear";
    c.fix = "serve it over HTTPS (a reverse proxy, or server.tls_cert and server.tls_key)";
  } else {
    c.detail += "; its certificate verifies";
  }
  return c;
}

void twilio_checks(const config::Settings& settings, const std::vector<org::Profile>& profiles,
                   const DoctorOptions& options, std::vector<Check>& out) {
  Check creds{"twilio.credentials", Status::ok, "", ""};
  twilio::RestAccount account;
  try {
    account = twilio::rest_account_from(settings.twilio);
  } catch (const std::exception& e) {
    creds.status = settings.twilio.validate_signatures ? Status::failed : Status::warning;
    creds.detail = e.what();
    creds.fix = "set TWILIO_ACCOUNT_SID and TWILIO_AUTH_TOKEN (the Twilio console, Account info)";
    out.push_back(std::move(creds));
    out.push_back({"twilio.numbers", Status::skipped, "no Twilio account to ask", ""});
    return;
  }
  auto started = std::chrono::system_clock::now();  // of the answer the clock is read from
  auto ex = twilio_exchange(twilio::fetch_account_request(account), options);
  // A Standard API key may not read the account itself (Twilio: only Main keys reach /Accounts):
  // its credentials are checked on the account's numbers instead.
  const bool standard_key = ex.response.ok() && ex.response.status == 401 && account.username.rfind("SK", 0) == 0;
  if (standard_key) {
    started = std::chrono::system_clock::now();
    ex = twilio_exchange(twilio::list_incoming_numbers_request(account, 0), options);
  }
  if (!ex.response.ok() || ex.response.status != 200) {
    creds.status = Status::failed;
    creds.detail = "Twilio refused them: " + twilio_error(ex.response);
    creds.fix = ex.response.status == 401 ? "check twilio.account_sid and twilio.auth_token (or the API key)"
                                           : "check twilio.api_base_url and the network";
    out.push_back(std::move(creds));
    out.push_back({"twilio.numbers", Status::skipped, "the credentials were refused", ""});
    return;
  }
  if (standard_key) {
    creds.detail = "API key " + account.username + " accepted on account " + settings.twilio.account_sid +
                   " (a Standard key: it cannot read the account's status)";
  } else {
    auto body = nlohmann::json::parse(ex.response.body, nullptr, false);
    const std::string status = body.is_object() ? body.value("status", "") : "";
    creds.detail = "account " + settings.twilio.account_sid + " accepted them" +
                   (body.is_object() ? " (" + body.value("type", std::string("?")) + ", " + status + ")" : "");
    if (!status.empty() && status != "active") {
      creds.status = Status::failed;
      creds.fix = "the account is " + status + ": reactivate it in the Twilio console";
    }
  }
  out.push_back(std::move(creds));
  const auto date = ex.response.header("date");
  out.push_back(check_clock(date ? std::optional<std::string_view>(*date) : std::nullopt,
                            std::chrono::floor<std::chrono::seconds>(started + ex.took / 2), ex.took));

  // Every number of every page.
  nlohmann::json numbers = nlohmann::json::array();
  for (int page = 0; page < 100; ++page) {
    auto list = twilio_exchange(twilio::list_incoming_numbers_request(account, page), options);
    auto j = nlohmann::json::parse(list.response.body, nullptr, false);
    if (!list.response.ok() || list.response.status != 200 || !j.is_object()) {
      out.push_back({"twilio.numbers", Status::failed, "the account's numbers could not be listed: " + twilio_error(list.response),
                     "check the credentials' permissions (an API key needs access to phone numbers)"});
      return;
    }
    for (auto& n : j.value("incoming_phone_numbers", nlohmann::json::array())) numbers.push_back(std::move(n));
    if (!j.contains("next_page_uri") || j["next_page_uri"].is_null()) break;
  }
  std::vector<AnsweredNumber> answered;
  for (const auto& p : profiles)
    for (const auto& n : p.organization.phone_numbers) answered.push_back({p.organization.slug, n});
  auto findings = check_numbers(answered, numbers, settings.server.public_url);
  if (options.fix) {
    for (const auto& fix : findings.fixes) {
      twilio::FormParams fields(fix.fields.begin(), fix.fields.end());
      auto done = twilio_exchange(twilio::update_incoming_number_request(account, fix.sid, fields), options);
      for (auto& c : findings.checks) {
        if (c.name != "number " + fix.number) continue;
        if (done.response.ok() && done.response.status == 200) {
          c.status = Status::ok;
          c.detail = "now reaches this daemon: set to " + settings.server.public_url + "/twilio/voice (fixed)";
          c.fix.clear();
        } else {
          c.detail += "; fixing it failed: " + twilio_error(done.response);
        }
      }
    }
  }
  if (answered.empty()) out.push_back({"twilio.numbers", Status::skipped, "no organization answers a number", ""});
  for (auto& c : findings.checks) out.push_back(std::move(c));
}

}  // namespace

std::vector<Check> check_installation(const config::Settings& settings, const DoctorOptions& options) {
  std::vector<Check> out;
  out.push_back({"config", Status::ok, "loaded and valid", ""});
  std::vector<org::Profile> profiles;
  out.push_back(database_check(settings, profiles));
  if (profiles.empty())
    out.push_back({"organizations", Status::failed, "no organization answers any number", "sonoria org import FILE.toml"});
  else
    out.push_back({"organizations", Status::ok,
                   std::to_string(profiles.size()) + (profiles.size() == 1 ? " organization answers" : " organizations answer") + " calls", ""});

  // The engines the organizations' calls would use, each once.
  const std::string local_problem =
      engine::local::installation_problem(settings.local.acoustic_model, settings.local.dictionary);
  std::set<engine::Provider> in_use;
  for (const auto& p : profiles) {
    for (const auto& name : p.assistant.engine_order())
      if (auto provider = engine::parse_provider(name)) in_use.insert(*provider);
  }
  if (settings.local.last_resort) in_use.insert(engine::Provider::local);
  for (auto provider : in_use) {
    if (provider == engine::Provider::local) {
      if (local_problem.empty())
        out.push_back({"engine.local", Status::ok, "model files present (" + settings.local.acoustic_model + ")", ""});
      else
        out.push_back({"engine.local", settings.local.last_resort ? Status::warning : Status::failed, local_problem,
                       "apt-get install pocketsphinx-en-us"});
      continue;
    }
    out.push_back(engine_key_check(provider, settings, options));
  }
  twilio_checks(settings, profiles, options, out);
  out.push_back(public_url_check(settings, options));
  return out;
}

}  // namespace sonoria::doctor
