#include <doctest/doctest.h>

#include "core/tools/call_control.hpp"

using namespace sonoria;
using namespace sonoria::tools;
using nlohmann::json;

namespace {

Registry with_numbers(std::vector<org::FallbackNumber> numbers) {
  Registry r;
  add_call_control_tools(r, std::move(numbers));
  return r;
}

json output_of(const ToolOutcome& o) { return json::parse(o.output_json); }

}  // namespace

TEST_CASE("end_call hangs up with the reason the model gave") {
  Registry r = with_numbers({});
  auto o = r.run("end_call", R"({"reason":"caller said goodbye"})");
  REQUIRE(o.ok);
  CHECK(std::get<EndCall>(o.effect).reason == "caller said goodbye");
  CHECK(output_of(o)["status"] == "ending");
  auto no_args = r.run("end_call", "");
  REQUIRE(no_args.ok);
  CHECK(std::holds_alternative<EndCall>(no_args.effect));
  CHECK_FALSE(r.run("end_call", R"({"mood":"happy"})").ok);
}

TEST_CASE("transfer_call goes to the first fallback number unless a target is named") {
  Registry r = with_numbers({{"front desk", "+15550001111"}, {"manager", "+15550002222"}});
  auto to_default = r.run("transfer_call", R"({"reason":"wants a refund"})");
  REQUIRE(to_default.ok);
  CHECK(std::get<TransferCall>(to_default.effect) == TransferCall{"+15550001111", "front desk", "wants a refund"});
  auto to_manager = r.run("transfer_call", R"({"target":"manager"})");
  REQUIRE(to_manager.ok);
  CHECK(std::get<TransferCall>(to_manager.effect).target_number == "+15550002222");
  CHECK(output_of(to_manager)["target"] == "manager");
  CHECK(output_of(to_manager).dump().find("+1555") == std::string::npos);  // the model needs no number

  SUBCASE("the schema offers the targets by name and rejects others") {
    json tools = r.session_tools();
    CHECK(tools[1]["parameters"]["properties"]["target"]["enum"] == json::array({"front desk", "manager"}));
    auto wrong = r.run("transfer_call", R"({"target":"reception"})");
    CHECK_FALSE(wrong.ok);
    CHECK(output_of(wrong)["error"] ==
          "argument \"target\" must be one of \"front desk\", \"manager\" (got \"reception\")");
  }
}

TEST_CASE("with no fallback number, transfer_call says it is unavailable and suggests taking a message") {
  Registry r = with_numbers({{"empty", ""}});
  auto o = r.run("transfer_call", R"({"reason":"complaint"})");
  CHECK_FALSE(o.ok);
  CHECK(std::holds_alternative<NoEffect>(o.effect));
  std::string error = output_of(o)["error"];
  CHECK(error.find("not available") != std::string::npos);
  CHECK(error.find("take a message") != std::string::npos);
  CHECK_FALSE(r.session_tools()[1]["parameters"]["properties"].contains("target"));
}

TEST_CASE("asking twice to transfer does not transfer twice") {
  Registry r = with_numbers({{"front desk", "+15550001111"}});
  REQUIRE(std::holds_alternative<TransferCall>(r.run("transfer_call", "{}").effect));
  auto again = r.run("transfer_call", "{}");
  CHECK(std::holds_alternative<NoEffect>(again.effect));
  CHECK(output_of(again)["repeated"] == true);
}
