#include "core/twilio/media_message.hpp"

#include <nlohmann/json.hpp>

#include <limits>

#include "core/twilio/base64.hpp"
#include "core/twilio/media_frame_scanner.hpp"

namespace sonoria::twilio {
namespace {

using nlohmann::json;

// Field access that never throws. "Absent" and "present with the wrong type" differ: the first may
// be allowed, the second never is, so each accessor reports both.
const json* member(const json& object, const char* key) {
  const auto it = object.find(key);
  return it == object.end() ? nullptr : &*it;
}

std::optional<std::string> required_string(const json& object, const char* key) {
  const json* value = member(object, key);
  if (value == nullptr || !value->is_string()) return std::nullopt;
  return value->get<std::string>();
}

// Absent → "" ; present but not a string → nullopt.
std::optional<std::string> optional_string(const json& object, const char* key) {
  const json* value = member(object, key);
  if (value == nullptr) return std::string{};
  if (!value->is_string()) return std::nullopt;
  return value->get<std::string>();
}

std::optional<std::int64_t> required_string_number(const json& object, const char* key) {
  const json* value = member(object, key);
  if (value == nullptr || !value->is_string()) return std::nullopt;
  return parse_string_number(value->get_ref<const std::string&>());
}

// sampleRate and channels: a JSON integer or a string-number, within int.
std::optional<int> count(const json& value) {
  std::int64_t n = -1;
  if (value.is_number_unsigned()) {
    const auto u = value.get<std::uint64_t>();
    if (u <= static_cast<std::uint64_t>(std::numeric_limits<int>::max())) n = static_cast<std::int64_t>(u);
  } else if (value.is_number_integer()) {
    n = value.get<std::int64_t>();
  } else if (value.is_string()) {
    n = parse_string_number(value.get_ref<const std::string&>()).value_or(-1);
  }
  if (n < 0 || n > std::numeric_limits<int>::max()) return std::nullopt;
  return static_cast<int>(n);
}

// The object under `key`, or nullptr when absent; `ok` turns false when present but not an object.
const json* optional_object(const json& message, const char* key, bool& ok) {
  const json* value = member(message, key);
  if (value != nullptr && !value->is_object()) ok = false;
  return value != nullptr && value->is_object() ? value : nullptr;
}

// A view of `value` inside `text`. Any occurrence has the same bytes, so any will do; there is none
// when the frame spelled the value with JSON escapes.
std::optional<std::string_view> view_into(std::string_view text, const std::string& value) {
  const auto pos = text.find(value);
  if (pos == std::string_view::npos) return std::nullopt;
  return text.substr(pos, value.size());
}

std::optional<InboundMessage> parse_connected(const json& message) {
  auto protocol = optional_string(message, "protocol");
  auto version = optional_string(message, "version");
  if (!protocol || !version) return std::nullopt;
  return Connected{std::move(*protocol), std::move(*version)};
}

std::optional<InboundMessage> parse_start(const json& message) {
  bool ok = true;
  const json* start = optional_object(message, "start", ok);
  const auto sequence = required_string_number(message, "sequenceNumber");
  if (start == nullptr || !sequence) return std::nullopt;
  Start result;
  result.sequence_number = *sequence;
  auto call_sid = required_string(*start, "callSid");
  auto account_sid = required_string(*start, "accountSid");
  auto stream_sid = optional_string(*start, "streamSid");
  auto outer_sid = optional_string(message, "streamSid");
  if (!call_sid || !account_sid || !stream_sid || !outer_sid) return std::nullopt;
  result.call_sid = std::move(*call_sid);
  result.account_sid = std::move(*account_sid);
  result.stream_sid = stream_sid->empty() ? std::move(*outer_sid) : std::move(*stream_sid);
  if (result.stream_sid.empty()) return std::nullopt;

  if (const json* tracks = member(*start, "tracks")) {
    if (!tracks->is_array()) return std::nullopt;
    for (const auto& track : *tracks) {
      if (!track.is_string()) return std::nullopt;
      result.tracks.push_back(track.get<std::string>());
    }
  }
  if (const json* parameters = optional_object(*start, "customParameters", ok)) {
    for (const auto& [name, value] : parameters->items()) {
      if (!value.is_string()) return std::nullopt;
      result.custom_parameters.emplace(name, value.get<std::string>());
    }
  }
  if (const json* format = optional_object(*start, "mediaFormat", ok)) {
    auto encoding = optional_string(*format, "encoding");
    if (!encoding) return std::nullopt;
    result.media_format.encoding = std::move(*encoding);
    for (auto [key, field] : {std::pair{"sampleRate", &result.media_format.sample_rate},
                              std::pair{"channels", &result.media_format.channels}}) {
      if (const json* value = member(*format, key)) {
        const auto n = count(*value);
        if (!n) return std::nullopt;
        *field = *n;
      }
    }
  }
  if (!ok) return std::nullopt;
  return result;
}

std::optional<InboundMessage> parse_media(const json& message, std::string_view text) {
  bool ok = true;
  const json* media = optional_object(message, "media", ok);
  if (media == nullptr) return std::nullopt;
  Media result;
  const auto sequence = required_string_number(message, "sequenceNumber");
  const auto chunk = required_string_number(*media, "chunk");
  const auto timestamp = required_string_number(*media, "timestamp");
  const auto stream_sid = required_string(message, "streamSid");
  const auto track = required_string(*media, "track");
  const auto payload = required_string(*media, "payload");
  if (!sequence || !chunk || !timestamp || !stream_sid || !track || !payload) return std::nullopt;
  if (!is_valid_base64(*payload)) return std::nullopt;
  const auto stream_view = view_into(text, *stream_sid);
  const auto track_view = view_into(text, *track);
  const auto payload_view = view_into(text, *payload);
  if (!stream_view || !track_view || !payload_view) return std::nullopt;
  result.stream_sid = *stream_view;
  result.track = *track_view;
  result.payload = *payload_view;
  result.chunk = *chunk;
  result.timestamp_ms = *timestamp;
  result.sequence_number = *sequence;
  return result;
}

std::optional<InboundMessage> parse_dtmf(const json& message) {
  bool ok = true;
  const json* dtmf = optional_object(message, "dtmf", ok);
  const auto sequence = required_string_number(message, "sequenceNumber");
  auto stream_sid = required_string(message, "streamSid");
  if (dtmf == nullptr || !sequence || !stream_sid) return std::nullopt;
  auto digit = required_string(*dtmf, "digit");
  auto track = optional_string(*dtmf, "track");
  if (!digit || !track) return std::nullopt;
  return Dtmf{std::move(*stream_sid), std::move(*digit), std::move(*track), *sequence};
}

std::optional<InboundMessage> parse_mark(const json& message) {
  bool ok = true;
  const json* mark = optional_object(message, "mark", ok);
  const auto sequence = required_string_number(message, "sequenceNumber");
  auto stream_sid = required_string(message, "streamSid");
  if (mark == nullptr || !sequence || !stream_sid) return std::nullopt;
  auto name = required_string(*mark, "name");
  if (!name) return std::nullopt;
  return Mark{std::move(*stream_sid), std::move(*name), *sequence};
}

std::optional<InboundMessage> parse_stop(const json& message) {
  bool ok = true;
  const json* stop = optional_object(message, "stop", ok);
  const auto sequence = required_string_number(message, "sequenceNumber");
  auto stream_sid = required_string(message, "streamSid");
  if (!ok || !sequence || !stream_sid) return std::nullopt;
  Stop result{std::move(*stream_sid), {}, {}, *sequence};
  if (stop != nullptr) {
    auto account_sid = optional_string(*stop, "accountSid");
    auto call_sid = optional_string(*stop, "callSid");
    if (!account_sid || !call_sid) return std::nullopt;
    result.account_sid = std::move(*account_sid);
    result.call_sid = std::move(*call_sid);
  }
  return result;
}

std::optional<InboundMessage> parse_with_json(std::string_view text) {
  const json message = json::parse(text.begin(), text.end(), nullptr, /*allow_exceptions=*/false);
  if (!message.is_object()) return std::nullopt;  // also a parse error (discarded)
  const auto event = required_string(message, "event");
  if (!event) return std::nullopt;
  if (*event == "media") return parse_media(message, text);
  if (*event == "mark") return parse_mark(message);
  if (*event == "start") return parse_start(message);
  if (*event == "connected") return parse_connected(message);
  if (*event == "dtmf") return parse_dtmf(message);
  if (*event == "stop") return parse_stop(message);
  if (*event == "sonoria_text") {
    auto typed = required_string(message, "text");
    if (!typed) return std::nullopt;
    return TypedText{std::move(*typed)};
  }
  return Unknown{*event};
}

// Appends `text` as a JSON string literal. Runs of ordinary bytes are copied in one go; UTF-8
// passes through unchanged.
void append_json_string(std::string& out, std::string_view text) {
  out += '"';
  std::size_t run = 0;
  for (std::size_t i = 0; i < text.size(); ++i) {
    const auto c = static_cast<unsigned char>(text[i]);
    if (c >= 0x20 && c != '"' && c != '\\') continue;
    out.append(text, run, i - run);
    run = i + 1;
    switch (c) {
      case '"': out += "\\\""; break;
      case '\\': out += "\\\\"; break;
      case '\n': out += "\\n"; break;
      case '\r': out += "\\r"; break;
      case '\t': out += "\\t"; break;
      case '\b': out += "\\b"; break;
      case '\f': out += "\\f"; break;
      default: {
        static constexpr char k_hex[] = "0123456789abcdef";
        out += "\\u00";
        out += k_hex[c >> 4];
        out += k_hex[c & 0x0F];
      }
    }
  }
  out.append(text, run, text.size() - run);
  out += '"';
}

}  // namespace

std::optional<InboundMessage> parse_media_message(std::string_view text) {
  if (auto media = scan_media_frame(text)) return InboundMessage{*media};
  try {
    return parse_with_json(text);
  } catch (const json::exception&) {
    // The accessors check types first; this only guards against a case they missed.
    return std::nullopt;
  }
}

void write_media(std::string& out, std::string_view stream_sid, std::string_view payload_b64) {
  out.clear();
  out += R"({"event":"media","streamSid":)";
  append_json_string(out, stream_sid);
  out += R"(,"media":{"payload":)";
  append_json_string(out, payload_b64);
  out += "}}";
}

void write_mark(std::string& out, std::string_view stream_sid, std::string_view name) {
  out.clear();
  out += R"({"event":"mark","streamSid":)";
  append_json_string(out, stream_sid);
  out += R"(,"mark":{"name":)";
  append_json_string(out, name);
  out += "}}";
}

void write_clear(std::string& out, std::string_view stream_sid) {
  out.clear();
  out += R"({"event":"clear","streamSid":)";
  append_json_string(out, stream_sid);
  out += '}';
}

}  // namespace sonoria::twilio
