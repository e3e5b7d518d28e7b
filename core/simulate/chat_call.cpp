#include "core/simulate/chat_call.hpp"

#include <boost/asio/post.hpp>

#include "core/net/http_client.hpp"
#include "core/net/ws_client.hpp"
#include "core/simulate/twilio_requests.hpp"
#include "core/twilio/signature.hpp"
#include "core/twilio/twiml_reader.hpp"

namespace sonoria::simulate {

std::shared_ptr<ChatCall> ChatCall::create(boost::asio::any_io_executor executor, CallPlan plan, Handlers handlers) {
  return std::shared_ptr<ChatCall>(new ChatCall(std::move(executor), std::move(plan), std::move(handlers)));
}

ChatCall::ChatCall(boost::asio::any_io_executor executor, CallPlan plan, Handlers handlers)
    : executor_(std::move(executor)), plan_(std::move(plan)), handlers_(std::move(handlers)) {
  if (plan_.party.call_sid.empty()) plan_.party.call_sid = random_sid("CA");
}

void ChatCall::start() {
  http_ = net::HttpClient::create(executor_);
  auto request = twilio_request("POST", plan_.webhook_url, voice_params(plan_.party), plan_.auth_token, plan_.connect_origin);
  http_->request(std::move(request), plan_.http_timeout,
                 [self = shared_from_this()](net::HttpResponse response) { self->on_webhook(std::move(response)); });
}

void ChatCall::on_webhook(net::HttpResponse response) {
  if (!response.ok()) return end(false, "the voice webhook failed: " + response.error_text);
  if (response.status != 200)
    return end(false, "the voice webhook answered HTTP " + std::to_string(response.status) +
                          (response.status == 403 ? " (the signature was refused: is `sonoria serve` running on this machine?)" : ""));
  auto parsed = twilio::parse_twiml(response.body, twilio::TwimlRules{plan_.allow_insecure_stream});
  if (!parsed.twiml) return end(false, "the voice webhook answered TwiML Twilio would refuse: " + parsed.error);
  const auto& twiml = *parsed.twiml;
  if (!twiml.connect || !twiml.connect->stream) {
    for (const auto& say : twiml.says) handlers_.twiml("twilio says: \"" + say.text + "\"");
    return end(false, "the call was not put through to the assistant");
  }
  const auto& stream = *twiml.connect->stream;
  const std::string stream_url = resolve_url(plan_.webhook_url, stream.url);
  net::WsClient::Headers headers;
  if (!plan_.auth_token.empty())
    headers.emplace_back("X-Twilio-Signature", twilio::compute_signature(plan_.auth_token, stream_url, {}));
  StreamIdentity identity;
  identity.account_sid = plan_.party.account_sid;
  identity.call_sid = plan_.party.call_sid;
  identity.stream_sid = random_sid("MZ");
  for (const auto& p : stream.parameters) identity.custom_parameters.emplace_back(p.name, p.value);
  leg_.emplace(std::move(identity), false);
  ws_ = net::WsClient::create(executor_);
  auto self = shared_from_this();
  ws_->on_message([self](std::string_view text) { self->on_message(text); });
  ws_->on_close([self](int, std::string reason) {
    self->end(true, reason.empty() || reason == "call ended" ? "the call ended" : "the call ended: " + reason);
  });
  ws_->connect(delivery_url(stream_url, plan_.connect_origin), std::move(headers), plan_.stream_open_timeout,
               [self](std::error_code ec, std::string error) {
                 if (ec) return self->end(false, "the media stream did not open: " + error);
                 self->leg_->write_connected(self->out_);
                 self->ws_->send_text(self->out_);
                 self->leg_->write_start(self->out_);
                 self->ws_->send_text(self->out_);
                 if (self->handlers_.ready) self->handlers_.ready();
               });
}

void ChatCall::on_message(std::string_view text) {
  auto m = nlohmann::json::parse(text, nullptr, false);
  if (!m.is_object()) return;
  const std::string event = m.value("event", "");
  if (event == "mark") {
    // Nothing is played: the mark is echoed at once, as if its audio had been heard.
    if (auto mark = m.find("mark"); mark != m.end() && mark->is_object()) {
      leg_->write_mark(out_, mark->value("name", ""));
      ws_->send_text(out_);
    }
  } else if (event == "sonoria_transcript") {
    if (handlers_.turn) handlers_.turn(m.value("speaker", ""), m.value("text", ""));
  } else if (event == "sonoria_call_event") {
    if (handlers_.event) handlers_.event(m.value("kind", ""), m.value("detail", nlohmann::json::object()));
  }
}

void ChatCall::say(std::string text) {
  boost::asio::post(executor_, [self = shared_from_this(), text = std::move(text)] {
    if (self->ended_ || !self->ws_ || !self->ws_->is_open()) return;
    self->ws_->send_text(nlohmann::json{{"event", "sonoria_text"}, {"text", text}}.dump(-1, ' ', false,
                                                                                        nlohmann::json::error_handler_t::replace));
  });
}

void ChatCall::hang_up() {
  boost::asio::post(executor_, [self = shared_from_this()] {
    if (self->ended_) return;
    if (self->ws_ && self->ws_->is_open() && self->leg_) {
      self->leg_->write_stop(self->out_);
      self->ws_->send_text(self->out_);
      self->ws_->close();
    } else {
      self->end(true, "hung up");
    }
  });
}

void ChatCall::end(bool ok, const std::string& why) {
  if (ended_) return;
  ended_ = true;
  if (ws_) ws_->close();
  if (handlers_.ended) handlers_.ended(ok, why);
}

}  // namespace sonoria::simulate
