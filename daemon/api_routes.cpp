#include "daemon/api_routes.hpp"

#include <algorithm>
#include <nlohmann/json.hpp>
#include <openssl/crypto.h>
#include <openssl/evp.h>

#include "core/db/database.hpp"
#include "core/engine/providers.hpp"
#include "core/net/client_address.hpp"
#include "core/prompt/system_prompt.hpp"
#include "core/reports/analytics.hpp"
#include "core/reports/call_json.hpp"
#include "core/reports/time_spec.hpp"
#include "daemon/appointment_api.hpp"
#include "daemon/log.hpp"
#include "daemon/api_query.hpp"
#include "daemon/read_pool.hpp"

namespace sonoria::daemon {
namespace {

// The query's filters; throws ApiBadRequest for a bad value.
db::CallQuery call_query(const std::map<std::string, std::string>& q, db::Database& database) {
  db::CallQuery out;
  auto now = db::now_ms();
  auto time_param = [&](const char* name) -> std::optional<std::string> {
    auto it = q.find(name);
    if (it == q.end() || it->second.empty()) return std::nullopt;
    auto t = reports::parse_time_spec(it->second, now);
    if (!t)
      throw ApiBadRequest{"invalid_parameter", std::string(name) + " \"" + it->second + "\" is not a time", name,
                          "YYYY-MM-DD, an ISO time, or 7d/12h ago"};
    return db::format_timestamp(*t);
  };
  out.started_from = time_param("since");
  out.started_before = time_param("until");
  if (auto it = q.find("org"); it != q.end() && !it->second.empty()) {
    for (const auto& o : database.orgs().list())
      if (o.slug == it->second || std::to_string(o.id) == it->second) out.organization_id = o.id;
    if (!out.organization_id)
      throw ApiBadRequest{"unknown_organization", "no organization \"" + it->second + "\"", "org",
                          "an organization's id or slug"};
  }
  if (auto it = q.find("status"); it != q.end() && !it->second.empty()) out.status = it->second;
  if (auto it = q.find("direction"); it != q.end() && !it->second.empty()) out.direction = it->second;
  if (auto it = q.find("engine"); it != q.end() && !it->second.empty()) {
    if (!engine::parse_provider(it->second))
      throw ApiBadRequest{"invalid_parameter", "engine \"" + it->second + "\" is not an engine", "engine",
                          "openai, deepgram or ultravox"};
    out.engine = it->second;
  }
  return out;
}

std::map<int64_t, std::string> slugs(db::Database& database) {
  std::map<int64_t, std::string> out;
  for (const auto& o : database.orgs().list()) out[o.id] = o.slug;
  return out;
}

std::string org_slug(const std::map<int64_t, std::string>& slugs, const db::CallRow& c) {
  auto it = c.organization_id ? slugs.find(*c.organization_id) : slugs.end();
  return it == slugs.end() ? std::string() : it->second;
}

HttpResponse list_calls(const std::map<std::string, std::string>& q, db::Database& database) {
  auto query = call_query(q, database);
  const int limit = api_limit(q, 50);
  std::optional<db::ListCursor> cursor;
  if (auto it = q.find("cursor"); it != q.end() && !it->second.empty()) {
    cursor = db::decode_cursor(it->second);
    if (!cursor)
      throw ApiBadRequest{"invalid_cursor", "cursor \"" + it->second + "\" is not one this API returned", "cursor",
                          "the next_cursor of a previous page"};
  }
  auto page = database.queries().list(query, cursor, limit);
  auto names = slugs(database);
  auto calls = nlohmann::json::array();
  for (const auto& c : page.calls) calls.push_back(reports::call_summary_json(c, org_slug(names, c)));
  return api_json(200, {{"calls", calls},
                             {"next_cursor", page.next ? nlohmann::json(db::encode_cursor(*page.next)) : nlohmann::json()}});
}

HttpResponse show_call(const std::string& sid, db::Database& database) {
  auto row = database.queries().find(sid);
  if (!row) return api_error(404, "not_found", "no call with sid \"" + sid + "\"");
  reports::CallDetail detail;
  detail.call = *row;
  detail.organization = org_slug(slugs(database), *row);
  detail.transcript = database.queries().transcript(*row);
  detail.events = database.queries().events(*row);
  return api_json(200, reports::call_detail_json(detail, true));
}

HttpResponse analytics(const std::map<std::string, std::string>& q, db::Database& database,
                       const config::Settings& settings) {
  auto query = call_query(q, database);
  query.test = false;  // test calls from the dashboard are not the business's calls
  auto now = db::now_ms();
  auto zones = database.queries().organization_timezones();
  reports::AnalyticsBuilder builder(now, reports::prices_from(settings.pricing));
  database.queries().for_each_call(query, [&](const db::CallRow& c) {
    auto zone = c.organization_id ? zones.find(*c.organization_id) : zones.end();
    builder.add(c, zone == zones.end() ? std::string() : zone->second);
  });
  builder.add_tool_calls(database.queries().tool_calls_by_name(query));
  builder.add_texts(database.queries().texts_by_purpose(query));
  return api_json(200, reports::to_json(builder.finish()));
}

HttpResponse org_prompt(const std::string& key, db::Database& database) {
  auto profile = database.orgs().find_by_id_or_slug(key);
  if (!profile) return api_error(404, "not_found", "no organization with id or slug \"" + key + "\"");
  auto now = std::chrono::floor<std::chrono::seconds>(std::chrono::system_clock::now());
  return api_json(200, {{"organization", profile->organization.slug},
                             {"generated_at", db::format_timestamp(db::now_ms())},
                             {"prompt", prompt::build_system_prompt(*profile, now)}});
}

std::array<unsigned char, 32> sha256(std::string_view text) {
  std::array<unsigned char, 32> out{};
  unsigned int n = 0;
  EVP_Digest(text.data(), text.size(), out.data(), &n, EVP_sha256(), nullptr);
  return out;
}

}  // namespace

HttpResponse api_json(int status, const nlohmann::json& body) {
  HttpResponse r;
  r.status = status;
  r.content_type = "application/json";
  r.body = body.dump(-1, ' ', false, nlohmann::json::error_handler_t::replace) + "\n";
  return r;
}

int api_limit(const std::map<std::string, std::string>& q, int fallback) {
  auto it = q.find("limit");
  if (it == q.end()) return fallback;
  try {
    size_t used = 0;
    const int limit = std::stoi(it->second, &used);
    if (used != it->second.size() || limit < 1 || limit > 1000) throw std::invalid_argument("range");
    return limit;
  } catch (const std::exception&) {
    throw ApiBadRequest{"invalid_parameter", "limit \"" + it->second + "\" is not a page size", "limit",
                        "a number from 1 to 1000"};
  }
}

HttpResponse api_error(int status, const std::string& code, const std::string& message) {
  return api_json(status, {{"error", {{"code", code}, {"message", message}}}});
}

HttpResponse api_too_large(const config::ApiSettings& api) {
  const auto bytes = static_cast<std::size_t>(api.max_body_bytes);
  const std::string size = bytes % (1024 * 1024) == 0 ? std::to_string(bytes / (1024 * 1024)) + " MiB"
                           : bytes % 1024 == 0        ? std::to_string(bytes / 1024) + " KiB"
                                                      : std::to_string(bytes) + " bytes";
  return api_error(413, "too_large", "the request body is larger than " + size + " (api.max_body_bytes)");
}

HttpResponse api_field_error(const std::string& field, const std::string& expected, const std::string& message) {
  nlohmann::json error = {{"code", "invalid_body"}, {"message", message + " (expected " + expected + ")"}};
  if (!field.empty()) error["field"] = field;
  error["expected"] = expected;
  return api_json(400, {{"error", error}});
}

ApiRoutes::ApiRoutes(const config::Settings& settings, ReadPool& pool)
    : settings_(settings),
      pool_(pool),
      token_buckets_(settings.api.burst, settings.api.requests_per_second, 1024),
      failed_buckets_(settings.api.burst, settings.api.requests_per_second, 10000) {}

void ApiRoutes::set_outbound_handler(std::function<void(const HttpRequest&, HttpResponder)> handler) {
  outbound_ = std::move(handler);
}

void ApiRoutes::set_appointment_cancel_handler(
    std::function<void(const std::string&, const HttpRequest&, HttpResponder)> handler) {
  cancel_appointment_ = std::move(handler);
}

std::string api_allowed_origin(const config::ApiSettings& api, std::string_view origin) {
  if (origin.empty()) return "";
  for (const auto& o : api.cors_origins)
    if (o == "*" || o == origin) return std::string(origin);
  return "";
}

void add_cors_headers(HttpResponse& response, const std::string& allowed_origin) {
  if (allowed_origin.empty()) return;
  response.headers.emplace_back("Access-Control-Allow-Origin", allowed_origin);
  response.headers.emplace_back("Vary", "Origin");
}

std::string ApiRoutes::allowed_origin(const HttpRequest& request) const {
  auto origin = request.header("origin");
  return origin ? api_allowed_origin(settings_.api, *origin) : std::string();
}

void answer_guarded(const HttpRequest& request, const HttpResponder& reply, const std::function<void()>& route) {
  try {
    route();
  } catch (const ApiBadRequest& e) {
    reply(api_bad_request(e));
  } catch (const std::exception& e) {
    log_error("api.failed", "", e.what(), {{"method", request.method}, {"path", request.path}});
    reply(api_error(500, "internal", "the request failed inside the server; the daemon's log says why"));
  }
}

HttpResponse api_bad_request(const ApiBadRequest& e) {
  nlohmann::json error = {{"code", e.code},
                          {"message", e.expected.empty() ? e.message : e.message + " (expected " + e.expected + ")"}};
  if (!e.field.empty()) error["field"] = e.field;
  if (!e.expected.empty()) error["expected"] = e.expected;
  return api_json(400, {{"error", error}});
}

bool ApiRoutes::authorized(const HttpRequest& request, std::string& rate_key) const {
  auto header = request.header("authorization");
  if (!header || header->size() < 7 || header->substr(0, 7) != "Bearer ") return false;
  // Hashing first makes the comparison constant-time in the token's length as well.
  auto presented = sha256(header->substr(7));
  bool match = false;
  for (size_t i = 0; i < settings_.api.tokens.size(); ++i) {
    auto expected = sha256(settings_.api.tokens[i]);
    if (CRYPTO_memcmp(presented.data(), expected.data(), expected.size()) == 0) {
      match = true;
      rate_key = "token:" + std::to_string(i);
    }
  }
  return match;
}

bool ApiRoutes::allow_rate(TokenBuckets& buckets, const std::string& key) {
  std::lock_guard lock(rate_mutex_);
  return buckets.take(key, std::chrono::steady_clock::now());
}

void ApiRoutes::handle(const HttpRequest& request, HttpResponder respond) {
  if (settings_.api.tokens.empty()) return respond(api_error(404, "not_found", "the API is disabled (no api.tokens)"));
  std::string origin = allowed_origin(request);
  // Every answer carries the CORS headers its origin is allowed.
  auto reply = [respond, origin](HttpResponse r) {
    add_cors_headers(r, origin);
    respond(std::move(r));
  };
  if (request.method == "OPTIONS") {
    if (origin.empty()) return reply(api_error(403, "origin_not_allowed", "this origin may not use the API"));
    HttpResponse r;
    r.status = 204;
    r.content_type.clear();
    r.headers = {{"Access-Control-Allow-Methods", "GET, POST, OPTIONS"},
                 {"Access-Control-Allow-Headers", "Authorization, Content-Type"},
                 {"Access-Control-Max-Age", "600"}};
    return reply(std::move(r));
  }
  // A valid token is charged to its own bucket only, and a failed attempt to its client's: guessing
  // clients (or one behind the same proxy) cannot lock a token out, and are slowed down themselves.
  std::string rate_key;
  if (!authorized(request, rate_key)) {
    const std::string client =
        net::client_address(request.remote_address, request.header("x-forwarded-for"), settings_.server.trusted_proxies);
    if (!allow_rate(failed_buckets_, net::limit_key(client))) {
      HttpResponse r = api_error(429, "rate_limited", "too many failed authentications from this address; slow down");
      r.headers.emplace_back("Retry-After", "1");
      return reply(std::move(r));
    }
    HttpResponse r = api_error(401, "unauthorized", "a valid bearer token is required (Authorization: Bearer …)");
    r.headers.emplace_back("WWW-Authenticate", "Bearer");
    return reply(std::move(r));
  }
  if (!allow_rate(token_buckets_, rate_key)) {
    HttpResponse r = api_error(429, "rate_limited", "too many requests for this token; slow down");
    r.headers.emplace_back("Retry-After", "1");
    return reply(std::move(r));
  }
  // The server refuses a larger body before reading it (daemon/request_body_limit.hpp); this is
  // for a request that reached the routes another way.
  if (request.body.size() > static_cast<std::size_t>(settings_.api.max_body_bytes))
    return reply(api_too_large(settings_.api));
  // A malformed path segment or query is the client's error (400), found while routing.
  answer_guarded(request, reply, [&] { route(request, reply); });
}

void ApiRoutes::route(const HttpRequest& request, const HttpResponder& reply) {
  const std::string& path = request.path;
  if (path == "/api/calls" && request.method == "POST") {
    if (!outbound_) return reply(api_error(501, "not_implemented", "outbound calls are not available in this build"));
    return answer_guarded(request, reply, [&] { outbound_(request, reply); });
  }
  static const std::string k_appointments = "/api/appointments/";
  static const std::string k_cancel = "/cancel";
  if (request.method == "POST" && path.rfind(k_appointments, 0) == 0 && path.size() > k_appointments.size() + k_cancel.size() &&
      path.compare(path.size() - k_cancel.size(), k_cancel.size(), k_cancel) == 0) {
    const std::string reference =
        api_path_segment(path.substr(k_appointments.size(), path.size() - k_appointments.size() - k_cancel.size()));
    if (!cancel_appointment_ || reference.find('/') != std::string::npos)
      return reply(api_error(404, "not_found", "no API route " + path));
    return answer_guarded(request, reply, [&] { cancel_appointment_(reference, request, reply); });
  }
  if (request.method != "GET") {
    HttpResponse r = api_error(405, "method_not_allowed", request.method + " is not allowed on " + path);
    const bool cancel = path.rfind(k_appointments, 0) == 0 && path.size() > k_cancel.size() &&
                        path.compare(path.size() - k_cancel.size(), k_cancel.size(), k_cancel) == 0;
    r.headers.emplace_back("Allow", path == "/api/calls" ? "GET, POST" : cancel ? "POST" : "GET");
    return reply(std::move(r));
  }

  std::function<HttpResponse(db::Database&)> job;
  auto query = api_query(request.query);
  static const std::string k_calls = "/api/calls/";
  static const std::string k_orgs = "/api/orgs/";
  if (path == "/api/calls") {
    job = [query](db::Database& d) { return list_calls(query, d); };
  } else if (path.rfind(k_calls, 0) == 0 && path.size() > k_calls.size() &&
             path.find('/', k_calls.size()) == std::string::npos) {
    std::string sid = api_path_segment(path.substr(k_calls.size()));
    job = [sid](db::Database& d) { return show_call(sid, d); };
  } else if (path == "/api/appointments") {
    job = [query](db::Database& d) { return list_appointments(query, d); };
  } else if (path.rfind(k_appointments, 0) == 0 && path.size() > k_appointments.size() &&
             path.find('/', k_appointments.size()) == std::string::npos) {
    std::string reference = api_path_segment(path.substr(k_appointments.size()));
    job = [reference](db::Database& d) { return show_appointment(reference, d); };
  } else if (path == "/api/analytics") {
    const auto& settings = settings_;
    job = [query, &settings](db::Database& d) { return analytics(query, d, settings); };
  } else if (path.rfind(k_orgs, 0) == 0 && path.size() > k_orgs.size() + 7 &&
             path.compare(path.size() - 7, 7, "/prompt") == 0 &&
             path.find('/', k_orgs.size()) == path.size() - 7) {
    std::string key = api_path_segment(path.substr(k_orgs.size(), path.size() - 7 - k_orgs.size()));
    job = [key](db::Database& d) { return org_prompt(key, d); };
  } else {
    return reply(api_error(404, "not_found", "no API route " + path));
  }

  // On a reader thread, after this request's own object is gone: it keeps what its log line needs.
  HttpRequest named;
  named.method = request.method;
  named.path = request.path;
  bool queued = pool_.post([job, reply, named](db::Database& d) { answer_guarded(named, reply, [&] { reply(job(d)); }); });
  if (!queued) {
    HttpResponse r = api_error(503, "busy", "the server is busy; retry shortly");
    r.headers.emplace_back("Retry-After", "1");
    reply(std::move(r));
  }
}

}  // namespace sonoria::daemon
