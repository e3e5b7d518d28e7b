#pragma once
// A fake of Google's OAuth 2.0 token endpoint and Calendar API v3, as its published reference
// describes them, on http://127.0.0.1:<port>:
//   POST /token                                    JWT bearer grant: the assertion's RS256 signature
//                                                  is verified with the service account's public key,
//                                                  and iss, aud, scope, iat and exp are checked
//   POST /calendar/v3/freeBusy                     busy times per calendar (merged), notFound errors
//   POST /calendar/v3/calendars/{id}/events        insert (client ids: 409 duplicate when reused)
//   PATCH, DELETE /calendar/v3/calendars/{id}/events/{eventId}   (410 when already deleted)
// Every API request needs "Authorization: Bearer <a token it issued and has not expired>" (401
// otherwise, with Google's error body). Failures can be scripted per path (403, 404, 409, 429,
// 5xx, a dropped connection). It makes its own RSA key and writes the service account key file a
// test gives sonoria. One thread per connection; every public member is thread-safe.

#include <chrono>
#include <cstdint>
#include <memory>
#include <string>
#include <vector>

namespace sonoria::fakes {

struct GoogleEvent {
  std::string calendar;
  std::string id;
  std::string summary;
  std::string description;
  std::string location;
  std::string status = "confirmed";  // confirmed | cancelled (deleted)
  int64_t start = 0;                 // Unix seconds
  int64_t end = 0;
};

struct GoogleFailure {
  std::string method;                // "" = any
  std::string path_contains;         // "" = any API path ("/token" to fail sign-in)
  int status = 503;                  // 0 = drop the connection without an answer
  std::string reason = "backendError";
  int times = 1;
};

class FakeGoogleCalendar {
 public:
  FakeGoogleCalendar();
  ~FakeGoogleCalendar();
  FakeGoogleCalendar(const FakeGoogleCalendar&) = delete;
  FakeGoogleCalendar& operator=(const FakeGoogleCalendar&) = delete;

  std::string api_url() const;       // "http://127.0.0.1:<port>/calendar/v3"
  std::string token_url() const;     // "http://127.0.0.1:<port>/token"
  // A service account key file's JSON (type, client_email, private_key, token_uri = token_url()).
  std::string service_account_json() const;
  std::string client_email() const;

  void add_calendar(const std::string& id);
  // Someone else's event (booked outside sonoria).
  void add_event(const std::string& calendar, int64_t start, int64_t end, const std::string& summary = "Busy");
  void fail(GoogleFailure failure);
  void expire_tokens();              // every token issued so far stops working (401)

  std::vector<GoogleEvent> events(const std::string& calendar) const;
  int token_requests() const;
  std::vector<std::string> log() const;  // "POST /calendar/v3/freeBusy 200", in order

 private:
  struct Impl;
  std::unique_ptr<Impl> impl_;
};

}  // namespace sonoria::fakes
