#pragma once
// What running a tool produces: the text handed back to the model, and the side effect the call
// must carry out (hang up, transfer, …). Effects are data; whoever owns the call performs them
// (the call bridge handles EndCall and TransferCall itself; the daemon performs effects that
// need a peer, such as the SendSms effect planned next). To add an effect: add a struct here and
// to ToolEffect; std::visit users then fail to compile until they handle it.

#include <nlohmann/json.hpp>

#include <string>
#include <string_view>
#include <variant>

namespace sonoria::tools {

struct NoEffect {
  bool operator==(const NoEffect&) const = default;
};

// Hang up once the assistant's goodbye has played.
struct EndCall {
  std::string reason;

  bool operator==(const EndCall&) const = default;
};

// Hand the caller to a person at `target_number` (E.164) once the assistant's sentence has played.
struct TransferCall {
  std::string target_number;
  std::string target_name;           // the fallback number's name, e.g. "front desk"
  std::string reason;

  bool operator==(const TransferCall&) const = default;
};

using ToolEffect = std::variant<NoEffect, EndCall, TransferCall>;

struct ToolOutcome {
  std::string output_json;           // given back to the model as the function_call_output
  ToolEffect effect;
  bool ok = true;                    // false: the call was refused (bad arguments, unavailable, …)
};

// {"ok":true, …fields} with the given effect.
inline ToolOutcome tool_success(nlohmann::json fields, ToolEffect effect = NoEffect{}) {
  if (!fields.is_object()) fields = nlohmann::json{{"result", std::move(fields)}};
  fields["ok"] = true;
  return {fields.dump(-1, ' ', false, nlohmann::json::error_handler_t::replace), std::move(effect), true};
}

// {"ok":false,"error":message}: the model reads the message and can correct itself or tell the caller.
inline ToolOutcome tool_failure(std::string_view message) {
  nlohmann::json j = {{"ok", false}, {"error", message}};
  return {j.dump(-1, ' ', false, nlohmann::json::error_handler_t::replace), NoEffect{}, false};
}

}  // namespace sonoria::tools
