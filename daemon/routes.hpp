#pragma once
// Every HTTP route of the daemon: Twilio webhooks, health, readiness and metrics; and the media
// WebSocket's admission. Handlers never block: routing reads the in-memory org directory,
// records go to the writer thread.

#include <functional>
#include <memory>
#include <optional>
#include <string>

#include "core/db/records.hpp"
#include "core/db/timestamp.hpp"
#include "core/org/profile.hpp"
#include "core/twilio/form.hpp"
#include "daemon/http_message.hpp"
#include "daemon/http_server.hpp"
#include "daemon/services.hpp"

namespace sonoria::call {
struct CallStart;
}  // namespace sonoria::call

namespace sonoria::daemon {

class WsConnection;

class Routes {
 public:
  explicit Routes(Services& services);

  void handle(HttpRequest request, HttpResponder respond);
  bool accept_media_upgrade(const HttpRequest& upgrade);
  // A media stream opened: Twilio's (test_calls = false) or a dashboard test call's.
  void on_media_open(std::shared_ptr<WsConnection> ws, bool test_calls);
  // Readiness for /readyz: empty when the daemon takes new calls, else why it does not
  // ("draining", "database writes are failing …"), which is the 503's body.
  std::function<std::string()> not_ready;

 private:
  void voice(const HttpRequest& request, HttpResponder respond);
  // An admitted call, between the voice webhook and its answer.
  struct CallOpening {
    std::string call_sid;
    std::shared_ptr<const org::Profile> profile;
    std::string from;
    std::string to;
    std::string direction;
    db::TimePoint started_at;
    // Signed with the local test key (`sonoria simulate` on this machine): its texts are recorded,
    // not sent, as a dashboard test call's are.
    bool local_test = false;
  };
  void ask_call_start(CallOpening opening, HttpResponder respond);
  // The call start webhook when there is one, then answer().
  void go_on(CallOpening opening, HttpResponder respond);
  // With database.url: the cluster's limits decide (the writer stores the call as they do).
  void reserve_in_cluster(db::CallOpened opened, CallOpening opening, HttpResponder respond);
  // Starts the call's session and answers with the stream — or, when the call-start webhook
  // decided otherwise, with a rejection or a transfer.
  void answer(const CallOpening& opening, std::shared_ptr<const call::CallStart> start, HttpResponder respond);
  void connect_done(const HttpRequest& request, HttpResponder respond);
  void dial_done(const HttpRequest& request, HttpResponder respond);
  void status(const HttpRequest& request, HttpResponder respond);
  // A transfer nobody answered: a new session for the same call that takes a message, and the
  // TwiML that streams the caller to it; nullopt when that cannot be (unknown call, already a
  // comeback, shutting down).
  std::optional<std::string> take_message(const std::string& call_sid, const std::string& dial_status);
  // Checks X-Twilio-Signature for the public URL of this request; answers 403 when invalid.
  // `local_test`, when given, is set when the request was signed with the local test key.
  bool verify_twilio(const HttpRequest& request, const twilio::FormParams& params, const HttpResponder& respond,
                     bool* local_test = nullptr);
  bool local_test(const std::string& remote_address) const;

  Services& s_;
};

}  // namespace sonoria::daemon
