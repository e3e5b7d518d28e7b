#pragma once
// The async Google Calendar client on top of net::HttpClient: signs in as the service account
// (JWT bearer grant, the access token shared by every call through a TokenCache and renewed a
// minute before it expires, or at once when Google answers 401), and retries what is safe to
// retry — 429, 5xx, rate-limit 403s and lost answers — with a doubling backoff, all within
// GoogleSettings::timeout. Inserts are safe to retry because the event's id is chosen by us
// (calendar_protocol.hpp): a 409 means an event with that id is there (the first attempt landed,
// or it was deleted before), and it is patched to the new times and confirmed. Deleting an event
// already gone (404, 410) counts as done.
//
// Threading: call the members on the executor given (a strand); handlers run there, once each.
// TokenCache may be shared across threads.

#include <boost/asio/any_io_executor.hpp>
#include <functional>
#include <memory>
#include <mutex>
#include <optional>
#include <string>
#include <vector>

#include "core/config/settings.hpp"
#include "core/gcal/calendar_protocol.hpp"
#include "core/gcal/service_account.hpp"

namespace sonoria::net {
class HttpClient;
struct HttpResponse;
}  // namespace sonoria::net

namespace sonoria::gcal {

class TokenCache {
 public:
  // The token if it has at least a minute left.
  std::optional<std::string> valid(int64_t now) const;
  void put(AccessToken token);
  void forget();

 private:
  mutable std::mutex mutex_;
  std::optional<AccessToken> token_;
};

template <class T>
struct CalendarResult {
  std::optional<T> value;
  std::optional<GoogleError> error;
  int attempts = 0;                  // HTTP requests made, token requests included
  bool ok() const { return value.has_value(); }
};

class CalendarClient : public std::enable_shared_from_this<CalendarClient> {
 public:
  static std::shared_ptr<CalendarClient> create(boost::asio::any_io_executor executor, config::GoogleSettings settings,
                                                ServiceAccount account, std::shared_ptr<TokenCache> tokens);

  void free_busy(std::vector<std::string> calendar_ids, int64_t from, int64_t to, std::string zone,
                 std::function<void(CalendarResult<FreeBusy>)> done);
  // The event's id on success (the one in `body`, or Google's).
  void insert_event(std::string calendar_id, std::string body, std::function<void(CalendarResult<std::string>)> done);
  void patch_event(std::string calendar_id, std::string event_id, std::string body,
                   std::function<void(CalendarResult<std::string>)> done);
  void delete_event(std::string calendar_id, std::string event_id, std::function<void(CalendarResult<std::string>)> done);

  struct Exchange;                   // one request with its retries (calendar_client.cpp)

 private:
  CalendarClient(boost::asio::any_io_executor executor, config::GoogleSettings settings, ServiceAccount account,
                 std::shared_ptr<TokenCache> tokens);
  friend struct Exchange;

  boost::asio::any_io_executor executor_;
  config::GoogleSettings settings_;
  ServiceAccount account_;
  std::shared_ptr<TokenCache> tokens_;
  std::shared_ptr<net::HttpClient> http_;
};

// Reads the key file named by the settings (credentials_file). Throws UserError/DataError naming
// the file when it cannot be read or is not a service account key.
ServiceAccount load_service_account(const config::GoogleSettings& settings);

}  // namespace sonoria::gcal
