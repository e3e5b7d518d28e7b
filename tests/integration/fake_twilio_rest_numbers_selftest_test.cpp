// Self-test of the parts of the fake Twilio REST API (tests/fakes/fake_twilio_rest.hpp) that
// `sonoria doctor` reads: the Account resource, the Date header and its offset clock, and the
// account's IncomingPhoneNumbers (list with filter and paging, fetch, update), driven by plain
// HTTP requests. A fake that drifts from Twilio's API fails here before it misleads doctor's tests.

#include <doctest/doctest.h>

#include <chrono>
#include <cstdlib>
#include <ctime>
#include <optional>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "core/twilio/base64.hpp"
#include "core/twilio/form.hpp"
#include "tests/fakes/fake_twilio_rest.hpp"
#include "tests/fakes/http_exchange.hpp"

// Named, not anonymous: integration tests are compiled several files to a translation unit.
namespace fake_twilio_rest_numbers_selftest {

using nlohmann::json;
using sonoria::fakes::FakeTwilioRest;
using sonoria::fakes::HttpCall;
using sonoria::fakes::HttpReply;
using sonoria::fakes::IncomingNumber;
using namespace std::chrono_literals;

constexpr const char* k_account = "AC00000000000000000000000000000001";
constexpr const char* k_token = "secret-token";
constexpr const char* k_front_desk = "PN0000000000000000000000000000000a";

std::string basic_auth(const std::string& user, const std::string& password) {
  return "Basic " + sonoria::twilio::base64_encode(user + ":" + password);
}

// A request to `uri` as Twilio writes it ("/2010-04-01/Accounts/…"), e.g. a next_page_uri.
HttpReply exchange(const FakeTwilioRest& rest, const std::string& method, const std::string& uri,
               const std::string& authorization, const sonoria::twilio::FormParams& form = {}) {
  HttpCall call;
  call.method = method;
  call.url = "http://127.0.0.1:" + std::to_string(rest.port()) + uri;
  call.headers = {{"Authorization", authorization}};
  if (method == "POST") {
    call.headers.emplace_back("Content-Type", "application/x-www-form-urlencoded");
    call.body = sonoria::twilio::encode_form(form);
  }
  return sonoria::fakes::http_exchange(call);
}

// `path` below the account: "/IncomingPhoneNumbers.json?PageSize=2".
std::string under_account(const FakeTwilioRest& rest, const std::string& path) {
  return "/2010-04-01/Accounts/" + rest.account_sid() + path;
}

HttpReply api_get(const FakeTwilioRest& rest, const std::string& path, const std::string& authorization) {
  return exchange(rest, "GET", under_account(rest, path), authorization);
}

HttpReply api_post(const FakeTwilioRest& rest, const std::string& path, const sonoria::twilio::FormParams& form,
               const std::string& authorization) {
  return exchange(rest, "POST", under_account(rest, path), authorization, form);
}

int code_of(const HttpReply& reply) { return json::parse(reply.body).value("code", 0); }

// An IMF-fixdate ("Mon, 07 Dec 2026 05:30:00 GMT") as seconds since the epoch, or nullopt.
std::optional<std::time_t> parse_http_date(const std::string& text) {
  std::tm utc{};
  const char* end = strptime(text.c_str(), "%a, %d %b %Y %H:%M:%S GMT", &utc);
  if (end == nullptr || *end != '\0' || text.size() != 29) return std::nullopt;
  return timegm(&utc);
}

// How far the Date header of `reply` is from this machine's clock, in seconds (Twilio − us).
std::optional<long> skew_of(const HttpReply& reply) {
  auto header = reply.header("Date");
  if (!header) return std::nullopt;
  auto date = parse_http_date(*header);
  if (!date) return std::nullopt;
  return static_cast<long>(*date - std::time(nullptr));
}

std::vector<IncomingNumber> three_numbers() {
  IncomingNumber front_desk;
  front_desk.sid = k_front_desk;
  front_desk.phone_number = "+15550001000";
  front_desk.friendly_name = "Front desk";
  front_desk.voice_url = "https://old.example.com/voice";
  IncomingNumber salon;
  salon.phone_number = "+15550002000";
  IncomingNumber spare;
  spare.phone_number = "+15550003000";
  spare.sms_url = "https://sms.example.com/in";
  return {front_desk, salon, spare};
}

std::vector<std::string> numbers_in(const json& page) {
  std::vector<std::string> numbers;
  for (const auto& item : page["incoming_phone_numbers"]) numbers.push_back(item["phone_number"]);
  return numbers;
}

TEST_CASE("fake Twilio REST numbers: the account fetch answers the Account resource with a Date header") {
  FakeTwilioRest rest(k_account, k_token);
  const std::string auth = basic_auth(k_account, k_token);

  auto reply = api_get(rest, ".json", auth);
  REQUIRE(reply.status == 200);
  const json account = json::parse(reply.body);
  CHECK(account["sid"] == k_account);
  CHECK(account["owner_account_sid"] == k_account);
  CHECK(account["status"] == "active");
  CHECK(account["type"] == "Full");
  CHECK(account["auth_token"] == k_token);  // Twilio returns it to whoever may read the account
  CHECK(account["uri"] == under_account(rest, ".json"));
  CHECK(account["subresource_uris"]["incoming_phone_numbers"] == under_account(rest, "/IncomingPhoneNumbers.json"));
  for (const char* field : {"date_created", "date_updated", "friendly_name"}) {
    CHECK_MESSAGE(account.contains(field), field);
  }
  CHECK(account["date_created"].get<std::string>().ends_with(" +0000"));
  REQUIRE(reply.header("Date"));
  REQUIRE(skew_of(reply));
  CHECK(std::abs(*skew_of(reply)) <= 5);

  SUBCASE("a wrong token answers 401 with code 20003") {
    auto wrong = api_get(rest, ".json", basic_auth(k_account, "wrong"));
    CHECK(wrong.status == 401);
    CHECK(code_of(wrong) == 20003);
    CHECK(wrong.header("Date"));
  }
  SUBCASE("another account's SID answers 404 with code 20404") {
    auto other = exchange(rest, "GET", "/2010-04-01/Accounts/AC00000000000000000000000000000002.json", auth);
    CHECK(other.status == 404);
    CHECK(code_of(other) == 20404);
  }
  SUBCASE("a Standard API key may not read the account, a Main key may") {
    rest.add_api_key("SK00000000000000000000000000000001", "standard-secret");
    rest.add_api_key("SK00000000000000000000000000000002", "main-secret", true);
    const std::string standard_key = basic_auth("SK00000000000000000000000000000001", "standard-secret");
    auto standard = api_get(rest, ".json", standard_key);
    CHECK(standard.status == 401);
    CHECK(code_of(standard) == 20003);
    CHECK(api_get(rest, "/IncomingPhoneNumbers.json", standard_key).status == 200);
    auto with_main_key = api_get(rest, ".json", basic_auth("SK00000000000000000000000000000002", "main-secret"));
    CHECK(with_main_key.status == 200);
    CHECK(json::parse(with_main_key.body)["sid"] == k_account);
  }
}

TEST_CASE("fake Twilio REST numbers: the Date header follows Twilio's clock as offset by the test") {
  FakeTwilioRest rest(k_account, k_token);
  const std::string auth = basic_auth(k_account, k_token);
  rest.set_clock_offset(-3600s);
  auto account = api_get(rest, ".json", auth);
  REQUIRE(skew_of(account));
  CHECK(std::abs(*skew_of(account) + 3600) <= 5);

  rest.set_clock_offset(90s);
  auto missing = api_get(rest, "/IncomingPhoneNumbers/PN00000000000000000000000000000bad.json", auth);
  CHECK(missing.status == 404);
  REQUIRE(skew_of(missing));
  CHECK(std::abs(*skew_of(missing) - 90) <= 5);

  rest.fail_next(1, 503, false);
  auto unavailable = api_get(rest, ".json", auth);
  CHECK(unavailable.status == 503);
  REQUIRE(skew_of(unavailable));
  CHECK(std::abs(*skew_of(unavailable) - 90) <= 5);

  // Resource dates come from the same clock.
  rest.set_incoming_numbers(three_numbers());
  auto number = json::parse(api_get(rest, std::string("/IncomingPhoneNumbers/") + k_front_desk + ".json", auth).body);
  const std::string created = number["date_created"];
  CHECK(created.ends_with(" +0000"));
  std::tm utc{};
  REQUIRE(strptime(created.c_str(), "%a, %d %b %Y %H:%M:%S +0000", &utc) != nullptr);
  CHECK(std::abs(static_cast<long>(timegm(&utc) - std::time(nullptr)) - 90) <= 5);
}

TEST_CASE("fake Twilio REST numbers: the list filters by PhoneNumber and pages like Twilio") {
  FakeTwilioRest rest(k_account, k_token);
  const std::string auth = basic_auth(k_account, k_token);

  auto empty = api_get(rest, "/IncomingPhoneNumbers.json", auth);
  REQUIRE(empty.status == 200);
  CHECK(json::parse(empty.body)["incoming_phone_numbers"].empty());

  rest.set_incoming_numbers(three_numbers());
  auto all = api_get(rest, "/IncomingPhoneNumbers.json", auth);
  REQUIRE(all.status == 200);
  const json page = json::parse(all.body);
  CHECK(numbers_in(page) == std::vector<std::string>{"+15550001000", "+15550002000", "+15550003000"});
  CHECK(page["page"] == 0);
  CHECK(page["page_size"] == 50);
  CHECK(page["start"] == 0);
  CHECK(page["end"] == 2);
  CHECK(page["next_page_uri"].is_null());
  CHECK(page["previous_page_uri"].is_null());
  CHECK(page["first_page_uri"] == under_account(rest, "/IncomingPhoneNumbers.json?PageSize=50&Page=0"));
  CHECK(page["uri"] == under_account(rest, "/IncomingPhoneNumbers.json?PageSize=50&Page=0"));

  const json& front_desk = page["incoming_phone_numbers"][0];
  for (const char* field :
       {"account_sid", "address_requirements", "api_version", "beta", "capabilities", "date_created", "date_updated",
        "emergency_status", "friendly_name", "phone_number", "sid", "sms_application_sid", "sms_fallback_method",
        "sms_fallback_url", "sms_method", "sms_url", "status_callback", "status_callback_method", "trunk_sid", "uri",
        "voice_application_sid", "voice_caller_id_lookup", "voice_fallback_method", "voice_fallback_url",
        "voice_method", "voice_url", "voice_receive_mode", "status", "type"}) {
    CHECK_MESSAGE(front_desk.contains(field), field);
  }
  CHECK(front_desk["sid"] == k_front_desk);
  CHECK(front_desk["account_sid"] == k_account);
  CHECK(front_desk["friendly_name"] == "Front desk");
  CHECK(front_desk["voice_url"] == "https://old.example.com/voice");
  CHECK(front_desk["voice_method"] == "POST");
  CHECK(front_desk["status_callback"] == "");
  CHECK(front_desk["capabilities"]["voice"] == true);
  CHECK(front_desk["uri"] == under_account(rest, std::string("/IncomingPhoneNumbers/") + k_front_desk + ".json"));
  const json& salon = page["incoming_phone_numbers"][1];
  CHECK(salon["sid"].get<std::string>().size() == 34);
  CHECK(salon["sid"].get<std::string>().rfind("PN", 0) == 0);
  CHECK(salon["friendly_name"] == "(555) 000-2000");  // Twilio's default name
  CHECK(salon["voice_url"].is_null());

  SUBCASE("PhoneNumber selects the exact number") {
    auto filtered = api_get(rest, "/IncomingPhoneNumbers.json?PhoneNumber=%2B15550002000", auth);
    REQUIRE(filtered.status == 200);
    const json body = json::parse(filtered.body);
    CHECK(numbers_in(body) == std::vector<std::string>{"+15550002000"});
    CHECK(body["uri"] ==
          under_account(rest, "/IncomingPhoneNumbers.json?PhoneNumber=%2B15550002000&PageSize=50&Page=0"));
    auto unescaped = api_get(rest, "/IncomingPhoneNumbers.json?PhoneNumber=+15550002000", auth);
    CHECK(numbers_in(json::parse(unescaped.body)) == std::vector<std::string>{"+15550002000"});
    auto none = api_get(rest, "/IncomingPhoneNumbers.json?PhoneNumber=%2B15559999999", auth);
    REQUIRE(none.status == 200);
    CHECK(json::parse(none.body)["incoming_phone_numbers"].empty());
    CHECK(json::parse(none.body)["next_page_uri"].is_null());
  }
  SUBCASE("PageSize splits the list, and next_page_uri leads to the rest") {
    auto first = api_get(rest, "/IncomingPhoneNumbers.json?PageSize=2", auth);
    REQUIRE(first.status == 200);
    const json one = json::parse(first.body);
    CHECK(numbers_in(one) == std::vector<std::string>{"+15550001000", "+15550002000"});
    CHECK(one["page_size"] == 2);
    CHECK(one["end"] == 1);
    REQUIRE(one["next_page_uri"].is_string());
    auto second = exchange(rest, "GET", one["next_page_uri"].get<std::string>(), auth);
    REQUIRE(second.status == 200);
    const json two = json::parse(second.body);
    CHECK(numbers_in(two) == std::vector<std::string>{"+15550003000"});
    CHECK(two["page"] == 1);
    CHECK(two["start"] == 2);
    CHECK(two["end"] == 2);
    CHECK(two["next_page_uri"].is_null());
    CHECK(two["previous_page_uri"] == under_account(rest, "/IncomingPhoneNumbers.json?PageSize=2&Page=0"));
    auto back = exchange(rest, "GET", two["previous_page_uri"].get<std::string>(), auth);
    CHECK(json::parse(back.body)["incoming_phone_numbers"].size() == 2);
  }
  SUBCASE("PageSize above 1000 is held to 1000; a PageSize that is not a number is refused") {
    CHECK(json::parse(api_get(rest, "/IncomingPhoneNumbers.json?PageSize=5000", auth).body)["page_size"] == 1000);
    auto bad = api_get(rest, "/IncomingPhoneNumbers.json?PageSize=many", auth);
    CHECK(bad.status == 400);
    CHECK(code_of(bad) == 20001);
  }
  SUBCASE("a wrong token answers 401 with code 20003") {
    auto wrong = api_get(rest, "/IncomingPhoneNumbers.json", basic_auth(k_account, "wrong"));
    CHECK(wrong.status == 401);
    CHECK(code_of(wrong) == 20003);
  }
}

TEST_CASE("fake Twilio REST numbers: an update changes what a later fetch and incoming_numbers() return") {
  FakeTwilioRest rest(k_account, k_token);
  const std::string auth = basic_auth(k_account, k_token);
  rest.set_incoming_numbers(three_numbers());
  const std::string path = std::string("/IncomingPhoneNumbers/") + k_front_desk + ".json";

  auto updated = api_post(rest, path,
                      {{"VoiceUrl", "https://sonoria.example.com/twilio/voice"},
                       {"VoiceMethod", "POST"},
                       {"StatusCallback", "https://sonoria.example.com/twilio/status"},
                       {"StatusCallbackMethod", "get"}},
                      auth);
  REQUIRE(updated.status == 200);
  const json answer = json::parse(updated.body);
  CHECK(answer["sid"] == k_front_desk);
  CHECK(answer["voice_url"] == "https://sonoria.example.com/twilio/voice");
  CHECK(answer["status_callback"] == "https://sonoria.example.com/twilio/status");
  CHECK(answer["status_callback_method"] == "GET");
  CHECK(answer["friendly_name"] == "Front desk");  // fields not sent stay as they were

  auto fetched = api_get(rest, path, auth);
  REQUIRE(fetched.status == 200);
  const json number = json::parse(fetched.body);
  CHECK(number["voice_url"] == "https://sonoria.example.com/twilio/voice");
  CHECK(number["voice_method"] == "POST");
  CHECK(number["status_callback"] == "https://sonoria.example.com/twilio/status");
  CHECK(number["phone_number"] == "+15550001000");

  const auto numbers = rest.incoming_numbers();
  REQUIRE(numbers.size() == 3);
  CHECK(numbers[0].sid == k_front_desk);
  CHECK(numbers[0].voice_url == "https://sonoria.example.com/twilio/voice");
  CHECK(numbers[0].status_callback == "https://sonoria.example.com/twilio/status");
  CHECK(numbers[0].status_callback_method == "GET");
  CHECK(numbers[1].voice_url.empty());
  const json listed = json::parse(api_get(rest, "/IncomingPhoneNumbers.json", auth).body);
  CHECK(numbers[1].sid == listed["incoming_phone_numbers"][1]["sid"]);

  auto renamed = api_post(
      rest, path, {{"FriendlyName", "Reception"}, {"SmsUrl", "http://sms.example.com/"}, {"SmsMethod", "GET"}}, auth);
  REQUIRE(renamed.status == 200);
  CHECK(rest.incoming_numbers()[0].friendly_name == "Reception");
  CHECK(rest.incoming_numbers()[0].sms_method == "GET");
  CHECK(rest.incoming_numbers()[0].voice_url == "https://sonoria.example.com/twilio/voice");

  const auto requests = rest.requests();
  REQUIRE(requests.size() == 4);
  CHECK(requests[0].method == "POST");
  CHECK(requests[0].target == under_account(rest, path));
  CHECK(sonoria::twilio::form_value(requests[0].form, "VoiceUrl") == "https://sonoria.example.com/twilio/voice");
}

TEST_CASE("fake Twilio REST numbers: bad URLs and methods answer 400 with Twilio's codes and change nothing") {
  FakeTwilioRest rest(k_account, k_token);
  const std::string auth = basic_auth(k_account, k_token);
  rest.set_incoming_numbers(three_numbers());
  const std::string path = std::string("/IncomingPhoneNumbers/") + k_front_desk + ".json";

  auto not_http = api_post(rest, path, {{"VoiceUrl", "ftp://sonoria.example.com/voice"}}, auth);
  CHECK(not_http.status == 400);
  CHECK(code_of(not_http) == 21402);
  CHECK(json::parse(not_http.body)["more_info"] == "https://www.twilio.com/docs/errors/21402");
  CHECK(code_of(api_post(rest, path, {{"VoiceUrl", "sonoria.example.com/voice"}}, auth)) == 21402);
  CHECK(code_of(api_post(rest, path, {{"SmsUrl", "https://"}}, auth)) == 21402);
  auto callback = api_post(rest, path, {{"StatusCallback", "not a url"}}, auth);
  CHECK(callback.status == 400);
  CHECK(code_of(callback) == 21502);
  // One bad field refuses the whole update.
  auto method = api_post(rest, path, {{"VoiceUrl", "https://sonoria.example.com/voice"}, {"VoiceMethod", "PUT"}}, auth);
  CHECK(method.status == 400);
  CHECK(code_of(method) == 21403);
  CHECK(code_of(api_post(rest, path, {{"StatusCallbackMethod", "DELETE"}}, auth)) == 21403);

  CHECK(rest.incoming_numbers()[0].voice_url == "https://old.example.com/voice");
  CHECK(rest.incoming_numbers()[0].voice_method == "POST");
  CHECK(json::parse(api_get(rest, path, auth).body)["voice_url"] == "https://old.example.com/voice");

  auto cleared = api_post(rest, path, {{"VoiceUrl", ""}}, auth);
  CHECK(cleared.status == 200);
  CHECK(rest.incoming_numbers()[0].voice_url.empty());
}

TEST_CASE("fake Twilio REST numbers: an unknown number answers 404 with code 20404") {
  FakeTwilioRest rest(k_account, k_token);
  const std::string auth = basic_auth(k_account, k_token);
  rest.set_incoming_numbers(three_numbers());
  const std::string path = "/IncomingPhoneNumbers/PN00000000000000000000000000000bad.json";
  auto fetched = api_get(rest, path, auth);
  CHECK(fetched.status == 404);
  CHECK(code_of(fetched) == 20404);
  auto updated = api_post(rest, path, {{"VoiceUrl", "https://sonoria.example.com/twilio/voice"}}, auth);
  CHECK(updated.status == 404);
  CHECK(code_of(updated) == 20404);
  CHECK(rest.incoming_numbers().size() == 3);
}

TEST_CASE("fake Twilio REST numbers: scripted faults and the request record cover these endpoints") {
  FakeTwilioRest rest(k_account, k_token);
  const std::string auth = basic_auth(k_account, k_token);
  rest.set_incoming_numbers(three_numbers());
  rest.rate_limit_next(1, "IncomingPhoneNumbers");
  rest.drop_next(1, "IncomingPhoneNumbers/");
  auto limited = api_get(rest, "/IncomingPhoneNumbers.json", auth);
  CHECK(limited.status == 429);
  CHECK(code_of(limited) == 20429);
  CHECK(limited.header("Date"));
  auto dropped = api_post(rest, std::string("/IncomingPhoneNumbers/") + k_front_desk + ".json",
                      {{"VoiceUrl", "https://sonoria.example.com/twilio/voice"}}, auth);
  CHECK(dropped.status == 0);
  CHECK(rest.incoming_numbers()[0].voice_url == "https://old.example.com/voice");  // faults come before any change
  CHECK(api_get(rest, "/IncomingPhoneNumbers.json", auth).status == 200);
  CHECK(api_get(rest, ".json", auth).status == 200);

  const auto requests = rest.requests();
  REQUIRE(requests.size() == 4);
  CHECK(requests[0].status == 429);
  CHECK(requests[1].status == 0);
  CHECK(requests[1].method == "POST");
  CHECK(requests[2].status == 200);
  CHECK(requests[2].target == under_account(rest, "/IncomingPhoneNumbers.json"));
  CHECK(requests[3].target == under_account(rest, ".json"));
  CHECK(requests[3].authenticated);
}

}  // namespace fake_twilio_rest_numbers_selftest
