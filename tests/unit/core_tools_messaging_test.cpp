#include <doctest/doctest.h>

#include "core/tools/messaging.hpp"

using namespace sonoria;
using namespace sonoria::tools;
using nlohmann::json;

namespace {

org::Profile studio() {
  org::Profile p;
  p.organization.name = "Lotus Yoga";
  p.organization.phone_numbers = {"+15550001000"};
  p.organization.booking_url = "https://lotus.example/book";
  p.organization.portal_url = "https://lotus.example/me";
  p.organization.owner.phone = "+15559990000";
  p.sms_templates.booking = "Hi {{customer_name}}! Book {{service}} at {{org_name}}: {{booking_url}}";
  p.sms_templates.notify_owner = "{{customer_name}} ({{caller_phone}}) says: {{message}}";
  return p;
}

const CallParties k_messaging_parties{"+15551112222", "+15550001000"};

}  // namespace

TEST_CASE("the booking link is rendered from the organization's template and addressed to the caller") {
  auto profile = studio();
  Registry r;
  add_messaging_tools(r, profile, k_messaging_parties);
  auto out = r.run("send_booking_link", R"({"customer_name":"Dana","service":"Hot Yoga"})");
  REQUIRE(out.ok);
  auto* sms = std::get_if<SendSms>(&out.effect);
  REQUIRE(sms);
  CHECK(sms->to == "+15551112222");
  CHECK(sms->body == "Hi Dana! Book Hot Yoga at Lotus Yoga: https://lotus.example/book");
  CHECK(sms->purpose == "booking_link");
  CHECK(out.transcript_note == "Texted the booking link to +15551112222.");
}

TEST_CASE("an empty template falls back to a built-in text with the link") {
  auto profile = studio();
  Registry r;
  add_messaging_tools(r, profile, k_messaging_parties);
  auto out = r.run("send_cancellation_link", "{}");
  REQUIRE(out.ok);
  CHECK(std::get<SendSms>(out.effect).body == "Lotus Yoga: you can cancel your appointment here: https://lotus.example/me");
  CHECK(std::get<SendSms>(r.run("send_reschedule_link", "{}").effect).purpose == "reschedule_link");
}

TEST_CASE("tools that cannot work are not offered: no link, no owner phone, caller number withheld") {
  auto profile = studio();
  profile.organization.portal_url.clear();
  profile.organization.owner.phone.clear();
  Registry r;
  add_messaging_tools(r, profile, k_messaging_parties);
  CHECK(r.names() == std::vector<std::string>{"send_booking_link"});
  Registry anonymous;
  add_messaging_tools(anonymous, studio(), {"anonymous", "+15550001000"});
  CHECK(anonymous.names() == std::vector<std::string>{"notify_owner"});
}

TEST_CASE("notify_owner texts the owner with the caller's name, number and message") {
  auto profile = studio();
  Registry r;
  add_messaging_tools(r, profile, k_messaging_parties);
  auto out = r.run("notify_owner", R"({"caller_name":"Sam","message":"Please call me about the retreat"})");
  REQUIRE(out.ok);
  auto sms = std::get<SendSms>(out.effect);
  CHECK(sms.to == "+15559990000");
  CHECK(sms.body == "Sam (+15551112222) says: Please call me about the retreat");
  auto other = r.run("notify_owner", R"({"caller_name":"Sam","message":"x","callback_number":"+15553334444"})");
  CHECK(std::get<SendSms>(other.effect).body == "Sam (+15553334444) says: x");
}

TEST_CASE("a callback number as the caller said it is read in the business's country and passed on in E.164") {
  auto profile = studio();
  Registry r;
  add_messaging_tools(r, profile, k_messaging_parties);
  auto said = r.run("notify_owner", R"({"caller_name":"Sam","message":"x","callback_number":"(415) 555-0199"})");
  REQUIRE(said.ok);
  CHECK(std::get<SendSms>(said.effect).body == "Sam (+14155550199) says: x");

  profile.organization.country = "GB";
  Registry british;
  add_messaging_tools(british, profile, k_messaging_parties);
  auto london = british.run("notify_owner", R"({"caller_name":"Sam","message":"x","callback_number":"020 7946 0958"})");
  REQUIRE(london.ok);
  CHECK(std::get<SendSms>(london.effect).body == "Sam (+442079460958) says: x");
}

TEST_CASE("bad arguments come back to the model as readable errors, not exceptions") {
  auto profile = studio();
  Registry r;
  add_messaging_tools(r, profile, k_messaging_parties);
  auto missing = r.run("notify_owner", R"({"caller_name":"Sam"})");
  CHECK_FALSE(missing.ok);
  CHECK(missing.output_json.find("message") != std::string::npos);
  auto blank = r.run("notify_owner", R"({"caller_name":"  ","message":"hi"})");
  CHECK_FALSE(blank.ok);
  CHECK(json::parse(blank.output_json)["error"].get<std::string>().find("ask the caller for their name") != std::string::npos);
  auto number = r.run("notify_owner", R"({"caller_name":"Sam","message":"hi","callback_number":"555-1234"})");
  CHECK_FALSE(number.ok);
  CHECK(json::parse(number.output_json)["error"].get<std::string>().find(
            "argument \"callback_number\" \"555-1234\" is a local number without its area code") == 0);
  CHECK_FALSE(r.run("send_booking_link", R"({"phone":"+1"})").ok);
}

TEST_CASE("asking twice does not text twice, unless the caller asks again explicitly") {
  auto profile = studio();
  Registry r;
  add_messaging_tools(r, profile, k_messaging_parties);
  auto first = r.run("send_booking_link", "{}");
  REQUIRE(std::holds_alternative<SendSms>(first.effect));
  r.settle(finish_sms_outcome(first, std::get<SendSms>(first.effect), "SM1", ""));
  auto again = r.run("send_booking_link", "{}");
  CHECK(std::holds_alternative<NoEffect>(again.effect));
  CHECK(json::parse(again.output_json)["status"] == "sent");
  CHECK(json::parse(again.output_json)["repeated"] == true);
  auto insisted = r.run("send_booking_link", R"({"confirm_repeat":true})");
  CHECK(std::holds_alternative<SendSms>(insisted.effect));
}

TEST_CASE("a text that failed is forgotten, so the model may try again, and the error reaches the model") {
  auto profile = studio();
  Registry r;
  add_messaging_tools(r, profile, k_messaging_parties);
  auto first = r.run("send_booking_link", "{}");
  auto failed = finish_sms_outcome(first, std::get<SendSms>(first.effect), std::nullopt,
                                   "Twilio error 21614: the number cannot receive texts.");
  CHECK_FALSE(failed.ok);
  CHECK(json::parse(failed.output_json)["error"].get<std::string>().find("21614") != std::string::npos);
  r.settle(failed);
  CHECK(std::holds_alternative<SendSms>(r.run("send_booking_link", "{}").effect));
}
