#include "tests/fakes/fake_twilio_caller.hpp"

#include <boost/url/parse.hpp>

#include <algorithm>

#include "core/twilio/signature.hpp"
#include "tests/fakes/http_exchange.hpp"
#include "tests/fakes/sid.hpp"

namespace sonoria::fakes {

namespace {

// `base` with every pair of `overrides` replacing the same name (first occurrence) or appended.
twilio::FormParams merged(twilio::FormParams base, const twilio::FormParams& overrides) {
  for (const auto& [name, value] : overrides) {
    auto it = std::find_if(base.begin(), base.end(), [&](const auto& p) { return p.first == name; });
    if (it != base.end()) it->second = value;
    else base.emplace_back(name, value);
  }
  return base;
}

twilio::FormParams without(twilio::FormParams params, std::initializer_list<std::string_view> names) {
  params.erase(std::remove_if(params.begin(), params.end(),
                              [&](const auto& p) { return std::find(names.begin(), names.end(), p.first) != names.end(); }),
               params.end());
  return params;
}

bool looks_like_xml(const std::string& content_type, const std::string& body) {
  if (content_type.find("xml") != std::string::npos) return true;
  const auto first = body.find_first_not_of(" \t\r\n");
  return first != std::string::npos && body[first] == '<';
}

}  // namespace

FakeTwilioCaller::FakeTwilioCaller(CallerOptions options)
    : options_(std::move(options)), stream_(std::make_unique<MediaStreamLeg>()) {
  if (options_.call_sid.empty()) options_.call_sid = make_sid("CA");
  stream_sid_ = make_sid("MZ");
  // Opaque in practice; JSON-with-quotes here so encoding and signing are exercised.
  call_token_ = R"({"parentCallInfoToken":"eyJhbGciOiJFUzI1NiJ9.eyJjYWxsU2lkIjoi)" + options_.call_sid +
                R"(In0.c2ln","identityHeaderTokens":["eyJ0eXAiOiJwYXNzcG9ydCJ9.e30.c2ln"]})";
}

FakeTwilioCaller::~FakeTwilioCaller() = default;

const CallerOptions& FakeTwilioCaller::options() const { return options_; }
const std::string& FakeTwilioCaller::call_sid() const { return options_.call_sid; }
const std::string& FakeTwilioCaller::stream_sid() const { return stream_sid_; }

twilio::FormParams FakeTwilioCaller::voice_params() const {
  return {{"AccountSid", options_.account_sid},
          {"ApiVersion", "2010-04-01"},
          {"CallSid", options_.call_sid},
          {"CallStatus", "ringing"},
          {"CallToken", call_token_},
          {"Called", options_.to},
          {"CalledCity", ""},
          {"CalledCountry", "US"},
          {"CalledState", "CA"},
          {"CalledZip", ""},
          {"Caller", options_.from},
          {"CallerCity", ""},
          {"CallerCountry", "US"},
          {"CallerState", "NY"},
          {"CallerZip", ""},
          {"Direction", options_.direction},
          {"From", options_.from},
          {"FromCity", ""},
          {"FromCountry", "US"},
          {"FromState", "NY"},
          {"FromZip", ""},
          {"StirVerstat", options_.stir_verstat},
          {"To", options_.to},
          {"ToCity", ""},
          {"ToCountry", "US"},
          {"ToState", "CA"},
          {"ToZip", ""}};
}

WebhookResult FakeTwilioCaller::post(const std::string& target_url, const std::string& signed_url,
                                     const twilio::FormParams& params, const std::string& method) {
  WebhookResult result;
  HttpCall call;
  call.method = method;
  call.url = target_url;
  call.timeout = options_.timeout;
  std::string signing_url = signed_url;
  if (method == "GET") {
    // GET webhooks carry the parameters in the query string, which the signature covers.
    const std::string query = twilio::encode_form(params);
    const char joiner = signed_url.find('?') == std::string::npos ? '?' : '&';
    signing_url += joiner + query;
    call.url += (target_url.find('?') == std::string::npos ? "?" : "&") + query;
    result.signature = twilio::compute_signature(options_.auth_token, signing_url, {});
  } else {
    call.body = twilio::encode_form(params);
    call.headers.emplace_back("Content-Type", "application/x-www-form-urlencoded");
    result.signature = twilio::compute_signature(options_.auth_token, signing_url, params);
  }
  result.idempotency_token = options_.call_sid + "-" + make_sid("");
  call.headers.emplace_back("X-Twilio-Signature", result.signature);
  call.headers.emplace_back("I-Twilio-Idempotency-Token", result.idempotency_token);
  call.headers.emplace_back("Accept", "*/*");
  call.headers.emplace_back("Cache-Control", "max-age=259200");

  HttpReply reply = http_exchange(call);
  result.status = reply.status;
  result.transport_error = reply.error;
  result.body = reply.body;
  result.content_type = reply.header("Content-Type").value_or("");
  if (result.status >= 200 && result.status < 300 && looks_like_xml(result.content_type, result.body)) {
    TwimlResult parsed = parse_twiml(result.body, TwimlRules{options_.allow_insecure_stream_url});
    result.twiml = std::move(parsed.twiml);
    result.twiml_error = std::move(parsed.error);
  }
  return result;
}

WebhookResult FakeTwilioCaller::post_voice_webhook(const std::string& post_url, const std::string& public_url,
                                                   const twilio::FormParams& params) {
  {
    std::lock_guard lock(mutex_);
    public_url_ = public_url;
    if (auto url = boost::urls::parse_uri(post_url); url) {
      daemon_origin_ = std::string(url->scheme()) + "://" + std::string(url->encoded_authority());
    }
  }
  WebhookResult result = post(post_url, public_url, merged(voice_params(), params));
  std::lock_guard lock(mutex_);
  twiml_ = result.twiml;
  return result;
}

WebhookResult FakeTwilioCaller::post_signed(const std::string& public_url, const twilio::FormParams& params) {
  const std::string absolute = resolve(public_url);
  return post(daemon_url(absolute), absolute, params);
}

std::optional<Twiml> FakeTwilioCaller::last_twiml() const {
  std::lock_guard lock(mutex_);
  return twiml_;
}

std::string FakeTwilioCaller::resolve(const std::string& url) const {
  if (url.find("://") != std::string::npos) return url;
  std::lock_guard lock(mutex_);
  auto base = boost::urls::parse_uri(public_url_);
  if (!base) return url;
  const std::string origin = std::string(base->scheme()) + "://" + std::string(base->encoded_authority());
  if (!url.empty() && url.front() == '/') return origin + url;
  std::string path(base->encoded_path());
  return origin + path.substr(0, path.rfind('/') + 1) + url;
}

std::string FakeTwilioCaller::daemon_url(const std::string& public_url) const {
  std::lock_guard lock(mutex_);
  auto url = boost::urls::parse_uri(public_url);
  if (!url || daemon_origin_.empty()) return public_url;
  std::string mapped = daemon_origin_ + std::string(url->encoded_path());
  if (url->has_query()) mapped += "?" + std::string(url->encoded_query());
  return mapped;
}

StreamOpen FakeTwilioCaller::open_stream() {
  const auto twiml = last_twiml();
  if (!twiml || !twiml->connect || !twiml->connect->stream) {
    return StreamOpen{false, 0, "the last TwiML has no <Connect><Stream>"};
  }
  const std::string& stream_url = twiml->connect->stream->url;
  // Same path on the daemon's address, over plain ws:// (the fake speaks no TLS).
  std::string connect_url = daemon_url(stream_url);
  if (connect_url.rfind("https://", 0) == 0) connect_url = "ws://" + connect_url.substr(8);
  else if (connect_url.rfind("http://", 0) == 0) connect_url = "ws://" + connect_url.substr(7);
  else if (connect_url.rfind("wss://", 0) == 0) connect_url = "ws://" + connect_url.substr(6);
  return open_stream(connect_url, stream_url);
}

StreamOpen FakeTwilioCaller::open_stream(const std::string& connect_url, const std::string& signature_url,
                                         std::optional<std::vector<std::pair<std::string, std::string>>> parameters) {
  MediaStreamSetup setup;
  setup.connect_url = connect_url;
  setup.signature = twilio::compute_signature(options_.auth_token, signature_url, {});
  setup.account_sid = options_.account_sid;
  setup.call_sid = options_.call_sid;
  setup.stream_sid = stream_sid_;
  setup.realtime_pacing = options_.realtime_pacing;
  setup.timeout = options_.timeout;
  if (parameters) {
    setup.custom_parameters = std::move(*parameters);
  } else if (auto twiml = last_twiml(); twiml && twiml->connect && twiml->connect->stream) {
    for (const auto& p : twiml->connect->stream->parameters) setup.custom_parameters.emplace_back(p.name, p.value);
  }
  return stream_->open(setup);
}

void FakeTwilioCaller::send_audio(std::string_view mulaw) { stream_->send_audio(mulaw); }
void FakeTwilioCaller::send_silence(int ms) { stream_->send_silence(ms); }
void FakeTwilioCaller::speak(int ms) { stream_->speak(ms); }
void FakeTwilioCaller::advance(int ms) { stream_->advance(ms); }
void FakeTwilioCaller::dtmf(char digit) { stream_->dtmf(digit); }
void FakeTwilioCaller::hang_up() { stream_->hang_up(); }
void FakeTwilioCaller::drop() { stream_->drop(); }
MediaStreamLeg& FakeTwilioCaller::stream() { return *stream_; }
const MediaStreamLeg& FakeTwilioCaller::stream() const { return *stream_; }

WebhookResult FakeTwilioCaller::post_connect_action(const twilio::FormParams& extra) {
  const auto twiml = last_twiml();
  if (!twiml || !twiml->connect || twiml->connect->action.empty()) {
    WebhookResult result;
    result.transport_error = "the last TwiML has no <Connect action>";
    return result;
  }
  const std::string action = resolve(twiml->connect->action);
  twilio::FormParams params = merged(voice_params(), {{"CallStatus", "in-progress"}});
  params = merged(std::move(params), extra);
  WebhookResult result = post(daemon_url(action), action, params, twiml->connect->method);
  std::lock_guard lock(mutex_);
  if (result.twiml) twiml_ = result.twiml;
  return result;
}

WebhookResult FakeTwilioCaller::post_dial_action(const std::string& dial_call_status) {
  const auto twiml = last_twiml();
  if (!twiml || !twiml->dial || twiml->dial->action.empty()) {
    WebhookResult result;
    result.transport_error = "the last TwiML has no <Dial action>";
    return result;
  }
  const std::string action = resolve(twiml->dial->action);
  twilio::FormParams params = merged(voice_params(), {{"CallStatus", "in-progress"},
                                                      {"DialCallStatus", dial_call_status},
                                                      {"DialCallSid", make_sid("CA")},
                                                      {"DialBridged", "false"}});
  if (dial_call_status == "completed") params = merged(std::move(params), {{"DialCallDuration", "42"}, {"DialBridged", "true"}});
  WebhookResult result = post(daemon_url(action), action, params, twiml->dial->method.empty() ? "POST" : twiml->dial->method);
  std::lock_guard lock(mutex_);
  if (result.twiml) twiml_ = result.twiml;
  return result;
}

StreamOpen FakeTwilioCaller::open_next_stream() {
  earlier_streams_.push_back(std::move(stream_));
  stream_ = std::make_unique<MediaStreamLeg>();
  stream_sid_ = make_sid("MZ");
  return open_stream();
}

WebhookResult FakeTwilioCaller::post_status_callback(const std::string& public_url, const StatusCallback& callback) {
  twilio::FormParams params = without(voice_params(), {"CallToken", "StirVerstat"});
  twilio::FormParams fields = {{"CallStatus", callback.call_status},
                               {"SequenceNumber", std::to_string(callback.sequence_number)},
                               {"Timestamp", rfc2822_now()},
                               {"CallbackSource", "call-progress-events"}};
  if (callback.call_duration) {
    fields.emplace_back("CallDuration", std::to_string(*callback.call_duration));
    if (callback.call_status == "completed") {
      fields.emplace_back("Duration", std::to_string((*callback.call_duration + 59) / 60));
    }
  }
  if (callback.sip_response_code) fields.emplace_back("SipResponseCode", std::to_string(*callback.sip_response_code));
  params = merged(std::move(params), fields);
  params = merged(std::move(params), callback.extra);
  return post_signed(public_url, params);
}

bool FakeTwilioCaller::wait_for(const std::function<bool()>& predicate, std::chrono::milliseconds timeout) const {
  return stream_->wait_for(predicate, timeout);
}

}  // namespace sonoria::fakes
