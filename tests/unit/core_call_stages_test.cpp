#include "core/call/stages.hpp"

#include <doctest/doctest.h>

using namespace sonoria;
using namespace sonoria::call;

namespace {

std::vector<org::Stage> flow() {
  org::Stage identify;
  identify.name = "identify";
  identify.instructions = "Ask for the policy number.";
  identify.start = true;
  identify.voice = "cedar";
  identify.voices.deepgram = "aura-2-orion-en";
  identify.tools = std::vector<std::string>{"end_call"};
  identify.next = {"assist"};
  org::Stage assist;
  assist.name = "assist";
  assist.description = "The caller is verified.";
  assist.instructions = "Help with the claim.";
  assist.next = {"wrap_up"};
  org::Stage wrap_up;
  wrap_up.name = "wrap_up";
  wrap_up.instructions = "Summarise and say goodbye.";
  wrap_up.tools = std::vector<std::string>{};
  return {identify, assist, wrap_up};
}

engine::SessionConfig base() {
  engine::SessionConfig s;
  s.instructions = "You are Riley.";
  s.voice = "marin";
  s.tools = nlohmann::json::array({{{"type", "function"}, {"name", "end_call"}},
                                   {{"type", "function"}, {"name", "notify_owner"}}});
  return s;
}

std::vector<std::string> tool_names(const engine::SessionConfig& s) {
  std::vector<std::string> names;
  for (const auto& t : s.tools) names.push_back(t.at("name").get<std::string>());
  return names;
}

}  // namespace

TEST_CASE("transition tools are named after their stage, and only they lead to one") {
  CHECK(transition_tool("wrap_up") == "move_to_wrap_up");
  CHECK(transition_target("move_to_wrap_up") == "wrap_up");
  CHECK(transition_target("move_to_").empty());
  CHECK(transition_target("end_call").empty());
  CHECK(find_stage(flow(), "assist") == 1u);
  CHECK_FALSE(find_stage(flow(), "nowhere"));
}

TEST_CASE("a stage offers its own tools, all when it names none, and the moves to its next stages") {
  const auto stages = flow();
  const auto first = stage_session(base(), engine::Provider::openai, true, stages, 0, "");
  CHECK(tool_names(first) == std::vector<std::string>{"end_call", "move_to_assist"});
  const auto& move = first.tools[1];
  CHECK(move.at("parameters").at("required") == nlohmann::json::array({"handoff"}));
  CHECK(move.at("description").get<std::string>().find("The caller is verified.") != std::string::npos);
  CHECK(tool_names(stage_session(base(), engine::Provider::openai, true, stages, 1, "")) ==
        std::vector<std::string>{"end_call", "notify_owner", "move_to_wrap_up"});
  CHECK(stage_session(base(), engine::Provider::openai, true, stages, 2, "").tools.empty());
}

TEST_CASE("a stage's prompt keeps the organization's and adds its instructions and the handoff") {
  const auto s = stage_session(base(), engine::Provider::openai, true, flow(), 1, "Jane Doe, policy HB123456, verified");
  CHECK(s.instructions.starts_with("You are Riley."));
  CHECK(s.instructions.find("You are in the stage \"assist\"") != std::string::npos);
  CHECK(s.instructions.find("Help with the claim.") != std::string::npos);
  CHECK(s.instructions.find("passed on: Jane Doe, policy HB123456, verified") != std::string::npos);
  CHECK(s.instructions.find("- move_to_wrap_up") != std::string::npos);
  const auto last = stage_session(base(), engine::Provider::openai, true, flow(), 2, "");
  CHECK(last.instructions.find("This is the last stage") != std::string::npos);
  CHECK(last.instructions.find("Tools you may use in this stage: none") != std::string::npos);
}

TEST_CASE("a stage's voice: its engine's own, else its plain voice on the first engine, else the call's") {
  const auto stages = flow();
  CHECK(stage_session(base(), engine::Provider::openai, true, stages, 0, "").voice == "cedar");
  CHECK(stage_session(base(), engine::Provider::openai, false, stages, 0, "").voice == "marin");
  CHECK(stage_session(base(), engine::Provider::deepgram, false, stages, 0, "").voice == "aura-2-orion-en");
  CHECK(stage_session(base(), engine::Provider::openai, true, stages, 1, "").voice == "marin");
}

TEST_CASE("the handoff is read from the tool's arguments, whatever the model wrote") {
  CHECK(handoff_of(R"({"handoff":"Jane, verified"})") == "Jane, verified");
  CHECK(handoff_of(R"({"handoff":{"name":"Jane"}})") == R"({"name":"Jane"})");
  CHECK(handoff_of("{}").empty());
  CHECK(handoff_of("not json").empty());
  CHECK(handoff_of(R"(["handoff"])").empty());
}
