#include "core/call/session_setup.hpp"

#include <algorithm>

#include "core/call/call_start.hpp"
#include "core/prompt/system_prompt.hpp"

namespace sonoria::call {
namespace {

const org::EngineOptions& options_of(const org::Assistant& a, engine::Provider provider) {
  switch (provider) {
    case engine::Provider::deepgram: return a.deepgram;
    case engine::Provider::ultravox: return a.ultravox;
    case engine::Provider::local: {
      static const org::EngineOptions none;  // a profile chooses nothing of it (yet): the daemon's settings do
      return none;
    }
    case engine::Provider::openai: break;
  }
  return a.openai;
}

// The business's own words, which speech recognition should know: its name, services, team.
std::vector<std::string> keyterms_of(const org::Profile& profile) {
  std::vector<std::string> terms;
  auto add = [&](const std::string& term) {
    if (!term.empty() && terms.size() < 50) terms.push_back(term);
  };
  add(profile.organization.name);
  for (const auto& s : profile.services) add(s.name);
  for (const auto& a : profile.add_ons) add(a.name);
  for (const auto& m : profile.team) add(m.name);
  return terms;
}

}  // namespace

std::vector<engine::Provider> engines_for(const org::Assistant& assistant, const config::Settings& settings,
                                          const std::string& local_problem) {
  std::vector<engine::Provider> engines;
  for (const auto& name : assistant.engine_order())
    if (auto provider = engine::parse_provider(name))
      if (std::find(engines.begin(), engines.end(), *provider) == engines.end()) engines.push_back(*provider);
  if (engines.empty()) engines.push_back(engine::Provider::openai);
  const bool has_local = std::find(engines.begin(), engines.end(), engine::Provider::local) != engines.end();
  if (settings.local.last_resort && !has_local && local_problem.empty()) engines.push_back(engine::Provider::local);
  // An engine without its key would fail every call over to the next one, with an error each time:
  // it is left out while another can serve (with none, the call fails as it would have).
  std::vector<engine::Provider> usable;
  for (auto provider : engines)
    if (engine::missing_settings(provider, settings).empty() && (provider != engine::Provider::local || local_problem.empty()))
      usable.push_back(provider);
  return usable.empty() ? engines : usable;
}

CallSetup setup_call(const org::Profile& profile, const config::Settings& settings, const CallCircumstances& call) {
  CallSetup setup;
  setup.engines = engines_for(profile.assistant, settings, call.local_problem);

  const auto& a = profile.assistant;
  auto& s = setup.session;
  prompt::PromptOptions options;
  options.outbound = call.outbound;
  options.tools = call.tool_names;
  try {
    s.instructions = prompt::build_system_prompt(profile, call.now, options);
  } catch (const std::exception& e) {
    setup.prompt_problem = e.what();
  }
  s.language = a.language;
  s.transcription_model = settings.engine.transcription_model;
  s.temperature = a.temperature;
  s.vad_threshold = a.vad.threshold;
  s.prefix_padding_ms = a.vad.prefix_padding_ms;
  s.silence_duration_ms = a.vad.silence_duration_ms;
  s.tools = call.session_tools;
  s.keyterms = keyterms_of(profile);

  auto& b = setup.bridge;
  // The profile's greeting is for callers ("Thank you for calling …"); on a call the assistant
  // placed, it introduces itself instead (prompt::greeting_instruction), also in words.
  b.greeting = call.outbound ? std::string() : a.greeting;
  b.greeting_instruction = prompt::greeting_instruction(profile, call.outbound);
  b.greeting_words = call.outbound ? "Hello, this is " + a.name + ", an AI assistant calling for " +
                                         profile.organization.name + ". Is now a good time?"
                                   : "Thanks for calling " + profile.organization.name + ". How can I help you today?";
  b.transfer_digit = a.transfer_digit.empty() ? settings.calls.transfer_digit
                     : a.transfer_digit == "off" ? std::string()
                                                 : a.transfer_digit;
  if (!profile.fallback_numbers.empty()) b.transfer_number = profile.fallback_numbers.front().number;
  s.instructions += caller_facts_prompt(call.caller_facts);
  if (!call.greeting.empty()) b.greeting = call.greeting;
  if (call.comeback_dial_status) {
    s.instructions += prompt::after_unanswered_transfer(profile, *call.comeback_dial_status, call.earlier_turns);
    b.greeting.clear();
    b.greeting_instruction = prompt::after_unanswered_transfer_greeting(profile);
    b.greeting_words = "I'm sorry, nobody was able to take your call just now. May I take a message?";
    b.transfer_digit.clear();
    b.transfer_number.clear();
  }
  // A recorded call says so before anything else; a caller back from an unanswered transfer has
  // heard it already.
  if (a.record_calls && !call.comeback_dial_status) {
    const std::string notice = a.recording_notice.empty() ? org::k_default_recording_notice : a.recording_notice;
    if (!b.greeting.empty()) {
      b.greeting = notice + " " + b.greeting;
    } else {
      b.greeting_instruction = "First say exactly: \"" + notice + "\" Then " +
                               (b.greeting_instruction.empty() ? std::string("greet the caller warmly.") : b.greeting_instruction);
      b.greeting_words = notice + " " + b.greeting_words;
    }
  }
  b.max_duration = settings.calls.max_duration;
  b.silence_timeout = settings.calls.silence_timeout;
  b.max_tool_calls = settings.calls.max_tool_calls;
  b.max_tool_calls_per_reply = settings.calls.max_tool_calls_per_reply;
  b.engine_ready_timeout = settings.engine.connect_timeout + std::chrono::seconds(5);
  b.session_max = settings.engine.max_session;

  setup.session = session_for(setup.engines.front(), setup, profile, settings);
  return setup;
}

engine::SessionConfig session_for(engine::Provider provider, const CallSetup& setup, const org::Profile& profile,
                                  const config::Settings& settings) {
  return session_for(provider, setup.session, setup.engines, profile, settings);
}

engine::SessionConfig session_for(engine::Provider provider, const engine::SessionConfig& first_session,
                                  const std::vector<engine::Provider>& engines, const org::Profile& profile,
                                  const config::Settings& settings) {
  engine::SessionConfig s = first_session;
  const auto& a = profile.assistant;
  const auto& own = options_of(a, provider);
  const bool first = !engines.empty() && provider == engines.front();
  auto pick = [&](const std::string& specific, const std::string& assistant_wide, const std::string& fallback) {
    if (!specific.empty()) return specific;
    if (first && !assistant_wide.empty()) return assistant_wide;
    return fallback;
  };
  switch (provider) {
    case engine::Provider::openai:
      s.voice = pick(own.voice, a.voice, "marin");
      s.model = pick(own.model, a.model, settings.engine.model);
      break;
    case engine::Provider::deepgram:
      s.voice = pick(own.voice, a.voice, settings.deepgram.voice);
      s.model = pick(own.model, a.model, settings.deepgram.think_model);
      s.listen_model = own.listen_model.empty() ? settings.deepgram.listen_model : own.listen_model;
      s.think_provider = settings.deepgram.think_provider;
      break;
    case engine::Provider::ultravox:
      s.voice = pick(own.voice, a.voice, settings.ultravox.voice);
      s.model = pick(own.model, a.model, settings.ultravox.model);
      break;
    case engine::Provider::local:
      // The assistant's voice names a cloud engine's voice ("marin"), not espeak-ng's.
      s.voice = settings.local.voice;
      s.model.clear();
      s.words_per_minute = settings.local.words_per_minute;
      break;
  }
  return s;
}

}  // namespace sonoria::call
