#include "daemon/twilio_leg.hpp"

#include <boost/asio/dispatch.hpp>

#include "core/audio/g711.hpp"
#include "core/twilio/base64.hpp"
#include "core/twilio/media_message.hpp"
#include "daemon/log.hpp"
#include "daemon/metrics.hpp"
#include "daemon/ws_connection.hpp"

namespace sonoria::daemon {

std::optional<twilio::InboundMessage> TwilioLeg::read(std::string_view text, const std::string& call_sid) {
  auto message = twilio::parse_media_message(text);
  if (!message) {
    metrics_.malformed_messages++;
    log_debug("stream.malformed", call_sid, "malformed Twilio message dropped");
    return std::nullopt;
  }
  if (std::holds_alternative<twilio::Media>(*message)) metrics_.frames_to_engine++;
  return message;
}

void TwilioLeg::watch_drain(WsConnection& ws, std::function<void()> drained) const {
  ws.on_write_done([low = low_water_, drained = std::move(drained)](size_t, std::chrono::microseconds queued) {
    if (queued <= low) drained();
  });
}

void TwilioLeg::attach(std::shared_ptr<WsConnection> ws, std::string stream_sid) {
  ws_ = std::move(ws);
  stream_sid_ = std::move(stream_sid);
}

bool TwilioLeg::send_media(std::string_view payload_b64) {
  std::string out;
  twilio::write_media(out, stream_sid_, payload_b64);
  metrics_.frames_to_caller++;
  return send(std::move(out), audio::g711_8k_duration(twilio::base64_decoded_size(payload_b64)));
}

bool TwilioLeg::send_mark(std::string_view name) {
  std::string out;
  twilio::write_mark(out, stream_sid_, name);
  return send(std::move(out));
}

bool TwilioLeg::send_clear() {
  std::string out;
  twilio::write_clear(out, stream_sid_);
  return send(std::move(out));
}

bool TwilioLeg::send(std::string message, std::chrono::microseconds audio) {
  auto ws = ws_;
  if (!ws) return false;
  boost::asio::dispatch(ws->executor(), [ws, audio, message = std::move(message)]() mutable {
    ws->send_text(std::move(message), net::SendMode::keep, audio);
  });
  return ws->queued_audio() > high_water_;
}

void TwilioLeg::detach() {
  if (ws_) dropped_before_ += ws_->dropped_messages();
  ws_ = nullptr;
}

std::uint64_t TwilioLeg::dropped() const { return dropped_before_ + (ws_ ? ws_->dropped_messages() : 0); }

void TwilioLeg::close(int code, std::string reason) {
  if (auto ws = ws_) boost::asio::dispatch(ws->executor(), [ws, code, reason = std::move(reason)]() mutable {
    ws->close(code, std::move(reason));
  });
}

}  // namespace sonoria::daemon
