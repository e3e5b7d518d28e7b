#pragma once
// The REST API under /api/: call history, one call with transcript and events, analytics, an
// organization's current system prompt, and (through a handler another part installs) outbound
// calls.
//
//   GET  /api/calls?org=&status=&direction=&since=&until=&limit=&cursor=   newest first, paged
//   GET  /api/calls/{sid}                                                   with transcript, events
//   GET  /api/analytics?org=&since=&until=
//   GET  /api/orgs/{id or slug}/prompt
//   POST /api/calls                                                         outbound (501 if unset)
//   GET  /api/appointments…, POST /api/appointments/{ref}/cancel            daemon/appointment_api.hpp
//
// Disabled (404) when api.tokens is empty. Otherwise every request needs
// "Authorization: Bearer <token>", compared in constant time (401 otherwise). CORS: origins in
// api.cors_origins ("*" = any) get Access-Control-Allow-Origin, and preflight OPTIONS is
// answered before authentication. Errors always have the shape
// {"error":{"code":"…","message":"…"}}. Bodies over api.max_body_bytes get 413. Each token may make
// api.burst requests at once and api.requests_per_second after that (429 with Retry-After); failed
// authentications are charged to the client's address instead (the X-Forwarded-For client behind
// server.trusted_proxies), so that nobody without a token can use up a token's allowance.
//
// Threading: handle() runs on a connection strand and never blocks: reads go to the ReadPool,
// which answers through the responder from a worker thread.

#include <chrono>
#include <cstddef>
#include <functional>
#include <map>
#include <mutex>
#include <string>
#include <string_view>

#include <nlohmann/json_fwd.hpp>

#include "core/config/settings.hpp"
#include "daemon/http_message.hpp"
#include "daemon/http_server.hpp"
#include "daemon/token_buckets.hpp"

namespace sonoria::daemon {

class ReadPool;

// {"error":{"code":code,"message":message}} with the status.
HttpResponse api_error(int status, const std::string& code, const std::string& message);
// A 400 for a request body: {"error":{"code":"invalid_body","message","field","expected"}}
// (no "field" when the body as a whole is wrong).
HttpResponse api_field_error(const std::string& field, const std::string& expected, const std::string& message);
// A JSON answer with the status.
HttpResponse api_json(int status, const nlohmann::json& body);
// The 413 for a body over api.max_body_bytes (sent by the server from the request's head).
HttpResponse api_too_large(const config::ApiSettings& api);
// `origin` (a request's Origin header) when api.cors_origins allows it, else "".
std::string api_allowed_origin(const config::ApiSettings& api, std::string_view origin);
// Adds the CORS headers every answer to an allowed origin carries (none for "").
void add_cors_headers(HttpResponse& response, const std::string& allowed_origin);

// Thrown while routing or inside a read job for a bad path or query parameter; handle() answers
// it with a 400: {"error":{"code","message","field","expected"}}, `field` the parameter ("query"
// or "path" for the whole), `expected` what it should have been.
struct ApiBadRequest {
  std::string code;
  std::string message;
  std::string field;
  std::string expected;
};
HttpResponse api_bad_request(const ApiBadRequest& e);

// Runs `route`; an exception from it (a bug, a database gone wrong) is logged (api.failed, with
// the method and path) and answered with the API's JSON 500, never the server's plain one.
void answer_guarded(const HttpRequest& request, const HttpResponder& reply, const std::function<void()>& route);
// The query's `limit`: a number from 1 to 1000, `fallback` when absent. Throws ApiBadRequest.
int api_limit(const std::map<std::string, std::string>& query, int fallback);

class ApiRoutes {
 public:
  ApiRoutes(const config::Settings& settings, ReadPool& pool);

  static bool is_api_path(std::string_view path) { return path == "/api" || path.starts_with("/api/"); }
  void handle(const HttpRequest& request, HttpResponder respond);
  // POST /api/calls, after authentication and limits. Set before the server starts.
  void set_outbound_handler(std::function<void(const HttpRequest&, HttpResponder)> handler);
  // POST /api/appointments/{reference}/cancel, after authentication and limits.
  void set_appointment_cancel_handler(std::function<void(const std::string&, const HttpRequest&, HttpResponder)> handler);

 private:
  // After authentication and limits: the route's answer (throws ApiBadRequest for a bad path or query).
  void route(const HttpRequest& request, const HttpResponder& reply);
  bool authorized(const HttpRequest& request, std::string& rate_key) const;
  bool allow_rate(TokenBuckets& buckets, const std::string& key);
  std::string allowed_origin(const HttpRequest& request) const;

  const config::Settings& settings_;
  ReadPool& pool_;
  std::function<void(const HttpRequest&, HttpResponder)> outbound_;
  std::function<void(const std::string&, const HttpRequest&, HttpResponder)> cancel_appointment_;
  std::mutex rate_mutex_;
  // Each token's allowance, and each client's (net::limit_key) for failed authentications: apart,
  // so that no flood of failures from many addresses can touch a token's.
  TokenBuckets token_buckets_;
  TokenBuckets failed_buckets_;
};

}  // namespace sonoria::daemon
