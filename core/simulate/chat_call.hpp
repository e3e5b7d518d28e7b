#pragma once
// `sonoria chat`: a conversation with the assistant in text, through the same call core as a
// phone call. It places a test call as `sonoria simulate` does — the voice webhook signed as
// Twilio signs it, the Media Stream opened and started — and then sends each line the person
// types as {"event":"sonoria_text"}, which the daemon honours on test calls only (signed with the
// local test key). The daemon answers with the conversation as it records it
// ({"event":"sonoria_transcript"}) and the tool calls ({"event":"sonoria_call_event"}); the
// assistant's audio is not played: each mark is echoed at once, as if heard.
//
// Threading: everything on the executor (an io_context run by one thread); say() and hang_up()
// may be called from any thread.

#include <boost/asio/any_io_executor.hpp>

#include <functional>
#include <memory>
#include <optional>
#include <string>

#include <nlohmann/json.hpp>

#include "core/simulate/media_leg.hpp"
#include "core/simulate/simulated_call.hpp"

namespace sonoria::net {
class HttpClient;
class WsClient;
}  // namespace sonoria::net

namespace sonoria::simulate {

class ChatCall : public std::enable_shared_from_this<ChatCall> {
 public:
  struct Handlers {
    std::function<void()> ready;                                                // the stream is open: type away
    std::function<void(const std::string& speaker, const std::string& text)> turn;
    std::function<void(const std::string& kind, const nlohmann::json& detail)> event;
    std::function<void(const std::string& note)> twiml;                         // what Twilio would do (a refusal, a transfer)
    std::function<void(bool ok, const std::string& why)> ended;                 // once
  };

  // `plan`: webhook_url, connect_origin, auth_token, party (as for a simulated call).
  static std::shared_ptr<ChatCall> create(boost::asio::any_io_executor executor, CallPlan plan, Handlers handlers);

  void start();
  void say(std::string text);
  void hang_up();

 private:
  ChatCall(boost::asio::any_io_executor executor, CallPlan plan, Handlers handlers);
  void on_webhook(net::HttpResponse response);
  void on_message(std::string_view text);
  void end(bool ok, const std::string& why);

  boost::asio::any_io_executor executor_;
  CallPlan plan_;
  Handlers handlers_;
  std::shared_ptr<net::HttpClient> http_;
  std::shared_ptr<net::WsClient> ws_;
  std::optional<MediaLegState> leg_;
  std::string out_;
  bool ended_ = false;
};

}  // namespace sonoria::simulate
