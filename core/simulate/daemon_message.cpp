#include "core/simulate/daemon_message.hpp"

#include <nlohmann/json.hpp>

namespace sonoria::simulate {
namespace {

using Kind = DaemonMessage::Kind;

Kind kind_of(std::string_view event) {
  if (event == "media") return Kind::media;
  if (event == "mark") return Kind::mark;
  if (event == "clear") return Kind::clear;
  return Kind::unknown;
}

void reset(DaemonMessage& out) {
  out.kind = Kind::unknown;
  out.event = {};
  out.stream_sid = {};
  out.has_stream_sid = false;
  out.payload = {};
  out.mark_name = {};
}

// Consumes `literal` at the front of `rest`.
bool eat(std::string_view& rest, std::string_view literal) {
  if (rest.substr(0, literal.size()) != literal) return false;
  rest.remove_prefix(literal.size());
  return true;
}

// A JSON string body up to its closing quote, when it holds no escape or control character.
bool plain_string(std::string_view& rest, std::string_view& value) {
  for (std::size_t i = 0; i < rest.size(); ++i) {
    const auto c = static_cast<unsigned char>(rest[i]);
    if (c == '"') {
      value = rest.substr(0, i);
      rest.remove_prefix(i + 1);
      return true;
    }
    if (c == '\\' || c < 0x20) return false;
  }
  return false;
}

// {"event":"media","streamSid":"…","media":{"payload":"…"}} and the mark/clear shapes, exactly as
// core/twilio/media_message.cpp writes them.
bool scan_compact(std::string_view text, DaemonMessage& out) {
  std::string_view rest = text;
  std::string_view event;
  if (!eat(rest, R"({"event":")") || !plain_string(rest, event)) return false;
  const Kind kind = kind_of(event);
  if (kind == Kind::unknown) return false;
  std::string_view sid;
  if (!eat(rest, R"(,"streamSid":")") || !plain_string(rest, sid)) return false;
  std::string_view value;
  if (kind == Kind::media) {
    if (!eat(rest, R"(,"media":{"payload":")") || !plain_string(rest, value) || rest != "}}") return false;
  } else if (kind == Kind::mark) {
    if (!eat(rest, R"(,"mark":{"name":")") || !plain_string(rest, value) || rest != "}}") return false;
  } else if (rest != "}") {
    return false;
  }
  out.kind = kind;
  out.event = event;
  out.stream_sid = sid;
  out.has_stream_sid = true;
  if (kind == Kind::media) out.payload = value;
  if (kind == Kind::mark) out.mark_name = value;
  return true;
}

}  // namespace

std::string parse_daemon_message(std::string_view text, DaemonMessage& out) {
  reset(out);
  if (scan_compact(text, out)) return {};
  const auto j = nlohmann::json::parse(text, nullptr, false);
  if (j.is_discarded() || !j.is_object()) return "not a JSON object";
  const auto event = j.find("event");
  if (event == j.end() || !event->is_string()) return "no \"event\" string";
  out.owned_event = event->get<std::string>();
  out.event = out.owned_event;
  out.kind = kind_of(out.event);
  if (const auto sid = j.find("streamSid"); sid != j.end()) {
    if (!sid->is_string()) return "`" + out.owned_event + "` with a streamSid that is not a string";
    out.owned_stream_sid = sid->get<std::string>();
    out.stream_sid = out.owned_stream_sid;
    out.has_stream_sid = true;
  }
  if (out.kind == Kind::media) {
    const auto media = j.find("media");
    if (media == j.end() || !media->is_object() || !media->contains("payload") || !(*media)["payload"].is_string())
      return "`media` without media.payload string";
    out.owned_payload = (*media)["payload"].get<std::string>();
    out.payload = out.owned_payload;
  } else if (out.kind == Kind::mark) {
    const auto mark = j.find("mark");
    if (mark == j.end() || !mark->is_object() || !mark->contains("name") || !(*mark)["name"].is_string())
      return "`mark` without mark.name string";
    out.owned_mark_name = (*mark)["name"].get<std::string>();
    out.mark_name = out.owned_mark_name;
  }
  return {};
}

}  // namespace sonoria::simulate
