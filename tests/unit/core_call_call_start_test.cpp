#include "core/call/call_start.hpp"

#include <doctest/doctest.h>

using namespace sonoria;
using namespace sonoria::call;

namespace {

org::Profile profile() {
  org::Profile p;
  p.organization.phone_numbers = {"+15550001000"};
  p.fallback_numbers = {{"front desk", "+15550001001"}};
  p.stages.resize(2);
  p.stages[0].name = "identify";
  p.stages[1].name = "assist";
  return p;
}

}  // namespace

TEST_CASE("the answer personalises the call: a greeting, facts for the prompt, a stage") {
  const auto s = read_call_start_answer(
      200, R"({"greeting":"Hi Jane!","variables":{"caller_name":"Jane","visits":12,"vip":true},"stage":"assist"})", "",
      profile());
  CHECK(s.problem.empty());
  CHECK(s.action == CallStart::Action::proceed);
  CHECK(s.greeting == "Hi Jane!");
  CHECK(s.variables == std::vector<std::pair<std::string, std::string>>{{"caller_name", "Jane"}, {"vip", "true"}, {"visits", "12"}});
  CHECK(s.stage == "assist");
  CHECK(caller_facts_prompt(s.variables).find("- caller_name: Jane\n") != std::string::npos);
  CHECK(caller_facts_prompt({}).empty());
}

TEST_CASE("transfer and reject; a transfer without a valid number goes to the first fallback") {
  CHECK(read_call_start_answer(200, R"({"action":"reject"})", "", profile()).action == CallStart::Action::reject);
  const auto t = read_call_start_answer(200, R"({"action":"transfer","transfer_to":"+15559998888"})", "", profile());
  CHECK(t.action == CallStart::Action::transfer);
  CHECK(t.transfer_to == "+15559998888");
  const auto bad = read_call_start_answer(200, R"({"action":"transfer","transfer_to":"555-1234"})", "", profile());
  CHECK(bad.transfer_to == "+15550001001");
  CHECK(bad.problem.find("transfer_to \"555-1234\" is a local number without its area code") != std::string::npos);
  // As a CRM writes it, in the business's country.
  const auto written = read_call_start_answer(200, R"({"action":"transfer","transfer_to":"(555) 999-8888"})", "", profile());
  CHECK(written.transfer_to == "+15559998888");
}

TEST_CASE("no answer, an error, or nonsense: the call goes on with the defaults, and the record says why") {
  const auto none = read_call_start_answer(0, "", "timed out after 1500 ms", profile());
  CHECK(none.action == CallStart::Action::proceed);
  CHECK(none.greeting.empty());
  CHECK(none.problem == "no answer: timed out after 1500 ms");
  CHECK(read_call_start_answer(500, "boom", "", profile()).problem == "answered HTTP 500");
  CHECK(read_call_start_answer(200, "[1,2]", "", profile()).problem == "the answer is not a JSON object");
  CHECK(read_call_start_answer(204, "", "", profile()).problem.empty());
  const auto odd = read_call_start_answer(200, R"({"stage":"nowhere","action":"dance","variables":{"x":{"y":1}}})", "", profile());
  CHECK(odd.action == CallStart::Action::proceed);
  CHECK(odd.stage.empty());
  CHECK(odd.variables.empty());
  CHECK(odd.problem.find("not a stage of this profile") != std::string::npos);
  CHECK(odd.problem.find("is not one of proceed, transfer, reject") != std::string::npos);
  CHECK(odd.problem.find("variable x is not a plain value") != std::string::npos);
}
