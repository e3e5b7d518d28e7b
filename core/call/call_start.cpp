#include "core/call/call_start.hpp"

#include <nlohmann/json.hpp>

#include "core/call/stages.hpp"
#include "core/org/phone_numbers.hpp"
#include "core/org/profile_validate.hpp"
#include "core/phone/phone_number.hpp"
#include "core/text_bytes.hpp"

namespace sonoria::call {
namespace {

using nlohmann::json;

std::string clip(std::string text) {
  text.resize(utf8_cut(text, k_max_start_text));
  return text;
}

void note(CallStart& out, const std::string& what) { out.problem += (out.problem.empty() ? "" : "; ") + what; }

}  // namespace

std::string call_start_body(std::string_view call_sid, std::string_view from, std::string_view to,
                            std::string_view direction, std::string_view organization) {
  return json{{"event", "call.started"},
              {"call_sid", call_sid},
              {"from", from},
              {"to", to},
              {"direction", direction},
              {"organization", organization}}
      .dump(-1, ' ', false, json::error_handler_t::replace);
}

CallStart read_call_start_answer(int status, std::string_view body, std::string_view error, const org::Profile& profile) {
  CallStart out;
  if (status == 0) {
    out.problem = "no answer: " + std::string(error);
    return out;
  }
  if (status < 200 || status > 299) {
    out.problem = "answered HTTP " + std::to_string(status);
    return out;
  }
  const json j = json::parse(body.begin(), body.end(), nullptr, /*allow_exceptions=*/false);
  if (body.find_first_not_of(" \t\r\n") == std::string_view::npos) return out;  // nothing to change
  if (!j.is_object()) {
    out.problem = "the answer is not a JSON object";
    return out;
  }
  if (auto g = j.find("greeting"); g != j.end()) {
    if (g->is_string()) out.greeting = clip(g->get<std::string>());
    else if (!g->is_null()) note(out, "greeting is not a string");
  }
  if (auto v = j.find("variables"); v != j.end() && !v->is_null()) {
    if (!v->is_object()) {
      note(out, "variables is not an object");
    } else {
      for (const auto& [key, value] : v->items()) {
        if (out.variables.size() == k_max_start_variables) {
          note(out, "more than " + std::to_string(k_max_start_variables) + " variables");
          break;
        }
        if (value.is_object() || value.is_array()) {
          note(out, "variable " + key + " is not a plain value");
          continue;
        }
        out.variables.emplace_back(clip(key), clip(value.is_string() ? value.get<std::string>() : value.dump()));
      }
    }
  }
  if (auto s = j.find("stage"); s != j.end() && !s->is_null()) {
    const std::string stage = s->is_string() ? s->get<std::string>() : std::string();
    if (!stage.empty() && find_stage(profile.stages, stage)) out.stage = stage;
    else note(out, "stage " + s->dump() + " is not a stage of this profile");
  }
  if (auto a = j.find("action"); a != j.end() && !a->is_null()) {
    const std::string action = a->is_string() ? a->get<std::string>() : std::string();
    if (action == "reject") {
      out.action = CallStart::Action::reject;
    } else if (action == "transfer") {
      const auto t = j.find("transfer_to");
      std::string to = t != j.end() && t->is_string() ? t->get<std::string>() : std::string();
      if (!to.empty()) {
        const phone::Parsed parsed = phone::parse(to, org::default_region(profile.organization));
        if (parsed.number) {
          to = parsed.number->e164;
        } else {
          note(out, "transfer_to " + parsed.error);
          to.clear();
        }
      }
      if (to.empty() && !profile.fallback_numbers.empty()) to = profile.fallback_numbers.front().number;
      if (to.empty()) note(out, "transfer asked for, but there is no number to transfer to");
      else {
        out.action = CallStart::Action::transfer;
        out.transfer_to = to;
      }
    } else if (action != "proceed" && action != "answer") {
      note(out, "action " + a->dump() + " is not one of proceed, transfer, reject");
    }
  }
  return out;
}

std::string caller_facts_prompt(const std::vector<std::pair<std::string, std::string>>& variables) {
  if (variables.empty()) return {};
  std::string out =
      "\n\n# About this caller (from the business's own system)\nUse these facts to personalise the call; do not "
      "read them out unless they help the caller.\n";
  for (const auto& [key, value] : variables) out += "- " + key + ": " + value + "\n";
  return out;
}

}  // namespace sonoria::call
