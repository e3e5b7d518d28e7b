#include "core/simulate/twilio_requests.hpp"

#include <doctest/doctest.h>

#include <algorithm>

#include "core/phone/phone_number.hpp"
#include "core/twilio/signature.hpp"

using namespace sonoria;
using namespace sonoria::simulate;

namespace {

const std::string k_token = "f1e2d3c4b5a697887766554433221100";

CallParty party() {
  return CallParty{"AC00000000000000000000000000000001", "CA00000000000000000000000000000002", "+15551112222",
                   "+15550001000"};
}

std::string header(const net::HttpRequest& request, std::string_view name) {
  for (const auto& [key, value] : request.headers)
    if (key == name) return value;
  return {};
}

}  // namespace

TEST_CASE("the voice webhook is signed over the public URL exactly as the daemon validates it") {
  const std::string url = "https://voice.example.com/twilio/voice?org=lotus-yoga";
  const auto params = voice_params(party());
  auto request = twilio_request("POST", url, params, k_token, "http://127.0.0.1:8080");
  CHECK(request.method == "POST");
  CHECK(request.url == "http://127.0.0.1:8080/twilio/voice?org=lotus-yoga");
  CHECK(header(request, "Content-Type") == "application/x-www-form-urlencoded");
  CHECK(header(request, "I-Twilio-Idempotency-Token").size() == 32);
  // What the daemon does: decode the body it received and validate over its public URL.
  auto received = twilio::parse_form(request.body);
  REQUIRE(received);
  CHECK(twilio::validate_signature(k_token, header(request, "X-Twilio-Signature"), url, *received));
  CHECK_FALSE(twilio::validate_signature(k_token, header(request, "X-Twilio-Signature"),
                                         "http://127.0.0.1:8080/twilio/voice?org=lotus-yoga", *received));
  CHECK_FALSE(twilio::validate_signature("00000000000000000000000000000000", header(request, "X-Twilio-Signature"),
                                         url, *received));
}

TEST_CASE("an unsigned request carries no signature, and a GET carries its parameters in the signed URL") {
  auto request = twilio_request("POST", "https://h.example/twilio/voice", voice_params(party()), "", "");
  CHECK(header(request, "X-Twilio-Signature").empty());
  CHECK(request.url == "https://h.example/twilio/voice");
  const twilio::FormParams params = {{"CallSid", "CA1"}, {"CallStatus", "in-progress"}};
  auto get = twilio_request("GET", "https://h.example/twilio/connect-done", params, k_token, "");
  CHECK(get.method == "GET");
  CHECK(get.body.empty());
  CHECK(get.url == "https://h.example/twilio/connect-done?CallSid=CA1&CallStatus=in-progress");
  CHECK(twilio::validate_signature(k_token, header(get, "X-Twilio-Signature"), get.url, {}));
}

TEST_CASE("the webhook carries Twilio's inbound parameters, sorted, with empty geographic fields") {
  const auto params = voice_params(party());
  CHECK(std::is_sorted(params.begin(), params.end(), [](const auto& a, const auto& b) { return a.first < b.first; }));
  CHECK(twilio::form_value(params, "CallStatus") == "ringing");
  CHECK(twilio::form_value(params, "Direction") == "inbound");
  CHECK(twilio::form_value(params, "ApiVersion") == "2010-04-01");
  CHECK(twilio::form_value(params, "Caller") == "+15551112222");
  CHECK(twilio::form_value(params, "Called") == "+15550001000");
  CHECK(twilio::form_value(params, "FromCity") == "");
  CHECK(twilio::form_value(connect_action_params(party()), "CallStatus") == "in-progress");
  const auto status = status_callback_params(party(), "completed", 61, 0);
  CHECK(twilio::form_value(status, "CallStatus") == "completed");
  CHECK(twilio::form_value(status, "CallDuration") == "61");
  CHECK(twilio::form_value(status, "Duration") == "2");
  CHECK(twilio::form_value(status, "SequenceNumber") == "0");
  CHECK(twilio::form_value(status, "CallbackSource") == "call-progress-events");
  CHECK(twilio::form_value(status, "Timestamp")->find("+0000") != std::string::npos);
}

TEST_CASE("--connect takes HOST:PORT or an origin, and maps every URL onto it, WebSockets included") {
  std::string error;
  CHECK(parse_connect_origin("127.0.0.1:8080", error) == "http://127.0.0.1:8080");
  CHECK(parse_connect_origin("https://10.0.0.5:8443/", error) == "https://10.0.0.5:8443");
  CHECK(parse_connect_origin("[::1]:9000", error) == "http://[::1]:9000");
  CHECK_FALSE(parse_connect_origin("localhost", error));
  CHECK(error.find("HOST:PORT") != std::string::npos);
  CHECK_FALSE(parse_connect_origin("http://h:1/path", error));
  CHECK_FALSE(parse_connect_origin("ftp://h:21", error));
  CHECK(delivery_url("wss://voice.example.com/twilio/media", "http://127.0.0.1:8080") == "ws://127.0.0.1:8080/twilio/media");
  CHECK(delivery_url("wss://voice.example.com/twilio/media", "https://10.0.0.5:8443") == "wss://10.0.0.5:8443/twilio/media");
  CHECK(delivery_url("https://voice.example.com/a?b=1", "http://127.0.0.1:8080") == "http://127.0.0.1:8080/a?b=1");
  CHECK(delivery_url("https://voice.example.com/a", "") == "https://voice.example.com/a");
}

TEST_CASE("relative TwiML URLs resolve against the webhook URL") {
  const std::string base = "https://voice.example.com/twilio/voice?org=1";
  CHECK(resolve_url(base, "/twilio/connect-done") == "https://voice.example.com/twilio/connect-done");
  CHECK(resolve_url(base, "connect-done") == "https://voice.example.com/twilio/connect-done");
  CHECK(resolve_url(base, "wss://other.example/media") == "wss://other.example/media");
}

TEST_CASE("sids are Twilio-shaped and unique; load callers get distinct numbers") {
  const auto a = random_sid("CA");
  CHECK(a.size() == 34);
  CHECK(a.rfind("CA", 0) == 0);
  CHECK(a.find_first_not_of("0123456789abcdef", 2) == std::string::npos);
  CHECK(random_sid("CA") != a);
  CHECK(caller_number(0) == "+14152000000");
  CHECK(caller_number(999) == "+14152000999");
  CHECK(caller_number(1234567) == "+14153234567");
  CHECK(caller_number(7'999'999) == "+14159999999");
  CHECK(caller_number(8'000'000) == caller_number(0));
  // Ordinary lines of the US, as a caller ID is: a text to the caller is not refused.
  for (const std::uint32_t index : {0u, 999u, 1234567u, 7'999'999u}) {
    const auto read = phone::parse(caller_number(index), "");
    REQUIRE(read.number);
    CHECK(read.number->valid);
    CHECK(read.number->region == "US");
  }
}
