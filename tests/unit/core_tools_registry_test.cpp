#include <doctest/doctest.h>

#include "core/tools/registry.hpp"

#include <stdexcept>

using namespace sonoria::tools;
using nlohmann::json;

namespace {

// A stand-in for a tool with a real-world side effect: counts how often it really ran.
Registry counting_registry(int& runs) {
  Registry r;
  r.add({"send_note",
         "Send a note.",
         {{"type", "object"},
          {"properties", {{"text", {{"type", "string"}, {"maxLength", 20}}}, {"urgent", {{"type", "boolean"}}}}},
          {"required", {"text"}}}},
        [&runs](const json& args) {
          ++runs;
          return tool_success({{"sent", args["text"]}, {"run", runs}});
        });
  return r;
}

json registry_output(const ToolOutcome& o) { return json::parse(o.output_json); }

}  // namespace

TEST_CASE("the registry lists its tools in the engine's function-tool shape") {
  int runs = 0;
  Registry r = counting_registry(runs);
  json tools = r.session_tools();
  REQUIRE(tools.size() == 1);
  CHECK(tools[0]["type"] == "function");
  CHECK(tools[0]["name"] == "send_note");
  CHECK(tools[0]["description"] == "Send a note.");
  CHECK(tools[0]["parameters"]["required"] == json::array({"text"}));
  CHECK(r.contains("send_note"));
  CHECK(r.names() == std::vector<std::string>{"send_note"});
}

TEST_CASE("a valid call runs the handler and returns its output") {
  int runs = 0;
  Registry r = counting_registry(runs);
  auto o = r.run("send_note", R"({"text":"hello"})");
  CHECK(o.ok);
  CHECK(runs == 1);
  CHECK(registry_output(o)["sent"] == "hello");
  CHECK(registry_output(o)["ok"] == true);
  CHECK(std::holds_alternative<NoEffect>(o.effect));
}

TEST_CASE("an unknown tool gets an error output listing the available ones, not a throw") {
  int runs = 0;
  Registry r = counting_registry(runs);
  auto o = r.run("send_sms", "{}");
  CHECK_FALSE(o.ok);
  CHECK(registry_output(o)["ok"] == false);
  CHECK(registry_output(o)["error"] == "unknown tool \"send_sms\"; available tools: send_note");
  CHECK(Registry().run("x", "{}").output_json.find("no tools are available") != std::string::npos);
}

TEST_CASE("invalid JSON and schema violations come back as readable errors without running the tool") {
  int runs = 0;
  Registry r = counting_registry(runs);
  CHECK(registry_output(r.run("send_note", "{\"text\":")) ["error"] == "the arguments are not valid JSON; send a JSON object");
  CHECK(registry_output(r.run("send_note", "[1]"))["error"] == "the arguments must be a JSON object");
  CHECK(registry_output(r.run("send_note", ""))["error"] == "missing required argument \"text\"");
  CHECK(registry_output(r.run("send_note", R"({"text":7})"))["error"] == "argument \"text\" must be a string (got 7)");
  CHECK(runs == 0);
}

TEST_CASE("a repeated identical call answers with the earlier result and a note instead of running again") {
  int runs = 0;
  Registry r = counting_registry(runs);
  auto first = r.run("send_note", R"({"text":"hello","urgent":true})");
  // Same arguments, different key order and spacing: the same call.
  auto again = r.run("send_note", R"({ "urgent": true, "text": "hello" })");
  CHECK(runs == 1);
  CHECK(again.ok);
  CHECK(std::holds_alternative<NoEffect>(again.effect));
  json out = registry_output(again);
  CHECK(out["repeated"] == true);
  CHECK(out["run"] == 1);
  CHECK(out["note"].get<std::string>().find("confirm_repeat") != std::string::npos);

  SUBCASE("different arguments are a different call") {
    r.run("send_note", R"({"text":"other"})");
    CHECK(runs == 2);
  }
  SUBCASE("confirm_repeat true runs it again, and is not passed to the handler or the schema") {
    auto forced = r.run("send_note", R"({"text":"hello","urgent":true,"confirm_repeat":true})");
    CHECK(runs == 2);
    CHECK(registry_output(forced)["run"] == 2);
    CHECK_FALSE(registry_output(forced).contains("repeated"));
  }
  SUBCASE("forget_history starts a fresh call") {
    r.forget_history();
    r.run("send_note", R"({"text":"hello","urgent":true})");
    CHECK(runs == 2);
  }
}

TEST_CASE("a refused call is not remembered, so it can be retried as is") {
  int runs = 0;
  Registry r;
  r.add({"flaky", "", {{"type", "object"}}}, [&runs](const json&) {
    return ++runs == 1 ? tool_failure("busy, try again") : tool_success({{"done", true}});
  });
  CHECK_FALSE(r.run("flaky", "{}").ok);
  auto second = r.run("flaky", "{}");
  CHECK(second.ok);
  CHECK(runs == 2);
}

TEST_CASE("a throwing handler becomes an error output") {
  Registry r;
  r.add({"broken", "", {{"type", "object"}}}, [](const json&) -> ToolOutcome { throw std::runtime_error("disk full"); });
  auto o = r.run("broken", "{}");
  CHECK_FALSE(o.ok);
  CHECK(registry_output(o)["error"] == "the tool failed: disk full");
}

TEST_CASE("registering a bad tool is a programming error") {
  Registry r;
  auto ok = [](const json&) { return tool_success(json::object()); };
  CHECK_THROWS_AS(r.add({"bad name", "", {{"type", "object"}}}, ok), std::invalid_argument);
  CHECK_THROWS_AS(r.add({"t", "", {{"type", "string"}}}, ok), std::invalid_argument);
  CHECK_THROWS_AS(r.add({"t", "", {{"type", "object"}}}, ToolHandler{}), std::invalid_argument);
  r.add({"t", "", {{"type", "object"}}}, ok);
  CHECK_THROWS_AS(r.add({"t", "", {{"type", "object"}}}, ok), std::invalid_argument);
}

TEST_CASE("registries of different calls share one schema document per distinct schema, and still validate") {
  auto make = [](const char* type) {
    Registry r;
    r.add({"lookup", "Looks something up.",
           {{"type", "object"},
            {"properties", {{"what", {{"type", type}}}}},
            {"required", {"what"}},
            {"additionalProperties", false}}},
          [](const json&) { return tool_success({{"ok", true}}); });
    return r;
  };
  auto a = make("string");
  auto b = make("string");
  auto c = make("integer");
  CHECK(a.session_tools() == b.session_tools());
  CHECK(a.session_tools() != c.session_tools());
  CHECK(a.run("lookup", R"({"what":"hours"})").ok);
  CHECK_FALSE(c.run("lookup", R"({"what":"hours"})").ok);  // c's own schema wants an integer
  CHECK(c.run("lookup", R"({"what":3})").ok);
}
