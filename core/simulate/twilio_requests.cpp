#include "core/simulate/twilio_requests.hpp"

#include <boost/url/parse.hpp>
#include <boost/url/url.hpp>

#include <algorithm>
#include <chrono>
#include <cstdio>
#include <ctime>
#include <mutex>
#include <random>

#include "core/twilio/signature.hpp"

namespace sonoria::simulate {
namespace {

twilio::FormParams with(twilio::FormParams params, std::string_view name, std::string value) {
  auto it = std::find_if(params.begin(), params.end(), [&](const auto& p) { return p.first == name; });
  if (it != params.end()) it->second = std::move(value);
  else params.emplace_back(std::string(name), std::move(value));
  return params;
}

std::string rfc2822_now() {
  const std::time_t now = std::chrono::system_clock::to_time_t(std::chrono::system_clock::now());
  std::tm utc{};
  gmtime_r(&now, &utc);
  char text[64];
  std::strftime(text, sizeof text, "%a, %d %b %Y %H:%M:%S +0000", &utc);
  return text;
}

std::string origin_of(const boost::urls::url_view& url) {
  return std::string(url.scheme()) + "://" + std::string(url.encoded_authority());
}

}  // namespace

twilio::FormParams voice_params(const CallParty& party) {
  return {{"AccountSid", party.account_sid},
          {"ApiVersion", "2010-04-01"},
          {"CallSid", party.call_sid},
          {"CallStatus", "ringing"},
          {"Called", party.to},
          {"CalledCity", ""},
          {"CalledCountry", "US"},
          {"CalledState", ""},
          {"CalledZip", ""},
          {"Caller", party.from},
          {"CallerCity", ""},
          {"CallerCountry", "US"},
          {"CallerState", ""},
          {"CallerZip", ""},
          {"Direction", "inbound"},
          {"From", party.from},
          {"FromCity", ""},
          {"FromCountry", "US"},
          {"FromState", ""},
          {"FromZip", ""},
          {"To", party.to},
          {"ToCity", ""},
          {"ToCountry", "US"},
          {"ToState", ""},
          {"ToZip", ""}};
}

twilio::FormParams connect_action_params(const CallParty& party) {
  return with(voice_params(party), "CallStatus", "in-progress");
}

twilio::FormParams status_callback_params(const CallParty& party, std::string_view status,
                                          std::optional<std::int64_t> duration_s, int sequence) {
  auto params = with(voice_params(party), "CallStatus", std::string(status));
  if (duration_s) {
    params.emplace_back("CallDuration", std::to_string(*duration_s));
    if (status == "completed") params.emplace_back("Duration", std::to_string((*duration_s + 59) / 60));
  }
  params.emplace_back("SequenceNumber", std::to_string(sequence));
  params.emplace_back("Timestamp", rfc2822_now());
  params.emplace_back("CallbackSource", "call-progress-events");
  return params;
}

std::optional<std::string> parse_connect_origin(std::string_view spec, std::string& error) {
  std::string text(spec);
  if (text.find("://") == std::string::npos) text = "http://" + text;
  while (text.size() > 1 && text.back() == '/') text.pop_back();
  auto url = boost::urls::parse_absolute_uri(text);
  if (!url || (url->scheme() != "http" && url->scheme() != "https") || url->host().empty() || !url->has_port() ||
      !url->encoded_path().empty() || url->has_query() || url->has_userinfo()) {
    error = "--connect \"" + std::string(spec) +
            "\" is not HOST:PORT (or http://HOST:PORT, https://HOST:PORT), e.g. 127.0.0.1:8080";
    return std::nullopt;
  }
  return origin_of(*url);
}

std::string delivery_url(std::string_view url, std::string_view connect_origin) {
  if (connect_origin.empty()) return std::string(url);
  auto parsed = boost::urls::parse_uri(url);
  if (!parsed) return std::string(url);
  std::string origin(connect_origin);
  const bool websocket = parsed->scheme() == "ws" || parsed->scheme() == "wss";
  if (websocket) {
    if (origin.rfind("https://", 0) == 0) origin = "wss://" + origin.substr(8);
    else if (origin.rfind("http://", 0) == 0) origin = "ws://" + origin.substr(7);
  }
  std::string out = origin + std::string(parsed->encoded_path());
  if (parsed->encoded_path().empty()) out += '/';
  if (parsed->has_query()) out += "?" + std::string(parsed->encoded_query());
  return out;
}

std::string resolve_url(std::string_view base, std::string_view reference) {
  if (reference.find("://") != std::string_view::npos) return std::string(reference);
  auto b = boost::urls::parse_absolute_uri(base);
  auto r = boost::urls::parse_uri_reference(reference);
  if (!b || !r) return std::string(reference);
  boost::urls::url out;
  if (!boost::urls::resolve(*b, *r, out)) return std::string(reference);
  return std::string(out.buffer());
}

net::HttpRequest twilio_request(std::string_view method, std::string_view url, const twilio::FormParams& params,
                                std::string_view auth_token, std::string_view connect_origin) {
  net::HttpRequest request;
  std::string signed_url(url);
  if (method == "GET") {
    // A GET webhook carries its parameters in the query string, which the signature covers.
    request.method = "GET";
    signed_url += (signed_url.find('?') == std::string::npos ? '?' : '&') + twilio::encode_form(params);
  } else {
    request.method = "POST";
    request.body = twilio::encode_form(params);
    request.headers.emplace_back("Content-Type", "application/x-www-form-urlencoded");
  }
  request.url = delivery_url(signed_url, connect_origin);
  if (!auth_token.empty()) {
    const twilio::FormParams none;
    request.headers.emplace_back("X-Twilio-Signature",
                                 twilio::compute_signature(auth_token, signed_url, method == "GET" ? none : params));
  }
  request.headers.emplace_back("I-Twilio-Idempotency-Token", random_sid(""));
  request.headers.emplace_back("Accept", "*/*");
  return request;
}

std::string random_sid(std::string_view prefix) {
  static std::mutex mutex;
  static std::mt19937_64 engine{std::random_device{}()};
  std::uint64_t a = 0;
  std::uint64_t b = 0;
  {
    std::lock_guard lock(mutex);
    a = engine();
    b = engine();
  }
  char hex[33];
  std::snprintf(hex, sizeof hex, "%016llx%016llx", static_cast<unsigned long long>(a), static_cast<unsigned long long>(b));
  return std::string(prefix) + hex;
}

std::string caller_number(std::uint32_t index) {
  char number[16];
  const unsigned n = index % 8'000'000u;
  std::snprintf(number, sizeof number, "+1415%03u%04u", 200 + n / 10'000u, n % 10'000u);
  return number;
}

}  // namespace sonoria::simulate
