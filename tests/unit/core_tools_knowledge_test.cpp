#include <doctest/doctest.h>

#include <algorithm>

#include "core/org/tool_names.hpp"
#include "core/tools/call_control.hpp"
#include "core/tools/booking_tools.hpp"
#include "core/tools/knowledge.hpp"
#include "core/tools/messaging.hpp"

using namespace sonoria;
using namespace sonoria::tools;
using nlohmann::json;

TEST_CASE("query_knowledge asks the daemon to search, with the caller's question") {
  Registry r;
  add_knowledge_tool(r);
  auto outcome = r.run("query_knowledge", R"({"question":"Do you take Medicaid?"})");
  CHECK(outcome.ok);
  REQUIRE(std::holds_alternative<SearchKnowledge>(outcome.effect));
  CHECK(std::get<SearchKnowledge>(outcome.effect) == SearchKnowledge{"Do you take Medicaid?", 3});
  CHECK_FALSE(r.run("query_knowledge", "{}").ok);  // the question is required
  CHECK_FALSE(r.run("query_knowledge", R"({"question":""})").ok);
}

TEST_CASE("what was found goes back with its source and section, cut to a readable size") {
  const ToolOutcome provisional = tool_success(json{{"searching", "x"}}, SearchKnowledge{"medicaid", 3});
  std::vector<db::KbHit> hits = {
      {"policies.md", "Office policies", "Insurance", "We do not accept Medicaid. " + std::string(2000, 'x'), 2.2},
      {"faq", "Frequently asked questions", "Do you take my insurance?", "Most PPO plans.", 1.8}};
  const auto out = finish_knowledge_outcome(provisional, {"Do you take Medicaid?", 3}, hits);
  CHECK(out.ok);
  CHECK(std::holds_alternative<NoEffect>(out.effect));
  const json j = json::parse(out.output_json);
  REQUIRE(j["passages"].size() == 2);
  CHECK(j["passages"][0]["source"] == "Office policies");
  CHECK(j["passages"][0]["section"] == "Insurance");
  CHECK(j["passages"][0]["text"].get<std::string>().size() <= k_knowledge_passage_bytes + 4);
  CHECK(j["passages"][1]["source"] == "FAQ");
  CHECK(out.transcript_note == "Searched the knowledge base for \"Do you take Medicaid?\": 2 passages (policies.md, faq)");
}

TEST_CASE("nothing found, or a search that failed, tells the model what to say") {
  const ToolOutcome provisional = tool_success(json{{"searching", "x"}}, SearchKnowledge{"q", 3});
  const auto none = finish_knowledge_outcome(provisional, {"Do you do piercings?", 3}, {});
  CHECK(none.ok);
  CHECK(json::parse(none.output_json)["note"].get<std::string>().find("do not know") != std::string::npos);
  const auto failed = finish_knowledge_outcome(provisional, {"q", 3}, {}, "database is locked");
  CHECK_FALSE(failed.ok);
  CHECK(json::parse(failed.output_json)["error"].get<std::string>().find("database is locked") != std::string::npos);
}

TEST_CASE("every built-in tool is on the list a profile's stages are checked against") {
  Registry r;
  org::Profile p;
  p.organization.booking_url = "https://x.example/b";
  p.organization.portal_url = "https://x.example/p";
  p.organization.owner.phone = "+15559990000";
  add_call_control_tools(r, {{"front desk", "+15550001001"}});
  add_messaging_tools(r, p, {"+15551112222", "+15550001000"});
  add_knowledge_tool(r);
  // The appointment book's (a profile keeps either links or a book; both sets are on the list).
  org::Profile book = p;
  book.booking.mode = "built_in";
  book.services = {{"Massage", 60, 0, "USD", ""}};
  add_booking_tools(r, book, {"+15551112222", "+15550001000"});
  for (const auto& name : r.names())
    CHECK_MESSAGE(std::find(org::k_builtin_tools.begin(), org::k_builtin_tools.end(), name) != org::k_builtin_tools.end(),
                  name << " is missing from org::k_builtin_tools");
  CHECK(r.names().size() == org::k_builtin_tools.size());
}
