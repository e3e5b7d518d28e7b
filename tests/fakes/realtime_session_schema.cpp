#include "tests/fakes/realtime_session_schema.hpp"

#include <algorithm>
#include <initializer_list>
#include <string_view>

namespace sonoria::fakes {

using nlohmann::json;

namespace {

using Check = std::optional<RealtimeError>;
using Names = std::initializer_list<std::string_view>;

std::string kind_of(const json& value) {
  switch (value.type()) {
    case json::value_t::string: return "a string";
    case json::value_t::number_integer:
    case json::value_t::number_unsigned: return "an integer";
    case json::value_t::number_float: return "a decimal";
    case json::value_t::boolean: return "a boolean";
    case json::value_t::object: return "an object";
    case json::value_t::array: return "an array";
    case json::value_t::null: return "null";
    default: return "an unsupported value";
  }
}

RealtimeError unknown(const std::string& path) {
  return {"invalid_request_error", "unknown_parameter", "Unknown parameter: '" + path + "'.", path};
}

RealtimeError missing(const std::string& path) {
  return {"invalid_request_error", "missing_required_parameter", "Missing required parameter: '" + path + "'.", path};
}

RealtimeError wrong_type(const std::string& path, const std::string& expected, const json& value) {
  return {"invalid_request_error", "invalid_type",
          "Invalid type for '" + path + "': expected " + expected + ", but got " + kind_of(value) + " instead.", path};
}

RealtimeError bad_value(const std::string& path, const json& value, Names allowed) {
  std::string list;
  std::size_t i = 0;
  for (auto name : allowed) {
    if (i > 0) list += allowed.size() > 2 ? ", " : " ";
    if (i > 0 && i + 1 == allowed.size()) list += "and ";
    list += "'" + std::string(name) + "'";
    ++i;
  }
  const std::string shown = value.is_string() ? value.get<std::string>() : value.dump();
  return {"invalid_request_error", "invalid_value", "Invalid value: '" + shown + "'. Supported values are: " + list + ".",
          path};
}

RealtimeError out_of_range(const std::string& path, const json& value, const std::string& range) {
  return {"invalid_request_error", "invalid_value",
          "Invalid '" + path + "': " + value.dump() + " is out of range. Expected " + range + ".", path};
}

bool one_of(const json& value, Names allowed) {
  if (!value.is_string()) return false;
  const auto& text = value.get_ref<const std::string&>();
  return std::find(allowed.begin(), allowed.end(), text) != allowed.end();
}

Check keys_known(const json& object, const std::string& path, Names allowed) {
  for (const auto& [key, value] : object.items()) {
    if (std::find(allowed.begin(), allowed.end(), key) == allowed.end()) return unknown(path + "." + key);
  }
  return std::nullopt;
}

Check expect_string(const json& object, const std::string& path, const char* key) {
  if (object.contains(key) && !object[key].is_string()) return wrong_type(path + "." + key, "a string", object[key]);
  return std::nullopt;
}

Check expect_bool(const json& object, const std::string& path, const char* key) {
  if (object.contains(key) && !object[key].is_boolean()) return wrong_type(path + "." + key, "a boolean", object[key]);
  return std::nullopt;
}

Check expect_integer(const json& object, const std::string& path, const char* key, std::int64_t min, std::int64_t max) {
  if (!object.contains(key)) return std::nullopt;
  const json& value = object[key];
  if (!value.is_number_integer()) return wrong_type(path + "." + key, "an integer", value);
  const auto n = value.get<std::int64_t>();
  if (n < min) {
    return RealtimeError{"invalid_request_error", "integer_below_min_value",
                         "Invalid '" + path + "." + key + "': integer below minimum value. Expected a value >= " +
                             std::to_string(min) + ", but got " + std::to_string(n) + " instead.",
                         path + "." + key};
  }
  if (n > max) {
    return RealtimeError{"invalid_request_error", "integer_above_max_value",
                         "Invalid '" + path + "." + key + "': integer above maximum value. Expected a value <= " +
                             std::to_string(max) + ", but got " + std::to_string(n) + " instead.",
                         path + "." + key};
  }
  return std::nullopt;
}

Check expect_number(const json& object, const std::string& path, const char* key, double min, double max) {
  if (!object.contains(key)) return std::nullopt;
  const json& value = object[key];
  if (!value.is_number()) return wrong_type(path + "." + key, "a number", value);
  const double n = value.get<double>();
  if (n < min || n > max) {
    return out_of_range(path + "." + key, value, "a value between " + json(min).dump() + " and " + json(max).dump());
  }
  return std::nullopt;
}

Check check_format_object(const json& value, const std::string& path) {
  if (!value.is_object()) return wrong_type(path, "an object", value);
  if (auto e = keys_known(value, path, {"type", "rate"})) return e;
  if (!value.contains("type")) return missing(path + ".type");
  if (!one_of(value["type"], {"audio/pcm", "audio/pcmu", "audio/pcma"})) {
    return bad_value(path + ".type", value["type"], {"audio/pcm", "audio/pcmu", "audio/pcma"});
  }
  if (value.contains("rate")) {
    if (value["type"] != "audio/pcm") return unknown(path + ".rate");
    if (value["rate"] != 24000) return bad_value(path + ".rate", value["rate"], {"24000"});
  }
  return std::nullopt;
}

Check check_format_string(const json& value, const std::string& path) {
  if (!value.is_string()) return wrong_type(path, "a string", value);
  if (!one_of(value, {"pcm16", "g711_ulaw", "g711_alaw"})) return bad_value(path, value, {"pcm16", "g711_ulaw", "g711_alaw"});
  return std::nullopt;
}

Check check_turn_detection(const json& value, const std::string& path) {
  if (value.is_null()) return std::nullopt;
  if (!value.is_object()) return wrong_type(path, "an object", value);
  if (!value.contains("type")) return missing(path + ".type");
  if (value["type"] == "server_vad") {
    if (auto e = keys_known(value, path, {"type", "threshold", "prefix_padding_ms", "silence_duration_ms",
                                          "create_response", "interrupt_response", "idle_timeout_ms"})) {
      return e;
    }
    if (auto e = expect_number(value, path, "threshold", 0.0, 1.0)) return e;
    if (auto e = expect_integer(value, path, "prefix_padding_ms", 0, 10000)) return e;
    if (auto e = expect_integer(value, path, "silence_duration_ms", 0, 10000)) return e;
    if (value.contains("idle_timeout_ms") && !value["idle_timeout_ms"].is_null()) {
      if (auto e = expect_integer(value, path, "idle_timeout_ms", 5000, 30000)) return e;
    }
  } else if (value["type"] == "semantic_vad") {
    if (auto e = keys_known(value, path, {"type", "eagerness", "create_response", "interrupt_response"})) return e;
    if (value.contains("eagerness") && !one_of(value["eagerness"], {"low", "medium", "high", "auto"})) {
      return bad_value(path + ".eagerness", value["eagerness"], {"low", "medium", "high", "auto"});
    }
  } else {
    return bad_value(path + ".type", value["type"], {"server_vad", "semantic_vad"});
  }
  if (auto e = expect_bool(value, path, "create_response")) return e;
  return expect_bool(value, path, "interrupt_response");
}

Check check_transcription(const json& value, const std::string& path, Names allowed) {
  if (value.is_null()) return std::nullopt;
  if (!value.is_object()) return wrong_type(path, "an object", value);
  if (auto e = keys_known(value, path, allowed)) return e;
  if (auto e = expect_string(value, path, "model")) return e;
  if (auto e = expect_string(value, path, "language")) return e;
  return expect_string(value, path, "prompt");
}

Check check_noise_reduction(const json& value, const std::string& path) {
  if (value.is_null()) return std::nullopt;
  if (!value.is_object()) return wrong_type(path, "an object", value);
  if (auto e = keys_known(value, path, {"type"})) return e;
  if (value.contains("type") && !one_of(value["type"], {"near_field", "far_field"})) {
    return bad_value(path + ".type", value["type"], {"near_field", "far_field"});
  }
  return std::nullopt;
}

Check check_voice(const json& value, const std::string& path) {
  if (value.is_string()) return std::nullopt;
  if (value.is_object()) {
    if (auto e = keys_known(value, path, {"id"})) return e;
    if (!value.contains("id")) return missing(path + ".id");
    return expect_string(value, path, "id");
  }
  return wrong_type(path, "a string", value);
}

Check check_tools(const json& value, const std::string& path) {
  if (!value.is_array()) return wrong_type(path, "an array", value);
  for (std::size_t i = 0; i < value.size(); ++i) {
    const json& tool = value[i];
    const std::string at = path + "[" + std::to_string(i) + "]";
    if (!tool.is_object()) return wrong_type(at, "an object", tool);
    if (!tool.contains("type")) return missing(at + ".type");
    if (tool["type"] == "function") {
      if (auto e = keys_known(tool, at, {"type", "name", "description", "parameters"})) return e;
      if (!tool.contains("name")) return missing(at + ".name");
      if (auto e = expect_string(tool, at, "name")) return e;
      if (auto e = expect_string(tool, at, "description")) return e;
      if (tool.contains("parameters") && !tool["parameters"].is_object()) {
        return wrong_type(at + ".parameters", "an object", tool["parameters"]);
      }
    } else if (tool["type"] != "mcp") {
      return bad_value(at + ".type", tool["type"], {"function", "mcp"});
    }
  }
  return std::nullopt;
}

Check check_tool_choice(const json& value, const std::string& path) {
  if (value.is_string()) {
    if (!one_of(value, {"auto", "none", "required"})) return bad_value(path, value, {"auto", "none", "required"});
    return std::nullopt;
  }
  if (!value.is_object()) return wrong_type(path, "a string", value);
  if (value.value("type", "") == "function") {
    if (auto e = keys_known(value, path, {"type", "name"})) return e;
    if (!value.contains("name")) return missing(path + ".name");
    return std::nullopt;
  }
  if (value.value("type", "") == "mcp") return keys_known(value, path, {"type", "server_label", "name"});
  if (!value.contains("type")) return missing(path + ".type");
  return bad_value(path + ".type", value["type"], {"function", "mcp"});
}

Check check_max_tokens(const json& object, const std::string& path, const char* key) {
  if (!object.contains(key)) return std::nullopt;
  if (object[key].is_string()) {
    if (object[key] != "inf") return bad_value(path + "." + key, object[key], {"inf"});
    return std::nullopt;
  }
  return expect_integer(object, path, key, 1, 4096);
}

Check check_common(const json& session, const std::string& path) {
  if (auto e = expect_string(session, path, "model")) return e;
  if (auto e = expect_string(session, path, "instructions")) return e;
  if (session.contains("tools")) {
    if (auto e = check_tools(session["tools"], path + ".tools")) return e;
  }
  if (session.contains("tool_choice")) {
    if (auto e = check_tool_choice(session["tool_choice"], path + ".tool_choice")) return e;
  }
  if (session.contains("tracing")) {
    const json& tracing = session["tracing"];
    if (tracing.is_string()) {
      if (tracing != "auto") return bad_value(path + ".tracing", tracing, {"auto"});
    } else if (tracing.is_object()) {
      if (auto e = keys_known(tracing, path + ".tracing", {"workflow_name", "group_id", "metadata"})) return e;
    } else if (!tracing.is_null()) {
      return wrong_type(path + ".tracing", "an object", tracing);
    }
  }
  if (session.contains("truncation")) {
    const json& truncation = session["truncation"];
    if (truncation.is_string()) {
      if (!one_of(truncation, {"auto", "disabled"})) return bad_value(path + ".truncation", truncation, {"auto", "disabled"});
    } else if (truncation.is_object()) {
      const std::string at = path + ".truncation";
      if (auto e = keys_known(truncation, at, {"type", "retention_ratio", "token_limits"})) return e;
      if (!truncation.contains("type")) return missing(at + ".type");
      if (truncation["type"] != "retention_ratio") return bad_value(at + ".type", truncation["type"], {"retention_ratio"});
      if (!truncation.contains("retention_ratio")) return missing(at + ".retention_ratio");
      if (auto e = expect_number(truncation, at, "retention_ratio", 0.0, 1.0)) return e;
      if (truncation.contains("token_limits")) {
        const json& limits = truncation["token_limits"];
        if (!limits.is_object()) return wrong_type(at + ".token_limits", "an object", limits);
        if (auto e = keys_known(limits, at + ".token_limits", {"post_instructions"})) return e;
      }
    } else {
      return wrong_type(path + ".truncation", "a string", truncation);
    }
  }
  if (session.contains("prompt") && !session["prompt"].is_null()) {
    const json& prompt = session["prompt"];
    if (!prompt.is_object()) return wrong_type(path + ".prompt", "an object", prompt);
    if (auto e = keys_known(prompt, path + ".prompt", {"id", "version", "variables"})) return e;
    if (!prompt.contains("id")) return missing(path + ".prompt.id");
  }
  if (session.contains("include") && !session["include"].is_null()) {
    const json& include = session["include"];
    if (!include.is_array()) return wrong_type(path + ".include", "an array", include);
    for (const auto& entry : include) {
      if (!one_of(entry, {"item.input_audio_transcription.logprobs"})) {
        return bad_value(path + ".include", entry, {"item.input_audio_transcription.logprobs"});
      }
    }
  }
  return std::nullopt;
}

Check validate_ga(const json& session) {
  const std::string path = "session";
  if (!session.is_object()) return wrong_type(path, "an object", session);
  if (!session.contains("type")) return missing("session.type");
  if (auto e = keys_known(session, path,
                          {"type", "model", "instructions", "output_modalities", "audio", "include", "tracing", "tools",
                           "tool_choice", "parallel_tool_calls", "reasoning", "max_output_tokens", "truncation",
                           "prompt"})) {
    return e;
  }
  if (session["type"] != "realtime") return bad_value("session.type", session["type"], {"realtime"});
  if (session.contains("output_modalities")) {
    const json& modalities = session["output_modalities"];
    if (!modalities.is_array()) return wrong_type("session.output_modalities", "an array", modalities);
    for (const auto& m : modalities) {
      if (!one_of(m, {"audio", "text"})) return bad_value("session.output_modalities", m, {"audio", "text"});
    }
    if (modalities.size() != 1) {
      return RealtimeError{"invalid_request_error", "invalid_value",
                           "Invalid 'session.output_modalities': exactly one of 'audio' or 'text' is supported.",
                           "session.output_modalities"};
    }
  }
  if (session.contains("audio")) {
    const json& audio = session["audio"];
    if (!audio.is_object()) return wrong_type("session.audio", "an object", audio);
    if (auto e = keys_known(audio, "session.audio", {"input", "output"})) return e;
    if (audio.contains("input")) {
      const json& input = audio["input"];
      const std::string at = "session.audio.input";
      if (!input.is_object()) return wrong_type(at, "an object", input);
      if (auto e = keys_known(input, at, {"format", "transcription", "noise_reduction", "turn_detection"})) return e;
      if (input.contains("format")) {
        if (auto e = check_format_object(input["format"], at + ".format")) return e;
      }
      if (input.contains("transcription")) {
        if (auto e = check_transcription(input["transcription"], at + ".transcription",
                                         {"model", "language", "languages", "keywords", "prompt", "delay"})) {
          return e;
        }
      }
      if (input.contains("noise_reduction")) {
        if (auto e = check_noise_reduction(input["noise_reduction"], at + ".noise_reduction")) return e;
      }
      if (input.contains("turn_detection")) {
        if (auto e = check_turn_detection(input["turn_detection"], at + ".turn_detection")) return e;
      }
    }
    if (audio.contains("output")) {
      const json& output = audio["output"];
      const std::string at = "session.audio.output";
      if (!output.is_object()) return wrong_type(at, "an object", output);
      if (auto e = keys_known(output, at, {"format", "voice", "speed"})) return e;
      if (output.contains("format")) {
        if (auto e = check_format_object(output["format"], at + ".format")) return e;
      }
      if (output.contains("voice")) {
        if (auto e = check_voice(output["voice"], at + ".voice")) return e;
      }
      if (auto e = expect_number(output, at, "speed", 0.25, 1.5)) return e;
    }
  }
  if (auto e = expect_bool(session, path, "parallel_tool_calls")) return e;
  if (session.contains("reasoning")) {
    const json& reasoning = session["reasoning"];
    if (!reasoning.is_object()) return wrong_type("session.reasoning", "an object", reasoning);
    if (auto e = keys_known(reasoning, "session.reasoning", {"effort"})) return e;
  }
  if (auto e = check_max_tokens(session, path, "max_output_tokens")) return e;
  return check_common(session, path);
}

Check validate_beta(const json& session) {
  const std::string path = "session";
  if (!session.is_object()) return wrong_type(path, "an object", session);
  if (auto e = keys_known(session, path,
                          {"modalities", "instructions", "voice", "input_audio_format", "output_audio_format",
                           "input_audio_transcription", "input_audio_noise_reduction", "turn_detection", "tools",
                           "tool_choice", "temperature", "max_response_output_tokens", "speed", "tracing",
                           "truncation", "prompt", "include", "model"})) {
    return e;
  }
  if (session.contains("modalities")) {
    const json& modalities = session["modalities"];
    if (!modalities.is_array()) return wrong_type("session.modalities", "an array", modalities);
    for (const auto& m : modalities) {
      if (!one_of(m, {"audio", "text"})) return bad_value("session.modalities", m, {"text", "audio"});
    }
  }
  if (session.contains("voice")) {
    if (auto e = check_voice(session["voice"], "session.voice")) return e;
  }
  for (const char* key : {"input_audio_format", "output_audio_format"}) {
    if (session.contains(key)) {
      if (auto e = check_format_string(session[key], path + "." + key)) return e;
    }
  }
  if (session.contains("input_audio_transcription")) {
    if (auto e = check_transcription(session["input_audio_transcription"], "session.input_audio_transcription",
                                     {"model", "language", "prompt"})) {
      return e;
    }
  }
  if (session.contains("input_audio_noise_reduction")) {
    if (auto e = check_noise_reduction(session["input_audio_noise_reduction"], "session.input_audio_noise_reduction")) {
      return e;
    }
  }
  if (session.contains("turn_detection")) {
    if (auto e = check_turn_detection(session["turn_detection"], "session.turn_detection")) return e;
  }
  if (auto e = expect_number(session, path, "temperature", 0.6, 1.2)) return e;
  if (auto e = expect_number(session, path, "speed", 0.25, 1.5)) return e;
  if (auto e = check_max_tokens(session, path, "max_response_output_tokens")) return e;
  return check_common(session, path);
}

json default_turn_detection() {
  return {{"type", "server_vad"},          {"threshold", 0.5},        {"prefix_padding_ms", 300},
          {"silence_duration_ms", 200},    {"idle_timeout_ms", nullptr}, {"create_response", true},
          {"interrupt_response", true}};
}

json with_turn_defaults(json td) {
  if (!td.is_object()) return td;
  if (td["type"] == "server_vad") {
    json full = {{"type", "server_vad"},       {"threshold", 0.5},          {"prefix_padding_ms", 300},
                 {"silence_duration_ms", 500}, {"idle_timeout_ms", nullptr}, {"create_response", true},
                 {"interrupt_response", true}};
    full.update(td);
    return full;
  }
  json full = {{"type", "semantic_vad"}, {"eagerness", "auto"}, {"create_response", true}, {"interrupt_response", true}};
  full.update(td);
  return full;
}

json with_format_defaults(json format) {
  if (format.is_object() && format.value("type", "") == "audio/pcm" && !format.contains("rate")) format["rate"] = 24000;
  return format;
}

std::string from_beta_format(const std::string& format) {
  if (format == "g711_ulaw") return "audio/pcmu";
  if (format == "g711_alaw") return "audio/pcma";
  return "audio/pcm";
}

void read_turn_detection(const json& td, RealtimeAudioSetup& setup) {
  setup.vad = td.is_object();
  if (!setup.vad) return;
  setup.create_response = td.value("create_response", true);
  setup.interrupt_response = td.value("interrupt_response", true);
  if (td.value("type", "") == "semantic_vad") {
    // A fixed pause stands in for the semantic model: eager ends turns sooner.
    const std::string eagerness = td.value("eagerness", "auto");
    setup.silence_duration_ms = eagerness == "high" ? 250 : eagerness == "low" ? 1000 : 500;
    setup.prefix_padding_ms = 300;
  } else {
    setup.silence_duration_ms = td.value("silence_duration_ms", 500);
    setup.prefix_padding_ms = td.value("prefix_padding_ms", 300);
  }
}

}  // namespace

json default_session(RealtimeDialect dialect, const std::string& model, const std::string& id, std::int64_t expires_at) {
  const std::string instructions =
      "Your knowledge cutoff is 2023-10. You are a helpful, witty, and friendly AI. Act like a human, but remember "
      "that you aren't a human and that you can't do human things in the real world.";
  if (dialect == RealtimeDialect::beta) {
    return {{"id", id},
            {"object", "realtime.session"},
            {"model", model},
            {"expires_at", expires_at},
            {"modalities", {"text", "audio"}},
            {"instructions", instructions},
            {"voice", "alloy"},
            {"input_audio_format", "pcm16"},
            {"output_audio_format", "pcm16"},
            {"input_audio_transcription", nullptr},
            {"input_audio_noise_reduction", nullptr},
            {"turn_detection", default_turn_detection()},
            {"tools", json::array()},
            {"tool_choice", "auto"},
            {"temperature", 0.8},
            {"max_response_output_tokens", "inf"},
            {"speed", 1.0},
            {"tracing", nullptr},
            {"prompt", nullptr},
            {"include", nullptr}};
  }
  return {{"type", "realtime"},
          {"object", "realtime.session"},
          {"id", id},
          {"model", model},
          {"output_modalities", {"audio"}},
          {"instructions", instructions},
          {"tools", json::array()},
          {"tool_choice", "auto"},
          {"max_output_tokens", "inf"},
          {"tracing", nullptr},
          {"truncation", "auto"},
          {"prompt", nullptr},
          {"expires_at", expires_at},
          {"audio",
           {{"input",
             {{"format", {{"type", "audio/pcm"}, {"rate", 24000}}},
              {"transcription", nullptr},
              {"noise_reduction", nullptr},
              {"turn_detection", default_turn_detection()}}},
            {"output", {{"format", {{"type", "audio/pcm"}, {"rate", 24000}}}, {"voice", "marin"}, {"speed", 1.0}}}}},
          {"include", nullptr}};
}

std::optional<RealtimeError> validate_session_update(RealtimeDialect dialect, const json& session) {
  return dialect == RealtimeDialect::ga ? validate_ga(session) : validate_beta(session);
}

json merge_session(RealtimeDialect dialect, const json& current, const json& update) {
  json merged = current;
  for (const auto& [key, value] : update.items()) {
    if (dialect == RealtimeDialect::ga && key == "audio") {
      for (const auto& [side, settings] : value.items()) {
        for (const auto& [name, setting] : settings.items()) merged["audio"][side][name] = setting;
      }
    } else {
      merged[key] = value;
    }
  }
  if (dialect == RealtimeDialect::ga) {
    json& input = merged["audio"]["input"];
    json& output = merged["audio"]["output"];
    input["format"] = with_format_defaults(input["format"]);
    output["format"] = with_format_defaults(output["format"]);
    input["turn_detection"] = with_turn_defaults(input["turn_detection"]);
  } else {
    merged["turn_detection"] = with_turn_defaults(merged["turn_detection"]);
  }
  return merged;
}

int RealtimeAudioSetup::bytes_per_ms(const std::string& format) { return format == "audio/pcm" ? 48 : 8; }

RealtimeAudioSetup audio_setup(RealtimeDialect dialect, const json& session) {
  RealtimeAudioSetup setup;
  if (dialect == RealtimeDialect::beta) {
    setup.input_format = from_beta_format(session.value("input_audio_format", "pcm16"));
    setup.output_format = from_beta_format(session.value("output_audio_format", "pcm16"));
    setup.voice = session.value("voice", "alloy");
    setup.transcription = session.contains("input_audio_transcription") && session["input_audio_transcription"].is_object();
    const json modalities = session.value("modalities", json::array({"text", "audio"}));
    setup.text_only = std::find(modalities.begin(), modalities.end(), "audio") == modalities.end();
    read_turn_detection(session.value("turn_detection", json()), setup);
    return setup;
  }
  const json& audio = session["audio"];
  setup.input_format = audio["input"]["format"].value("type", "audio/pcm");
  setup.output_format = audio["output"]["format"].value("type", "audio/pcm");
  const json& voice = audio["output"]["voice"];
  setup.voice = voice.is_string() ? voice.get<std::string>() : voice.value("id", "");
  setup.transcription = audio["input"]["transcription"].is_object();
  const json modalities = session.value("output_modalities", json::array({"audio"}));
  setup.text_only = modalities == json::array({"text"});
  read_turn_detection(audio["input"]["turn_detection"], setup);
  return setup;
}

}  // namespace sonoria::fakes
