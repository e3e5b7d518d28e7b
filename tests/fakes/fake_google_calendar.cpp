#include "tests/fakes/fake_google_calendar.hpp"

#include <nlohmann/json.hpp>
#include <openssl/bio.h>
#include <openssl/evp.h>
#include <openssl/pem.h>
#include <openssl/rsa.h>

#include <algorithm>
#include <map>
#include <mutex>
#include <set>

#include "core/db/timestamp.hpp"
#include "core/twilio/base64.hpp"
#include "core/twilio/form.hpp"
#include "tests/fakes/simple_http_server.hpp"

namespace sonoria::fakes {

using nlohmann::json;

namespace {

const char* const k_client_email = "sonoria-booking@clinic-test.iam.gserviceaccount.com";

int64_t unix_now() {
  return std::chrono::duration_cast<std::chrono::seconds>(std::chrono::system_clock::now().time_since_epoch()).count();
}

std::optional<std::string> base64url_decode(std::string_view text) {
  std::string b64(text);
  for (char& c : b64) {
    if (c == '-') c = '+';
    else if (c == '_') c = '/';
  }
  while (b64.size() % 4) b64 += '=';
  return twilio::base64_decode(b64);
}

std::string percent_decode(std::string_view s) {
  std::string out;
  for (std::size_t i = 0; i < s.size(); ++i) {
    if (s[i] == '%' && i + 2 < s.size()) {
      out += static_cast<char>(std::stoi(std::string(s.substr(i + 1, 2)), nullptr, 16));
      i += 2;
    } else {
      out += s[i];
    }
  }
  return out;
}

std::optional<int64_t> time_of(const json& j) {
  if (!j.is_object() || !j.contains("dateTime") || !j["dateTime"].is_string()) return std::nullopt;
  const auto t = db::parse_timestamp(j["dateTime"].get<std::string>());
  if (!t) return std::nullopt;
  return std::chrono::duration_cast<std::chrono::seconds>(t->time_since_epoch()).count();
}

std::string rfc3339(int64_t s) {
  auto text = db::format_timestamp(db::TimePoint{std::chrono::seconds{s}});
  return text.substr(0, 19) + "Z";
}

json error_body(int status, const std::string& reason, const std::string& message) {
  return {{"error", {{"code", status}, {"message", message}, {"errors", {{{"domain", "global"}, {"reason", reason}, {"message", message}}}}}}};
}

struct Answer {
  int status = 200;
  std::string body;
  bool drop = false;
};

}  // namespace

struct FakeGoogleCalendar::Impl {
  unsigned short port = 0;
  std::string private_pem;
  EVP_PKEY* key = nullptr;

  mutable std::mutex mutex;
  std::map<std::string, std::vector<GoogleEvent>> calendars;
  std::vector<GoogleFailure> failures;
  std::set<std::string> tokens;
  int issued = 0;
  int token_requests = 0;
  std::vector<std::string> log;
  std::unique_ptr<SimpleHttpServer> server;  // last: stopped first

  ~Impl() { EVP_PKEY_free(key); }

  bool verify_assertion(const std::string& assertion, std::string& why) {
    const auto first = assertion.find('.');
    const auto second = assertion.find('.', first + 1);
    if (first == std::string::npos || second == std::string::npos) return why = "not a JWT", false;
    const auto header = base64url_decode(assertion.substr(0, first));
    const auto claims_text = base64url_decode(assertion.substr(first + 1, second - first - 1));
    const auto signature = base64url_decode(assertion.substr(second + 1));
    if (!header || !claims_text || !signature) return why = "bad base64url", false;
    const json h = json::parse(*header, nullptr, false);
    if (h.is_discarded() || h.value("alg", "") != "RS256") return why = "alg is not RS256", false;
    EVP_MD_CTX* ctx = EVP_MD_CTX_new();
    const std::string input = assertion.substr(0, second);
    const bool verified = EVP_DigestVerifyInit(ctx, nullptr, EVP_sha256(), nullptr, key) == 1 &&
                          EVP_DigestVerify(ctx, reinterpret_cast<const unsigned char*>(signature->data()),
                                           signature->size(), reinterpret_cast<const unsigned char*>(input.data()),
                                           input.size()) == 1;
    EVP_MD_CTX_free(ctx);
    if (!verified) return why = "bad signature", false;
    const json c = json::parse(*claims_text, nullptr, false);
    const int64_t now = unix_now();
    if (c.is_discarded() || c.value("iss", "") != k_client_email) return why = "wrong iss", false;
    if (c.value("aud", "") != "http://127.0.0.1:" + std::to_string(port) + "/token") return why = "wrong aud", false;
    if (c.value("scope", "").find("https://www.googleapis.com/auth/calendar") == std::string::npos)
      return why = "no calendar scope", false;
    const int64_t iat = c.value("iat", int64_t{0});
    const int64_t exp = c.value("exp", int64_t{0});
    if (iat > now + 60 || exp <= now || exp - iat > 3600) return why = "bad iat/exp", false;
    return true;
  }

  Answer token(const std::string& body) {
    ++token_requests;
    const auto form = twilio::parse_form(body);
    std::string grant, assertion;
    if (form)
      for (const auto& [k, v] : *form) {
        if (k == "grant_type") grant = v;
        if (k == "assertion") assertion = v;
      }
    std::string why;
    if (grant != "urn:ietf:params:oauth:grant-type:jwt-bearer")
      return {400, json{{"error", "unsupported_grant_type"}}.dump()};
    if (!verify_assertion(assertion, why))
      return {400, json{{"error", "invalid_grant"}, {"error_description", why}}.dump()};
    const std::string value = "ya29.fake-" + std::to_string(++issued);
    tokens.insert(value);
    return {200, json{{"access_token", value}, {"expires_in", 3599}, {"token_type", "Bearer"}}.dump()};
  }

  Answer freebusy(const std::string& body) {
    const json j = json::parse(body, nullptr, false);
    if (j.is_discarded() || !j.contains("items") || !j.contains("timeMin") || !j.contains("timeMax"))
      return {400, error_body(400, "badRequest", "Bad Request").dump()};
    const auto from = time_of(json{{"dateTime", j["timeMin"]}});
    const auto to = time_of(json{{"dateTime", j["timeMax"]}});
    if (!from || !to) return {400, error_body(400, "badRequest", "Bad timeMin/timeMax").dump()};
    json out = {{"kind", "calendar#freeBusy"}, {"timeMin", j["timeMin"]}, {"timeMax", j["timeMax"]}, {"calendars", json::object()}};
    for (const auto& item : j["items"]) {
      const std::string id = item.value("id", "");
      auto it = calendars.find(id);
      if (it == calendars.end()) {
        out["calendars"][id] = {{"errors", {{{"domain", "global"}, {"reason", "notFound"}}}}, {"busy", json::array()}};
        continue;
      }
      std::vector<std::pair<int64_t, int64_t>> spans;
      for (const auto& e : it->second)
        if (e.status != "cancelled" && e.start < *to && *from < e.end) spans.emplace_back(e.start, e.end);
      std::sort(spans.begin(), spans.end());
      json busy = json::array();
      std::vector<std::pair<int64_t, int64_t>> merged;
      for (const auto& s : spans) {
        if (!merged.empty() && s.first <= merged.back().second) merged.back().second = std::max(merged.back().second, s.second);
        else merged.push_back(s);
      }
      for (const auto& m : merged) busy.push_back({{"start", rfc3339(m.first)}, {"end", rfc3339(m.second)}});
      out["calendars"][id] = {{"busy", busy}};
    }
    return {200, out.dump()};
  }

  static json event_json(const GoogleEvent& e) {
    return {{"kind", "calendar#event"}, {"id", e.id},           {"status", e.status},
            {"summary", e.summary},     {"location", e.location}, {"description", e.description},
            {"start", {{"dateTime", rfc3339(e.start)}}}, {"end", {{"dateTime", rfc3339(e.end)}}}};
  }

  Answer events(const std::string& method, const std::string& calendar, const std::string& event_id, const std::string& body) {
    auto it = calendars.find(calendar);
    if (it == calendars.end()) return {404, error_body(404, "notFound", "Not Found").dump()};
    auto& list = it->second;
    auto found = std::find_if(list.begin(), list.end(), [&](const GoogleEvent& e) { return e.id == event_id; });
    if (method == "POST" && event_id.empty()) {
      const json j = json::parse(body, nullptr, false);
      if (j.is_discarded()) return {400, error_body(400, "parseError", "Parse Error").dump()};
      const int64_t start = time_of(j.value("start", json())).value_or(0);
      const int64_t end = time_of(j.value("end", json())).value_or(0);
      if (start == 0 || end == 0 || end <= start) return {400, error_body(400, "timeRangeEmpty", "The specified time range is empty.").dump()};
      GoogleEvent e;
      e.calendar = calendar;
      e.id = j.value("id", "gen" + std::to_string(list.size() + 1) + "x");
      if (std::any_of(list.begin(), list.end(), [&](const GoogleEvent& x) { return x.id == e.id; }))
        return {409, error_body(409, "duplicate", "The requested identifier already exists.").dump()};
      e.summary = j.value("summary", "");
      e.description = j.value("description", "");
      e.location = j.value("location", "");
      e.start = start;
      e.end = end;
      list.push_back(e);
      return {200, event_json(e).dump()};
    }
    if (found == list.end()) return {404, error_body(404, "notFound", "Not Found").dump()};
    if (method == "DELETE") {
      if (found->status == "cancelled") return {410, error_body(410, "deleted", "Resource has been deleted").dump()};
      found->status = "cancelled";
      return {204, ""};
    }
    if (method == "PATCH") {
      const json j = json::parse(body, nullptr, false);
      if (j.is_discarded()) return {400, error_body(400, "parseError", "Parse Error").dump()};
      if (j.contains("start")) {
        if (auto t = time_of(j["start"])) found->start = *t;
      }
      if (j.contains("end")) {
        if (auto t = time_of(j["end"])) found->end = *t;
      }
      if (j.contains("summary")) found->summary = j["summary"];
      if (j.contains("status")) found->status = j["status"];  // "confirmed" restores a deleted event
      if (j.contains("location")) found->location = j["location"];
      if (j.contains("description")) found->description = j["description"];
      return {200, event_json(*found).dump()};
    }
    if (method == "GET") return {200, event_json(*found).dump()};
    return {405, error_body(405, "methodNotAllowed", "Method Not Allowed").dump()};
  }

  Answer route(const std::string& method, const std::string& path, const std::string& authorization,
               const std::string& body) {
    for (auto it = failures.begin(); it != failures.end(); ++it) {
      if ((it->method.empty() || it->method == method) && path.find(it->path_contains) != std::string::npos) {
        Answer a{it->status, error_body(it->status, it->reason, "scripted failure").dump(), it->status == 0};
        if (--it->times <= 0) failures.erase(it);
        return a;
      }
    }
    if (path == "/token" && method == "POST") return token(body);
    const std::string api = "/calendar/v3";
    if (path.rfind(api, 0) != 0) return {404, error_body(404, "notFound", "Not Found").dump()};
    const std::string bearer = "Bearer ";
    if (authorization.rfind(bearer, 0) != 0 || !tokens.count(authorization.substr(bearer.size())))
      return {401, error_body(401, "authError", "Invalid Credentials").dump()};
    const std::string rest = path.substr(api.size());
    if (rest == "/freeBusy" && method == "POST") return freebusy(body);
    const std::string calendars_prefix = "/calendars/";
    if (rest.rfind(calendars_prefix, 0) == 0) {
      const auto events_at = rest.find("/events");
      if (events_at != std::string::npos) {
        const std::string calendar = percent_decode(rest.substr(calendars_prefix.size(), events_at - calendars_prefix.size()));
        std::string event_id;
        if (rest.size() > events_at + 8) event_id = percent_decode(rest.substr(events_at + 8));
        return events(method, calendar, event_id, body);
      }
    }
    return {404, error_body(404, "notFound", "Not Found").dump()};
  }

  SimpleResponse serve(const SimpleRequest& request) {
    Answer answer;
    {
      std::lock_guard lock(mutex);
      answer = route(request.method, request.path(), request.header("Authorization"), request.body);
      log.push_back(request.method + " " + request.path() + " " + std::to_string(answer.drop ? 0 : answer.status));
    }
    SimpleResponse response;
    response.status = answer.status;
    response.body = answer.body;
    response.content_type = "application/json; charset=UTF-8";
    response.drop = answer.drop;
    return response;
  }
};

FakeGoogleCalendar::FakeGoogleCalendar() : impl_(std::make_unique<Impl>()) {
  impl_->key = EVP_RSA_gen(2048);
  BIO* bio = BIO_new(BIO_s_mem());
  PEM_write_bio_PrivateKey(bio, impl_->key, nullptr, nullptr, 0, nullptr, nullptr);
  char* data = nullptr;
  const long size = BIO_get_mem_data(bio, &data);
  impl_->private_pem.assign(data, static_cast<std::size_t>(size));
  BIO_free(bio);

  impl_->server = std::make_unique<SimpleHttpServer>([impl = impl_.get()](const SimpleRequest& r) { return impl->serve(r); });
  impl_->port = impl_->server->port();
}

FakeGoogleCalendar::~FakeGoogleCalendar() { impl_->server.reset(); }

std::string FakeGoogleCalendar::api_url() const { return "http://127.0.0.1:" + std::to_string(impl_->port) + "/calendar/v3"; }
std::string FakeGoogleCalendar::token_url() const { return "http://127.0.0.1:" + std::to_string(impl_->port) + "/token"; }
std::string FakeGoogleCalendar::client_email() const { return k_client_email; }

std::string FakeGoogleCalendar::service_account_json() const {
  return json{{"type", "service_account"},
              {"project_id", "clinic-test"},
              {"private_key_id", "0123456789abcdef"},
              {"private_key", impl_->private_pem},
              {"client_email", k_client_email},
              {"client_id", "100000000000000000001"},
              {"token_uri", token_url()}}
      .dump(2);
}

void FakeGoogleCalendar::add_calendar(const std::string& id) {
  std::lock_guard lock(impl_->mutex);
  impl_->calendars[id];
}

void FakeGoogleCalendar::add_event(const std::string& calendar, int64_t start, int64_t end, const std::string& summary) {
  std::lock_guard lock(impl_->mutex);
  GoogleEvent e;
  e.calendar = calendar;
  e.id = "external" + std::to_string(impl_->calendars[calendar].size() + 1);
  e.summary = summary;
  e.start = start;
  e.end = end;
  impl_->calendars[calendar].push_back(e);
}

void FakeGoogleCalendar::fail(GoogleFailure failure) {
  std::lock_guard lock(impl_->mutex);
  impl_->failures.push_back(std::move(failure));
}

void FakeGoogleCalendar::expire_tokens() {
  std::lock_guard lock(impl_->mutex);
  impl_->tokens.clear();
}

std::vector<GoogleEvent> FakeGoogleCalendar::events(const std::string& calendar) const {
  std::lock_guard lock(impl_->mutex);
  auto it = impl_->calendars.find(calendar);
  return it == impl_->calendars.end() ? std::vector<GoogleEvent>{} : it->second;
}

int FakeGoogleCalendar::token_requests() const {
  std::lock_guard lock(impl_->mutex);
  return impl_->token_requests;
}

std::vector<std::string> FakeGoogleCalendar::log() const {
  std::lock_guard lock(impl_->mutex);
  return impl_->log;
}

}  // namespace sonoria::fakes
