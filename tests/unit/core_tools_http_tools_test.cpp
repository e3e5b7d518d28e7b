#include <doctest/doctest.h>

#include "core/tools/http_tools.hpp"

using namespace sonoria;
using namespace sonoria::tools;
using nlohmann::json;

namespace {

org::HttpTool claim_tool(std::string method) {
  org::HttpTool t;
  t.name = "lookup_claim";
  t.description = "Claims.";
  t.method = std::move(method);
  t.url = "https://crm.example/claims/{{claim_number}}";
  t.parameters = R"({"type":"object","properties":{"claim_number":{"type":"string"},"detail":{"type":"boolean"}},"required":["claim_number"]})";
  t.headers = {{"Authorization", "Bearer ${CRM_TOKEN}"}};
  t.timeout_ms = 4000;
  t.retries = 1;
  t.filler = "One moment.";
  return t;
}

}  // namespace

TEST_CASE("GET: placeholders percent-encoded into the path, the other arguments as the query") {
  auto call = std::get<CallHttp>(render_http_call(claim_tool("GET"), json{{"claim_number", "CL 12/3"}, {"detail", true}}));
  CHECK(call.url == "https://crm.example/claims/CL%2012%2F3?detail=true");
  CHECK(call.body.empty());
  CHECK(call.headers == std::vector<std::pair<std::string, std::string>>{{"Authorization", "Bearer ${CRM_TOKEN}"}});
  CHECK(call.timeout_ms == 4000);
  CHECK(call.retries == 1);
  CHECK(call.filler == "One moment.");
}

TEST_CASE("POST: the other arguments as a JSON body") {
  auto call = std::get<CallHttp>(render_http_call(claim_tool("POST"), json{{"claim_number", "CL-1"}, {"detail", false}}));
  CHECK(call.url == "https://crm.example/claims/CL-1");
  CHECK(json::parse(call.body) == json{{"detail", false}});
  CHECK(call.headers.back() == std::pair<std::string, std::string>{"Content-Type", "application/json"});
}

TEST_CASE("through the registry: arguments are checked against the schema before anything is rendered") {
  org::Profile p;
  p.http_tools = {claim_tool("GET")};
  Registry r;
  add_http_tools(r, p);
  CHECK(r.contains("lookup_claim"));
  auto refused = r.run("lookup_claim", R"({"detail":"yes"})");
  CHECK_FALSE(refused.ok);
  CHECK(std::holds_alternative<NoEffect>(refused.effect));
  auto ok = r.run("lookup_claim", R"({"claim_number":"CL-1"})");
  REQUIRE(std::holds_alternative<CallHttp>(ok.effect));
  // A stored tool whose schema cannot be checked is left out, and said to be.
  p.http_tools[0].parameters = "{not json";
  Registry r2;
  std::vector<std::string> skipped;
  add_http_tools(r2, p, &skipped);
  CHECK_FALSE(r2.contains("lookup_claim"));
  CHECK(skipped == std::vector<std::string>{"lookup_claim"});
}

TEST_CASE("header secrets come from the environment at send time; a missing one is named") {
  auto lookup = [](const std::string& name) -> const char* { return name == "CRM_TOKEN" ? "tok-1" : nullptr; };
  auto ok = resolve_headers({{"Authorization", "Bearer ${CRM_TOKEN}"}, {"X-Team", "desk"}}, lookup);
  CHECK(ok.missing.empty());
  CHECK(ok.headers == std::vector<std::pair<std::string, std::string>>{{"Authorization", "Bearer tok-1"}, {"X-Team", "desk"}});
  CHECK(resolve_headers({{"X-Key", "${OTHER}"}}, lookup).missing == "OTHER");
}

TEST_CASE("answers for the model: JSON results, text cut to size, errors the assistant can explain") {
  const ToolOutcome provisional = tool_success(json{{"calling", "x"}});
  CallHttp call;
  call.tool = "lookup_claim";
  auto ok = finish_http_outcome(provisional, call, {200, "application/json; charset=utf-8", R"({"status":"approved"})", "", 1});
  CHECK(ok.ok);
  CHECK(json::parse(ok.output_json)["result"]["status"] == "approved");
  CHECK(ok.transcript_note == "Called lookup_claim: HTTP 200");
  auto big = finish_http_outcome(provisional, call, {200, "text/plain", std::string(10000, 'x'), "", 1});
  CHECK(json::parse(big.output_json)["truncated"] == true);
  CHECK(json::parse(big.output_json)["result"].get<std::string>().size() == k_http_answer_bytes);
  auto failed = finish_http_outcome(provisional, call, {500, "text/plain", "boom", "", 2});
  CHECK_FALSE(failed.ok);
  const auto j = json::parse(failed.output_json);
  CHECK(j["status"] == 500);
  CHECK(j["attempts"] == 2);
  CHECK(j["error"].get<std::string>().rfind("the lookup_claim service answered HTTP 500", 0) == 0);
  auto timeout = finish_http_outcome(provisional, call, {0, "", "", "did not answer within 4 s", 2});
  CHECK(json::parse(timeout.output_json)["error"].get<std::string>().rfind(
            "the lookup_claim service did not answer within 4 s", 0) == 0);
}
