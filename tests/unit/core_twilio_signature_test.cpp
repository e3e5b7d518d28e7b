#include "core/twilio/signature.hpp"

#include <doctest/doctest.h>

#include <algorithm>

using namespace sonoria::twilio;

namespace {

constexpr std::string_view k_token = "12345";
constexpr std::string_view k_url = "https://mycompany.com/myapp.php?foo=1&bar=2";

FormParams vector_params(std::string caller = "+14158675309") {
  return {{"CallSid", "CA1234567890ABCDE"}, {"Caller", caller}, {"Digits", "1234"}, {"From", caller},
          {"To", "+18005551212"}};
}

constexpr std::string_view k_webhook_token = "f1e2d3c4b5a697887766554433221100";
constexpr std::string_view k_webhook_body =
    "AccountSid=AC00000000000000000000000000000001&ApiVersion=2010-04-01&CallSid=CA00000000000000000000000000000002"
    "&CallStatus=ringing&Called=%2B15550001000&CalledCity=&CalledCountry=US&CalledState=CA&CalledZip="
    "&Caller=%2B15551112222&CallerCity=&CallerCountry=US&CallerState=NY&CallerZip=&Direction=inbound"
    "&From=%2B15551112222&FromCity=&FromCountry=US&FromState=NY&FromZip=&StirVerstat=TN-Validation-Passed-A"
    "&To=%2B15550001000&ToCity=&ToCountry=US&ToState=CA&ToZip=";

}  // namespace

TEST_CASE("the official helper-library vector signs the URL followed by the sorted parameters") {
  CHECK(compute_signature(k_token, k_url, vector_params()) == "RSOYDt4T1cUTdK1PDd93/VVr8B8=");
  CHECK(validate_signature(k_token, "RSOYDt4T1cUTdK1PDd93/VVr8B8=", k_url, vector_params()));
}

TEST_CASE("parameter order on the wire does not change the signature") {
  FormParams reversed = vector_params();
  std::reverse(reversed.begin(), reversed.end());
  CHECK(compute_signature(k_token, k_url, reversed) == "RSOYDt4T1cUTdK1PDd93/VVr8B8=");
}

TEST_CASE("the Twilio security page example validates") {
  CHECK(compute_signature(k_token, k_url, vector_params("+12349013030")) == "0/KCTR6DLpKmkAf8muzZqo1nDgQ=");
  CHECK(validate_signature(k_token, "0/KCTR6DLpKmkAf8muzZqo1nDgQ=", k_url, vector_params("+12349013030")));
}

TEST_CASE("a signature over the URL with :443 validates against the configured URL without a port") {
  const std::string with_port = "https://mycompany.com:443/myapp.php?foo=1&bar=2";
  CHECK(compute_signature(k_token, with_port, vector_params()) == "kvajT1Ptam85bY51eRf/AJRuM3w=");
  CHECK(validate_signature(k_token, "kvajT1Ptam85bY51eRf/AJRuM3w=", k_url, vector_params()));
  // And the other way round: configured with :443, signed without.
  CHECK(validate_signature(k_token, "RSOYDt4T1cUTdK1PDd93/VVr8B8=", with_port, vector_params()));
}

TEST_CASE("an explicit non-default port is signed as configured") {
  const std::string url = "http://mycompany.com:1234/myapp.php?foo=1&bar=2";
  CHECK(compute_signature(k_token, url, vector_params()) == "Zmvh+3yNM1Phv2jhDCwEM3q5ebU=");
  CHECK(validate_signature(k_token, "Zmvh+3yNM1Phv2jhDCwEM3q5ebU=", url, vector_params()));
  SUBCASE("and Twilio signing without the port is accepted too") {
    const auto stripped = compute_signature(k_token, "http://mycompany.com/myapp.php?foo=1&bar=2", vector_params());
    CHECK(validate_signature(k_token, stripped, url, vector_params()));
  }
}

TEST_CASE("an http URL gets :80 as its default-port variant") {
  const std::string with_port = "http://mycompany.com:80/myapp.php?foo=1&bar=2";
  CHECK(compute_signature(k_token, with_port, vector_params()) == "0ZXoZLH/DfblKGATFgpif+LLRf4=");
  CHECK(validate_signature(k_token, "0ZXoZLH/DfblKGATFgpif+LLRf4=", "http://mycompany.com/myapp.php?foo=1&bar=2",
                           vector_params()));
  // :80 is not the default port of https, so it is never tried for an https URL.
  CHECK_FALSE(validate_signature(k_token, "0ZXoZLH/DfblKGATFgpif+LLRf4=", k_url, vector_params()));
}

TEST_CASE("a repeated parameter signs each distinct value once, sorted") {
  const FormParams params{{"Sid", "CA123"}, {"SidAccount", "AC123"}, {"Digits", "5678"}, {"Digits", "1234"},
                          {"Digits", "1234"}};
  CHECK(compute_signature(k_token, k_url, params) == "IK+Dwps556ElfBT0I3Rgjkr1wJU=");
  CHECK(validate_signature(k_token, "IK+Dwps556ElfBT0I3Rgjkr1wJU=", k_url, params));
  SUBCASE("keeping only the last value would not validate") {
    const FormParams last_only{{"Sid", "CA123"}, {"SidAccount", "AC123"}, {"Digits", "1234"}};
    CHECK_FALSE(validate_signature(k_token, "IK+Dwps556ElfBT0I3Rgjkr1wJU=", k_url, last_only));
  }
}

TEST_CASE("userinfo in the URL is part of what is signed") {
  const std::string url = "https://user:pass@mycompany.com/myapp.php?foo=1&bar=2";
  CHECK(compute_signature(k_token, url, vector_params()) == "CukzLTc1tT5dXEDIHm/tKBanW10=");
  CHECK(validate_signature(k_token, "CukzLTc1tT5dXEDIHm/tKBanW10=", url, vector_params()));
  CHECK_FALSE(validate_signature(k_token, "CukzLTc1tT5dXEDIHm/tKBanW10=", k_url, vector_params()));
}

TEST_CASE("a JSON body is checked through bodySHA256 and only the URL is signed") {
  const std::string body = R"({"property": "value", "boolean": true})";
  const std::string hash = "0a1ff7634d9ab3b95db5c9a2dfe9416e41502b283a80c7cf19632632f96e6620";
  CHECK(body_sha256_hex(body) == hash);
  const std::string url = std::string(k_url) + "&bodySHA256=" + hash;
  CHECK(compute_signature(k_token, url, {}) == "a9nBmqA0ju/hNViExpshrM61xv4=");
  CHECK(validate_signature(k_token, "a9nBmqA0ju/hNViExpshrM61xv4=", url, {}, body));

  SUBCASE("a body that does not match its hash fails even with a good signature") {
    CHECK_FALSE(validate_signature(k_token, "a9nBmqA0ju/hNViExpshrM61xv4=", url, {},
                                   std::string_view(R"({"property": "value", "boolean": false})")));
  }
  SUBCASE("re-serialised JSON is a different body") {
    CHECK_FALSE(validate_signature(k_token, "a9nBmqA0ju/hNViExpshrM61xv4=", url, {},
                                   std::string_view(R"({"property":"value","boolean":true})")));
  }
  SUBCASE("a URL without bodySHA256 cannot carry a JSON body") {
    const auto signature = compute_signature(k_token, k_url, {});
    CHECK_FALSE(validate_signature(k_token, signature, k_url, {}, body));
  }
  SUBCASE("posted parameters are not signed for a JSON body") {
    CHECK(validate_signature(k_token, "a9nBmqA0ju/hNViExpshrM61xv4=", url, vector_params(), body));
  }
}

TEST_CASE("a sonoria-shaped inbound webhook validates against the configured public URL") {
  const auto params = parse_form(k_webhook_body);
  REQUIRE(params);
  const std::string url = "https://voice.example.com/twilio/voice";
  CHECK(compute_signature(k_webhook_token, url, *params) == "n2rpax4QX2HzFft/sNdQEaeocQU=");
  CHECK(validate_signature(k_webhook_token, "n2rpax4QX2HzFft/sNdQEaeocQU=", url, *params));

  SUBCASE("the URL seen behind a proxy does not validate") {
    CHECK_FALSE(validate_signature(k_webhook_token, "n2rpax4QX2HzFft/sNdQEaeocQU=",
                                   "http://10.0.0.5:8080/twilio/voice", *params));
  }
  SUBCASE("dropping an empty parameter breaks the signature") {
    FormParams without = *params;
    std::erase_if(without, [](const auto& p) { return p.first == "CalledCity"; });
    CHECK_FALSE(validate_signature(k_webhook_token, "n2rpax4QX2HzFft/sNdQEaeocQU=", url, without));
  }
  SUBCASE("a wrong auth token does not validate") {
    CHECK_FALSE(validate_signature("f1e2d3c4b5a697887766554433221101", "n2rpax4QX2HzFft/sNdQEaeocQU=", url, *params));
  }
}

TEST_CASE("the media-stream upgrade is signed over the wss URL, not its https spelling") {
  const std::string wss = "wss://voice.example.com/twilio/media";
  CHECK(compute_signature(k_webhook_token, wss, {}) == "pPubU1m4OWkN4NMng7fGdESR1s0=");
  CHECK(compute_signature(k_webhook_token, "https://voice.example.com/twilio/media", {}) ==
        "obkhntSL8PwjzJIEwi22aBBfFsc=");
  CHECK(validate_signature(k_webhook_token, "pPubU1m4OWkN4NMng7fGdESR1s0=", wss, {}));
  CHECK_FALSE(validate_signature(k_webhook_token, "obkhntSL8PwjzJIEwi22aBBfFsc=", wss, {}));
  SUBCASE("wss takes :443 as its default port") {
    const auto with_port = compute_signature(k_webhook_token, "wss://voice.example.com:443/twilio/media", {});
    CHECK(validate_signature(k_webhook_token, with_port, wss, {}));
  }
}

TEST_CASE("tampered parameters fail validation") {
  SUBCASE("a changed value") {
    FormParams params = vector_params();
    params[4].second = "+18005551213";
    CHECK_FALSE(validate_signature(k_token, "RSOYDt4T1cUTdK1PDd93/VVr8B8=", k_url, params));
  }
  SUBCASE("an added parameter") {
    FormParams params = vector_params();
    params.emplace_back("Extra", "");
    CHECK_FALSE(validate_signature(k_token, "RSOYDt4T1cUTdK1PDd93/VVr8B8=", k_url, params));
  }
  SUBCASE("a removed parameter") {
    FormParams params = vector_params();
    params.pop_back();
    CHECK_FALSE(validate_signature(k_token, "RSOYDt4T1cUTdK1PDd93/VVr8B8=", k_url, params));
  }
  SUBCASE("a changed query string") {
    CHECK_FALSE(validate_signature(k_token, "RSOYDt4T1cUTdK1PDd93/VVr8B8=",
                                   "https://mycompany.com/myapp.php?bar=2&foo=1", vector_params()));
  }
  SUBCASE("a trailing slash") {
    CHECK_FALSE(validate_signature(k_token, "RSOYDt4T1cUTdK1PDd93/VVr8B8=",
                                   "https://mycompany.com/myapp.php/?foo=1&bar=2", vector_params()));
  }
}

TEST_CASE("a missing or malformed header never validates") {
  CHECK_FALSE(validate_signature(k_token, "", k_url, vector_params()));
  CHECK_FALSE(validate_signature(k_token, "not base64 at all!", k_url, vector_params()));
  CHECK_FALSE(validate_signature(k_token, "RSOYDt4T1cUTdK1PDd93/VVr8B8", k_url, vector_params()));
  CHECK_FALSE(validate_signature(k_token, "RSOYDt4T1cUTdK1PDd93/VVr8B8==", k_url, vector_params()));
  CHECK_FALSE(validate_signature(k_token, " RSOYDt4T1cUTdK1PDd93/VVr8B8=", k_url, vector_params()));
  CHECK_FALSE(validate_signature(k_token, "rsoydt4t1cutdk1pdd93/vvr8b8=", k_url, vector_params()));
}

TEST_CASE("a URL that Boost.URL cannot parse is still signed and checked as given") {
  const std::string url = "https://mycompany.com/my app.php";
  const auto signature = compute_signature(k_token, url, vector_params());
  CHECK(validate_signature(k_token, signature, url, vector_params()));
}
