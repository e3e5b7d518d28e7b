#include <doctest/doctest.h>

#include "core/call/session_setup.hpp"
#include "core/prompt/system_prompt.hpp"

using namespace sonoria;
using namespace sonoria::call;
using namespace std::chrono_literals;
using engine::Provider;

namespace {

org::Profile lotus() {
  org::Profile p;
  p.organization.slug = "lotus-yoga";
  p.organization.name = "Lotus Yoga Studio";
  p.organization.timezone = "America/New_York";
  p.organization.phone_numbers = {"+15550001000"};
  p.assistant.name = "Ava";
  p.assistant.greeting = "Thank you for calling Lotus Yoga Studio, this is Ava. How can I help you today?";
  p.assistant.language = "de";
  p.assistant.temperature = 0.7;
  p.assistant.vad = {0.6, 250, 700};
  p.services = {{"Vinyasa Flow", 60, 2500, "USD", ""}, {"Yin Yoga", 75, 2800, "USD", ""}};
  p.add_ons = {{"Mat rental", 300, ""}};
  p.team = {{"Maya Chen", "Owner", "", {}, {}, ""}};
  p.fallback_numbers = {{"front desk", "+15550001001"}, {"owner", "+15550001099"}};
  return p;
}

// Every cloud engine has its key, and no local engine is added: the call's engines are the profile's.
config::Settings keyed() {
  config::Settings s;
  s.engine.api_key = "sk";
  s.deepgram.api_key = "dg";
  s.ultravox.api_key = "uv";
  s.local.last_resort = false;
  return s;
}

CallCircumstances inbound() {
  CallCircumstances c;
  c.now = std::chrono::sys_days{std::chrono::year{2026} / 3 / 2} + 15h;  // a Monday, 10:00 in New York
  c.tool_names = {"transfer_call", "end_call"};
  c.session_tools = nlohmann::json::array({{{"type", "function"}, {"name", "end_call"}}});
  return c;
}

prompt::PromptOptions options(bool outbound) {
  prompt::PromptOptions o;
  o.outbound = outbound;
  o.tools = {"transfer_call", "end_call"};
  return o;
}

std::vector<Provider> engines_of(std::vector<std::string> names) {
  auto profile = lotus();
  profile.assistant.engines = std::move(names);
  return setup_call(profile, keyed(), inbound()).engines;
}

}  // namespace

TEST_CASE("engines_for: the local engine is every assistant's last resort, and engines without a key are left out") {
  org::Assistant a;
  a.engines = {"deepgram", "openai"};
  auto s = keyed();
  s.local.last_resort = true;
  CHECK(engines_for(a, s) == std::vector<Provider>{Provider::deepgram, Provider::openai, Provider::local});
  SUBCASE("an assistant that names it keeps its place") {
    a.engines = {"local", "openai"};
    CHECK(engines_for(a, s) == std::vector<Provider>{Provider::local, Provider::openai});
  }
  SUBCASE("not when its model files are missing") {
    CHECK(engines_for(a, s, "the acoustic model is missing") == std::vector<Provider>{Provider::deepgram, Provider::openai});
  }
  SUBCASE("a cloud engine without its key is left out while another can serve") {
    s.deepgram.api_key.clear();
    CHECK(engines_for(a, s) == std::vector<Provider>{Provider::openai, Provider::local});
    s.engine.api_key.clear();
    CHECK(engines_for(a, s) == std::vector<Provider>{Provider::local});
  }
  SUBCASE("with nothing that can serve, the list stays as it was: the call fails as before") {
    s.local.last_resort = false;
    s.deepgram.api_key.clear();
    s.engine.api_key.clear();
    CHECK(engines_for(a, s) == std::vector<Provider>{Provider::deepgram, Provider::openai});
  }
  SUBCASE("an engine named twice serves once") {
    a.engines = {"openai", "openai"};
    CHECK(engines_for(a, s) == std::vector<Provider>{Provider::openai, Provider::local});
  }
}

TEST_CASE("the local engine's session: espeak-ng's voice and rate from the settings, not a cloud voice") {
  auto profile = lotus();
  profile.assistant.engines = {"local"};
  profile.assistant.voice = "cedar";
  auto s = keyed();
  s.local.voice = "en-gb";
  s.local.words_per_minute = 150;
  auto setup = setup_call(profile, s, inbound());
  CHECK(setup.session.voice == "en-gb");
  CHECK(setup.session.words_per_minute == 150);
}

TEST_CASE("the engines serve the call in the assistant's order") {
  CHECK(engines_of({}) == std::vector<Provider>{Provider::openai});
  CHECK(engines_of({"deepgram", "openai"}) == std::vector<Provider>{Provider::deepgram, Provider::openai});
  CHECK(engines_of({"ultravox", "deepgram", "openai"}) ==
        std::vector<Provider>{Provider::ultravox, Provider::deepgram, Provider::openai});
  SUBCASE("names no engine has are skipped, and there is always one") {
    CHECK(engines_of({"bogus", "deepgram"}) == std::vector<Provider>{Provider::deepgram});
    CHECK(engines_of({"bogus"}) == std::vector<Provider>{Provider::openai});
  }
}

TEST_CASE("the session carries the prompt, the assistant's language and turn detection, the tools and the business's words") {
  config::Settings settings = keyed();
  settings.engine.transcription_model = "whisper-1";
  auto setup = setup_call(lotus(), settings, inbound());
  const auto& s = setup.session;
  CHECK(setup.prompt_problem.empty());
  CHECK(s.instructions == prompt::build_system_prompt(lotus(), inbound().now, options(false)));
  CHECK(s.instructions.find("Lotus Yoga Studio") != std::string::npos);
  CHECK(s.language == "de");
  CHECK(s.transcription_model == "whisper-1");
  CHECK(s.temperature == 0.7);
  CHECK(s.vad_threshold == 0.6);
  CHECK(s.prefix_padding_ms == 250);
  CHECK(s.silence_duration_ms == 700);
  CHECK(s.tools == inbound().session_tools);
  CHECK(s.keyterms ==
        std::vector<std::string>{"Lotus Yoga Studio", "Vinyasa Flow", "Yin Yoga", "Mat rental", "Maya Chen"});
  SUBCASE("at most fifty words to recognise") {
    auto profile = lotus();
    profile.services.assign(80, org::Service{"Private lesson", 60, 9000, "USD", ""});
    CHECK(setup_call(profile, settings, inbound()).session.keyterms.size() == 50);
  }
}

TEST_CASE("each engine gets its own voice and model: its own options, else the assistant's on the first, else the defaults") {
  config::Settings settings = keyed();
  settings.engine.model = "gpt-realtime";
  settings.deepgram.voice = "aura-2-thalia-en";
  settings.deepgram.think_model = "gpt-4o-mini";
  settings.deepgram.listen_model = "nova-3";
  settings.deepgram.think_provider = "open_ai";
  settings.ultravox.voice = "Mark";
  settings.ultravox.model = "fixie-ai/ultravox";
  auto profile = lotus();
  profile.assistant.engines = {"openai", "deepgram", "ultravox"};
  profile.assistant.voice = "cedar";
  profile.assistant.model = "gpt-realtime-mini";

  SUBCASE("the assistant's voice and model are the first engine's") {
    auto setup = setup_call(profile, settings, inbound());
    CHECK(setup.session.voice == "cedar");
    CHECK(setup.session.model == "gpt-realtime-mini");
    auto deepgram = session_for(Provider::deepgram, setup, profile, settings);
    CHECK(deepgram.voice == "aura-2-thalia-en");
    CHECK(deepgram.model == "gpt-4o-mini");
    CHECK(deepgram.listen_model == "nova-3");
    CHECK(deepgram.think_provider == "open_ai");
    CHECK(deepgram.instructions == setup.session.instructions);  // the same prompt and tools
    CHECK(deepgram.tools == setup.session.tools);
    auto ultravox = session_for(Provider::ultravox, setup, profile, settings);
    CHECK(ultravox.voice == "Mark");
    CHECK(ultravox.model == "fixie-ai/ultravox");
  }
  SUBCASE("an engine's own options win, on any engine") {
    profile.assistant.openai = {"marin", "gpt-realtime", ""};
    profile.assistant.deepgram = {"aura-2-orion-en", "gpt-4.1-mini", "nova-2"};
    profile.assistant.ultravox = {"Jessica", "", ""};
    auto setup = setup_call(profile, settings, inbound());
    CHECK(setup.session.voice == "marin");
    CHECK(setup.session.model == "gpt-realtime");
    auto deepgram = session_for(Provider::deepgram, setup, profile, settings);
    CHECK(deepgram.voice == "aura-2-orion-en");
    CHECK(deepgram.model == "gpt-4.1-mini");
    CHECK(deepgram.listen_model == "nova-2");
    auto ultravox = session_for(Provider::ultravox, setup, profile, settings);
    CHECK(ultravox.voice == "Jessica");
    CHECK(ultravox.model == "fixie-ai/ultravox");
  }
  SUBCASE("with another engine first, OpenAI falls back to its defaults") {
    profile.assistant.engines = {"deepgram", "openai"};
    profile.assistant.voice = "aura-2-orion-en";
    profile.assistant.model = "gpt-4.1-mini";
    auto setup = setup_call(profile, settings, inbound());
    CHECK(setup.engines.front() == Provider::deepgram);
    CHECK(setup.session.voice == "aura-2-orion-en");
    CHECK(setup.session.model == "gpt-4.1-mini");
    auto openai = session_for(Provider::openai, setup, profile, settings);
    CHECK(openai.voice == "marin");
    CHECK(openai.model == "gpt-realtime");
  }
  SUBCASE("nothing chosen: the daemon's defaults") {
    profile.assistant.voice = "";
    profile.assistant.model = "";
    auto setup = setup_call(profile, settings, inbound());
    CHECK(setup.session.voice == "marin");
    CHECK(setup.session.model == "gpt-realtime");
  }
}

TEST_CASE("the bridge gets the greeting, the transfer digit and number, and the daemon's time limits") {
  config::Settings settings = keyed();
  settings.calls.max_duration = 12min;
  settings.calls.silence_timeout = 45s;
  settings.engine.connect_timeout = 4s;
  auto profile = lotus();
  auto b = setup_call(profile, settings, inbound()).bridge;
  CHECK(b.greeting == profile.assistant.greeting);
  CHECK(b.greeting_instruction == prompt::greeting_instruction(profile, false));
  CHECK(b.greeting_words == "Thanks for calling Lotus Yoga Studio. How can I help you today?");
  CHECK(b.transfer_digit == "0");
  CHECK(b.transfer_number == "+15550001001");
  CHECK(b.max_duration == 12min);
  CHECK(b.silence_timeout == 45s);
  CHECK(b.engine_ready_timeout == 9s);

  SUBCASE("the transfer digit: the assistant's, off, or the daemon's") {
    profile.assistant.transfer_digit = "9";
    CHECK(setup_call(profile, settings, inbound()).bridge.transfer_digit == "9");
    profile.assistant.transfer_digit = "off";
    CHECK(setup_call(profile, settings, inbound()).bridge.transfer_digit.empty());
    profile.assistant.transfer_digit = "";
    settings.calls.transfer_digit = "*";
    CHECK(setup_call(profile, settings, inbound()).bridge.transfer_digit == "*");
  }
  SUBCASE("no fallback numbers: no transfer") {
    profile.fallback_numbers.clear();
    CHECK(setup_call(profile, settings, inbound()).bridge.transfer_number.empty());
  }
}

TEST_CASE("an outbound call introduces the assistant, and not with the greeting for callers") {
  auto profile = lotus();
  auto call = inbound();
  call.outbound = true;
  auto setup = setup_call(profile, keyed(), call);
  CHECK(setup.bridge.greeting.empty());  // "Thank you for calling …" would be wrong to the person called
  CHECK(setup.bridge.greeting_instruction == prompt::greeting_instruction(profile, true));
  CHECK(setup.bridge.greeting_words.find("Ava") != std::string::npos);
  CHECK(setup.bridge.greeting_words.find("AI assistant") != std::string::npos);  // as the instruction says
  CHECK(setup.bridge.greeting_words.find("Lotus Yoga Studio") != std::string::npos);
  CHECK(setup.session.instructions ==
        prompt::build_system_prompt(profile, call.now, options(true)));
}

TEST_CASE("a recorded call says so before anything else, in the assistant's words or the default") {
  auto profile = lotus();
  profile.assistant.record_calls = true;
  auto b = setup_call(profile, keyed(), inbound()).bridge;
  CHECK(b.greeting == "This call is recorded. " + profile.assistant.greeting);
  profile.assistant.recording_notice = "Calls are recorded for training.";
  CHECK(setup_call(profile, keyed(), inbound()).bridge.greeting.rfind("Calls are recorded for training. Thank", 0) == 0);

  SUBCASE("no greeting of its own (and outbound): the instruction and the words start with the notice") {
    auto call = inbound();
    call.outbound = true;
    b = setup_call(profile, keyed(), call).bridge;
    CHECK(b.greeting.empty());
    CHECK(b.greeting_instruction.rfind("First say exactly: \"Calls are recorded for training.\" Then ", 0) == 0);
    CHECK(b.greeting_words.rfind("Calls are recorded for training. Hello, this is Ava", 0) == 0);
  }
  SUBCASE("not recorded: no notice") {
    profile.assistant.record_calls = false;
    CHECK(setup_call(profile, keyed(), inbound()).bridge.greeting == profile.assistant.greeting);
  }
  SUBCASE("back from an unanswered transfer: heard already") {
    auto call = inbound();
    call.comeback_dial_status = "no-answer";
    CHECK(setup_call(profile, keyed(), call).bridge.greeting_words.find("recorded") == std::string::npos);
  }
}

TEST_CASE("a caller back from an unanswered transfer is greeted with an apology, and cannot be transferred again") {
  auto profile = lotus();
  auto call = inbound();
  call.comeback_dial_status = "no-answer";
  call.earlier_turns = {{"caller", "Can I speak to Maya?"}, {"assistant", "Let me connect you."}};
  auto setup = setup_call(profile, keyed(), call);
  auto first = prompt::build_system_prompt(profile, call.now, options(false));
  CHECK(setup.session.instructions ==
        first + prompt::after_unanswered_transfer(profile, "no-answer", call.earlier_turns));
  CHECK(setup.session.instructions.find("Can I speak to Maya?") != std::string::npos);
  CHECK(setup.bridge.greeting.empty());
  CHECK(setup.bridge.greeting_instruction == prompt::after_unanswered_transfer_greeting(profile));
  CHECK(setup.bridge.greeting_words.find("take a message") != std::string::npos);
  CHECK(setup.bridge.transfer_digit.empty());
  CHECK(setup.bridge.transfer_number.empty());
  SUBCASE("also on another engine") {
    profile.assistant.engines = {"openai", "deepgram"};
    auto deepgram = session_for(Provider::deepgram, setup, profile, keyed());
    CHECK(deepgram.instructions == setup.session.instructions);
  }
}

TEST_CASE("a prompt that cannot be built is reported, and the rest of the setup still stands") {
  auto profile = lotus();
  profile.organization.timezone = "Mars/Olympus_Mons";
  auto setup = setup_call(profile, keyed(), inbound());
  CHECK(setup.prompt_problem.find("Mars/Olympus_Mons") != std::string::npos);
  CHECK(setup.session.instructions.empty());
  CHECK(setup.engines == std::vector<Provider>{Provider::openai});
  CHECK(setup.bridge.greeting == profile.assistant.greeting);
  CHECK(setup.bridge.transfer_number == "+15550001001");
}
