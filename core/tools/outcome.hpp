#pragma once
// What running a tool produces: the text handed back to the model, and the side effect the call
// must carry out (hang up, transfer, …). Effects are data; whoever owns the call performs them
// (the call bridge handles EndCall and TransferCall itself; the daemon performs effects that
// need a peer, such as SendSms). To add an effect: add a struct here and
// to ToolEffect; std::visit users then fail to compile until they handle it.

#include <nlohmann/json.hpp>

#include "core/booking/appointment_book.hpp"

#include <string>
#include <string_view>
#include <utility>
#include <variant>
#include <vector>

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

// Send a text message. The daemon sends it through the Twilio REST client and gives the model
// the real outcome (finish_sms_outcome in messaging.hpp) instead of the handler's provisional one.
struct SendSms {
  std::string to;                    // E.164
  std::string body;
  std::string purpose;               // booking_link, reschedule_link, cancellation_link, notify_owner
  std::string recipient;             // who it is for, in words the model can repeat ("you", "the owner")

  bool operator==(const SendSms&) const = default;
};

// Search the organization's knowledge base. The daemon runs the search off the event loop and
// gives the model what was found (finish_knowledge_outcome in knowledge.hpp).
struct SearchKnowledge {
  std::string question;
  int limit = 3;

  bool operator==(const SearchKnowledge&) const = default;
};

// Call one of the business's own HTTP tools (http_tools.hpp). Header values may still hold
// ${NAME} references: the daemon reads them from its environment when it sends the request, so
// that secrets never sit in a record.
struct CallHttp {
  std::string tool;
  std::string method;
  std::string url;
  std::vector<std::pair<std::string, std::string>> headers;
  std::string body;                  // JSON for POST, PUT and PATCH; "" otherwise
  int timeout_ms = 5000;
  int retries = 0;
  std::string filler;

  bool operator==(const CallHttp&) const = default;
};

// Use the appointment book (booking_tools.hpp): the daemon reads or changes it off the event loop
// (changes through the database writer), texts the caller about a change, and gives the model the
// result (finish_booking_outcome).
struct UseBook {
  enum class Action { check, book, find, reschedule, cancel };
  Action action = Action::check;
  booking::SlotQuery query;          // check: first_day unset (!ok()) = from today
  int days = 1;                      // check: how many days from first_day
  booking::BookRequest request;      // book; reschedule: start, team_member, location
  std::string reference;             // reschedule, cancel

  bool operator==(const UseBook&) const = default;
};

using ToolEffect = std::variant<NoEffect, EndCall, TransferCall, SendSms, SearchKnowledge, CallHttp, UseBook>;

struct ToolOutcome {
  std::string output_json;           // given back to the model as the function_call_output
  ToolEffect effect;
  bool ok = true;                    // false: the call was refused (bad arguments, unavailable, …)
  // A line for the call's transcript saying what the tool did ("Sent the booking link by SMS to
  // +1…"); empty = none. Recorded by the call bridge as a system turn.
  std::string transcript_note{};
  // Set by Registry::run for a first run: identifies it for Registry::settle.
  std::string repeat_key{};
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
