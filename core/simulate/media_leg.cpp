#include "core/simulate/media_leg.hpp"

#include <algorithm>
#include <charconv>

#include <nlohmann/json.hpp>

#include "core/simulate/payload_codec.hpp"

namespace sonoria::simulate {
namespace {

constexpr std::size_t k_media_frame_bytes = 160;

void append_number(std::string& out, std::int64_t value) {
  char digits[24];
  const auto [end, ec] = std::to_chars(digits, digits + sizeof digits, value);
  out.append(digits, static_cast<std::size_t>(end - digits));
}

// A JSON string literal, quotes included (names and sids come from the TwiML or the daemon).
void append_json_string(std::string& out, std::string_view text) {
  out += nlohmann::json(text).dump(-1, ' ', false, nlohmann::json::error_handler_t::replace);
}

}  // namespace

MediaLegState::MediaLegState(StreamIdentity identity, bool record) : identity_(std::move(identity)), record_(record) {}

void MediaLegState::write_connected(std::string& out) const {
  out.assign(R"({"event":"connected","protocol":"Call","version":"1.0.0"})");
}

void MediaLegState::append_sequence(std::string& out) {
  out += R"("sequenceNumber":")";
  append_number(out, ++counters_.messages_sent);
  out += '"';
}

void MediaLegState::begin(std::string& out, std::string_view event) {
  out.assign(R"({"event":")");
  out += event;
  out += "\",";
  append_sequence(out);
}

void MediaLegState::write_start(std::string& out) {
  started_ = true;
  nlohmann::ordered_json parameters = nlohmann::ordered_json::object();
  for (const auto& [name, value] : identity_.custom_parameters) parameters[name] = value;
  nlohmann::ordered_json start = {
      {"accountSid", identity_.account_sid},
      {"streamSid", identity_.stream_sid},
      {"callSid", identity_.call_sid},
      {"tracks", nlohmann::ordered_json::array({"inbound"})},
      {"customParameters", parameters},
      {"mediaFormat", {{"encoding", "audio/x-mulaw"}, {"sampleRate", 8000}, {"channels", 1}}}};
  begin(out, "start");
  out += R"(,"start":)";
  out += start.dump(-1, ' ', false, nlohmann::json::error_handler_t::replace);
  out += R"(,"streamSid":)";
  append_json_string(out, identity_.stream_sid);
  out += '}';
}

void MediaLegState::write_media(std::string& out, std::string_view payload_b64) {
  const std::int64_t chunk = ++counters_.frames_sent;
  begin(out, "media");
  out += R"(,"media":{"track":"inbound","chunk":")";
  append_number(out, chunk);
  out += R"(","timestamp":")";
  append_number(out, (chunk - 1) * (k_frame_us / 1000));
  out += R"(","payload":")";
  out += payload_b64;
  out += R"("},"streamSid":")";
  out += identity_.stream_sid;
  out += "\"}";
}

void MediaLegState::write_dtmf(std::string& out, char digit) {
  out.assign(R"({"event":"dtmf","streamSid":)");
  append_json_string(out, identity_.stream_sid);
  out += ',';
  append_sequence(out);
  out += R"(,"dtmf":{"track":"inbound_track","digit":)";
  append_json_string(out, std::string_view(&digit, 1));
  out += "}}";
}

void MediaLegState::write_mark(std::string& out, std::string_view name) {
  ++counters_.marks_echoed;
  begin(out, "mark");
  out += R"(,"streamSid":)";
  append_json_string(out, identity_.stream_sid);
  out += R"(,"mark":{"name":)";
  append_json_string(out, name);
  out += "}}";
}

void MediaLegState::write_stop(std::string& out) {
  begin(out, "stop");
  out += R"(,"streamSid":)";
  append_json_string(out, identity_.stream_sid);
  out += R"(,"stop":{"accountSid":)";
  append_json_string(out, identity_.account_sid);
  out += R"(,"callSid":)";
  append_json_string(out, identity_.call_sid);
  out += "}}";
}

Received MediaLegState::reject(std::string problem) {
  ++counters_.rejected;
  Received r;
  r.kind = Received::Kind::rejected;
  r.problem = std::move(problem);
  return r;
}

Received MediaLegState::receive_binary() {
  return reject("binary frame (Twilio accepts only JSON text frames; warning 31950)");
}

void MediaLegState::play_until(Micros now, std::vector<std::string>& echo) {
  while (!queue_.empty()) {
    Entry& front = queue_.front();
    if (front.is_mark) {
      if (front.start > now) return;
      echo.push_back(std::move(front.mark));
    } else {
      if (front.start + static_cast<Micros>(front.bytes) * k_us_per_byte > now) return;
      counters_.played_bytes += static_cast<std::int64_t>(front.bytes);
      if (record_) heard_ += front.audio;
    }
    queue_.pop_front();
  }
}

void MediaLegState::clear(Micros now, std::vector<std::string>& echo, Received& result) {
  ++counters_.clears;
  for (auto& entry : queue_) {
    if (entry.is_mark) {
      echo.push_back(std::move(entry.mark));
      continue;
    }
    const Micros elapsed = std::max<Micros>(0, now - entry.start);
    const std::size_t heard = std::min<std::size_t>(entry.bytes, static_cast<std::size_t>(elapsed / k_us_per_byte));
    counters_.played_bytes += static_cast<std::int64_t>(heard);
    if (record_) heard_.append(entry.audio, 0, heard);
    result.cleared_bytes += entry.bytes - heard;
  }
  counters_.cleared_bytes += static_cast<std::int64_t>(result.cleared_bytes);
  if (result.cleared_bytes == 0) ++counters_.empty_clears;
  queue_.clear();
  playback_end_ = std::min(playback_end_, now);
}

Received MediaLegState::receive(std::string_view text, Micros now, std::vector<std::string>& echo) {
  play_until(now, echo);
  std::string problem = parse_daemon_message(text, message_);
  if (!problem.empty()) return reject(std::move(problem));
  const std::string event(message_.event);
  if (!started_) return reject("`" + event + "` before Twilio's `start`");
  if (!message_.has_stream_sid) return reject("`" + event + "` without streamSid");
  if (message_.stream_sid != identity_.stream_sid)
    return reject("`" + event + "` with streamSid \"" + std::string(message_.stream_sid) + "\", expected " +
                  identity_.stream_sid);
  Received result;
  switch (message_.kind) {
    case DaemonMessage::Kind::media: {
      if (!decode_base64_into(audio_, message_.payload)) return reject("`media` payload is not valid base64");
      result.kind = Received::Kind::media;
      result.audio_bytes = audio_.size();
      ++counters_.media_received;
      counters_.audio_bytes_received += static_cast<std::int64_t>(audio_.size());
      counters_.audio_frames_received += static_cast<std::int64_t>((audio_.size() + k_media_frame_bytes - 1) / k_media_frame_bytes);
      if (audio_.empty()) return result;
      if (!first_audio_at_) first_audio_at_ = now;
      last_audio_at_ = now;
      Entry entry;
      entry.start = std::max(playback_end_, now);
      entry.bytes = audio_.size();
      if (record_) entry.audio = audio_;
      playback_end_ = entry.start + static_cast<Micros>(entry.bytes) * k_us_per_byte;
      queue_.push_back(std::move(entry));
      return result;
    }
    case DaemonMessage::Kind::mark: {
      result.kind = Received::Kind::mark;
      ++counters_.marks_received;
      Entry entry;
      entry.is_mark = true;
      entry.start = std::max(playback_end_, now);
      entry.mark = std::string(message_.mark_name);
      queue_.push_back(std::move(entry));
      play_until(now, echo);  // nothing queued before it: echoed at once
      return result;
    }
    case DaemonMessage::Kind::clear:
      result.kind = Received::Kind::clear;
      clear(now, echo, result);
      return result;
    case DaemonMessage::Kind::unknown:
      break;
  }
  return reject("unknown event `" + event + "` (Twilio accepts media, mark, clear)");
}

}  // namespace sonoria::simulate
