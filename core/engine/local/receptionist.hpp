#pragma once
// The local engine's receptionist: what the assistant says to one caller utterance, and which
// tool it calls, decided by rules over the business's profile (no language model). The words
// come from a speech recogniser: lowercase, numbers as words ("twenty fourth"), no punctuation,
// and often a word wrong, so questions are recognised by keywords and word overlap rather than
// exact phrases.
//
// What it answers: opening hours (now, today, tomorrow, a weekday, a date, a holiday; closures
// override the weekly hours), the address and locations, services with prices and durations,
// add-ons, booking policies, the team, the profile's FAQs. It texts the booking link
// (send_booking_link), takes a message over several turns (name, message, read back, yes/no,
// then notify_owner), transfers to a person (transfer_call), searches the knowledge base for
// anything else (query_knowledge) and hangs up after a goodbye (end_call). It only ever requests
// a tool named in `tools`; without one it says what it cannot do and offers what it can.
//
// Plain state, no I/O and no clock: `now` is passed in. One object per call; not thread-safe (a
// call's strand owns it).

#include <chrono>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include <nlohmann/json.hpp>

#include "core/org/profile.hpp"

namespace sonoria::engine::local {

struct ToolRequest {
  std::string name;
  nlohmann::json arguments;

  bool operator==(const ToolRequest&) const = default;
};

// What the assistant does next: say `say` (may be ""), then call `tool` (if any). A reply with a
// tool continues after the tool's result (Receptionist::tool_result gives the words that follow).
struct Reply {
  std::string say;
  std::optional<ToolRequest> tool;

  bool operator==(const Reply&) const = default;
};

// What the recogniser should listen for next (it switches language model): general questions, a
// person's name, free text (a message for the owner), or yes/no. Offers the caller may answer
// with a new question ("anything else?", "shall I take a message?") expect a question: that
// model holds yes and no too.
enum class Expecting { question, name, free_text, yes_no };

class Receptionist {
 public:
  // `tools`: the names of the tools the call offers now (only these may be requested). The
  // profile is copied.
  Receptionist(const org::Profile& profile, std::vector<std::string> tools);

  // The profile's greeting, or "Thank you for calling <business>, this is <assistant>. How can I
  // help you today?" (the recording notice is not part of it).
  std::string greeting() const;

  // The reply to one utterance. Empty or filler-only words ask the caller to repeat.
  Reply hear(std::string_view caller_words, std::chrono::sys_seconds now);

  // The words after a tool requested by the last reply has run; `output_json` is the tool's
  // output ({"ok":true,…} or {"ok":false,"error":…}); text that is not JSON counts as a failure.
  Reply tool_result(std::string_view tool_name, std::string_view output_json);

  Expecting expecting() const;

  // A stage change: the tools offered from now on.
  void set_tools(std::vector<std::string> tools);

 private:
  // Where a message for the owner stands.
  enum class Step { idle, message_name, message_text, message_confirm };
  // What the last reply offered, so that "yes" and "no" mean something.
  enum class Offer { none, anything_else, message, transfer, message_or_transfer };

  bool offers(std::string_view tool) const;
  Reply respond(std::string_view caller_words, std::chrono::sys_seconds now);
  Reply answer(const std::vector<std::string>& words, std::chrono::sys_seconds now);
  Reply continue_message(const std::vector<std::string>& words);
  Reply answer_aside(const std::vector<std::string>& words);
  Reply answer_offer(const std::vector<std::string>& words);
  Reply start_message(std::string topic, std::string text);
  Reply ask_for_message();
  Reply confirm_message();
  Reply transfer(const std::vector<std::string>& words, std::string reason);
  Reply booking(const std::vector<std::string>& words);
  Reply unknown(const std::vector<std::string>& words);
  Reply goodbye();
  Reply cannot_help(std::string apology);
  Reply after_message_sent(bool ok);
  Reply after_knowledge(std::string_view output_json);

  org::Profile profile_;
  std::vector<std::string> tools_;
  Step step_ = Step::idle;
  bool name_asked_again_ = false;    // the name step asked twice: the next answer is the last try
  Offer offer_ = Offer::none;
  std::string caller_name_;
  std::string message_;
  std::string message_topic_;        // "Booking request for Hot yoga": put before the caller's words
  std::string last_question_;        // what query_knowledge was asked, to pick the passage to read
  std::string last_item_;            // the service or add-on last talked about ("how much is it?")
  std::chrono::sys_seconds aside_now_{};  // `now` of the utterance being answered
};

}  // namespace sonoria::engine::local
