#include "cli/peer_requests.hpp"

#include "cli/rest_session.hpp"
#include "core/gcal/calendar_client.hpp"

namespace sonoria::cli {

twilio::MessageResult send_text_message(const twilio::RestAccount& account, const twilio::CreateMessage& message) {
  return run_rest<twilio::MessageResult>(account, [&](twilio::RestClient& client, auto done) {
    client.create_message(message, std::move(done));
  });
}

std::string delete_calendar_event(const config::GoogleSettings& settings, const std::string& calendar_id,
                                  const std::string& event_id) {
  boost::asio::io_context io;
  std::string error = "no answer from Google";
  try {
    auto client = gcal::CalendarClient::create(io.get_executor(), settings, gcal::load_service_account(settings),
                                               std::make_shared<gcal::TokenCache>());
    client->delete_event(calendar_id, event_id, [&](gcal::CalendarResult<std::string> result) {
      error = result.ok() ? "" : result.error ? result.error->explain() : "no answer from Google";
    });
    io.run();
  } catch (const std::exception& e) {
    error = e.what();
  }
  return error;
}

}  // namespace sonoria::cli
