#pragma once
// What a call does besides moving audio: it runs the model's tools (a text through Twilio, with
// its outcome recorded; call-control tools decide without I/O) and, when its media stream is
// gone, acts on the live call through Twilio's REST API (hang up, or carry out a transfer).
//
// Threading: every member runs on the call's strand (the executor given), and every callback is
// invoked there, never from inside the member that was called.

#include <boost/asio/any_io_executor.hpp>
#include <functional>
#include <memory>
#include <string>

#include "core/call/actions.hpp"
#include "core/db/records.hpp"
#include "core/org/profile.hpp"
#include "core/tools/messaging.hpp"
#include "core/tools/outcome.hpp"
#include "core/tools/registry.hpp"
#include "daemon/services.hpp"

namespace sonoria::net {
class HttpClient;
}  // namespace sonoria::net

namespace sonoria::twilio {
class RestClient;
struct CreateMessage;
struct RestError;
}  // namespace sonoria::twilio

namespace sonoria::tools {
struct BookingAnswer;
}  // namespace sonoria::tools

namespace sonoria::daemon {

class GoogleBook;

class CallActions : public std::enable_shared_from_this<CallActions> {
 public:
  using ToolDone = std::function<void(const std::string& call_id, const tools::ToolOutcome& outcome)>;
  // The tool is taking a while: the caller should hear a filler (`words`, or a generic one when "").
  using Slow = std::function<void(const std::string& words)>;

  // `can_transfer`: the call may still be transferred (a caller back from an unanswered transfer
  // may not: transfer_call then tells the model to take a message). `test_call`: a call from the
  // dashboard, which Twilio knows nothing of: its texts are recorded as they would be sent (status
  // "test") but not sent, and nothing is done to it by REST.
  static std::shared_ptr<CallActions> create(Services& services, boost::asio::any_io_executor strand,
                                             std::string call_sid, std::shared_ptr<const org::Profile> profile,
                                             tools::CallParties parties, bool can_transfer, bool test_call = false);

  const tools::Registry& tools() const { return tools_; }
  const tools::CallParties& parties() const { return parties_; }

  // Runs one tool call; `done` gets the final outcome. A text going through Twilio may take a
  // while: `slow` runs if it is still under way after k_slow_after (the caller hears a filler).
  void run(const call::ToolRequest& request, ToolDone done, Slow slow);

  // The stream is gone but the call goes on at Twilio: end it, or dial `number` on it. At most one
  // of these per call; an already-ended call counts as done. Without REST credentials: nothing.
  void hang_up(const std::string& why);
  void transfer(const std::string& number);
  // The daemon's drain deadline: replace the call's TwiML with `twiml` (the fallback), whatever
  // the stream is doing. `done(true)` once Twilio took it (or the call had already ended), on the
  // call's strand; false when it could not be done (no REST credentials, a test call, Twilio
  // refused or did not answer), and then the caller is still on the stream.
  void hand_off(std::string twiml, std::function<void(bool)> done);

  static constexpr std::chrono::milliseconds k_slow_after{1500};

 private:
  CallActions(Services& services, boost::asio::any_io_executor strand, std::string call_sid,
              std::shared_ptr<const org::Profile> profile, tools::CallParties parties);
  void send_sms(const std::string& call_id, tools::ToolOutcome provisional, tools::SendSms sms, ToolDone done,
                Slow slow);
  void search_knowledge(const std::string& call_id, tools::ToolOutcome provisional, tools::SearchKnowledge search,
                        ToolDone done, Slow slow);
  void call_http(const std::string& call_id, tools::ToolOutcome provisional, tools::CallHttp call, ToolDone done,
                 Slow slow);
  void use_book(const std::string& call_id, tools::ToolOutcome provisional, tools::UseBook use, ToolDone done,
                Slow slow);
  // Sends a text from the business's number and records it; `sent` gets Twilio's SID or an error.
  using Sent = std::function<void(std::optional<std::string> sid, std::string error)>;
  void deliver_sms(const tools::SendSms& sms, Sent sent);
  // The REST request of a text whose intent (`intent`, its row's key) is recorded.
  void create_message(const twilio::CreateMessage& message, const tools::SendSms& sms, const std::string& intent,
                      Sent sent);
  void settle_calendar(tools::BookingAnswer& answer, const std::optional<db::Appointment>& synced,
                       const std::string& error);
  void record_rest(const std::string& what, const std::string& detail, bool done, int attempts,
                   const std::string& error);
  void post(db::Record record);

  Services& s_;
  boost::asio::any_io_executor strand_;
  std::string call_sid_;
  std::shared_ptr<const org::Profile> profile_;
  tools::CallParties parties_;
  tools::Registry tools_;
  std::shared_ptr<twilio::RestClient> rest_;  // null when no Twilio credentials are configured
  bool rest_requested_ = false;
  bool test_call_ = false;
  std::shared_ptr<net::HttpClient> http_;     // the business's own tools; made on first use
  std::shared_ptr<GoogleBook> google_;        // booking.mode = "google"; made on first use
};

}  // namespace sonoria::daemon
