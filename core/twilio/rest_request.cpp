#include "core/twilio/rest_request.hpp"

#include "core/error.hpp"
#include "core/twilio/base64.hpp"

namespace sonoria::twilio {
namespace {

std::string trim_slash(std::string url) {
  while (!url.empty() && url.back() == '/') url.pop_back();
  return url;
}

// The path part of the base URL ("/2010-04-01"), for requests that report their path.
std::string base_path(const std::string& base_url) {
  const auto scheme = base_url.find("://");
  const auto slash = base_url.find('/', scheme == std::string::npos ? 0 : scheme + 3);
  return slash == std::string::npos ? std::string() : base_url.substr(slash);
}

RestRequest make(const RestAccount& account, std::string method, const std::string& resource, FormParams form = {},
                 const FormParams& query = {}) {
  RestRequest r;
  r.method = std::move(method);
  const std::string base = trim_slash(account.base_url);
  const std::string tail = "/Accounts/" + account.account_sid + resource;
  r.path = base_path(base) + tail;
  r.url = base + tail;
  if (!query.empty()) r.url += "?" + encode_form(query);
  r.form = std::move(form);
  r.authorization = "Basic " + base64_encode(account.username + ":" + account.password);
  return r;
}

void add(FormParams& form, const char* name, const std::string& value) {
  if (!value.empty()) form.emplace_back(name, value);
}

}  // namespace

RestAccount rest_account_from(const config::TwilioSettings& s) {
  if (s.account_sid.empty())
    throw DataError("twilio.account_sid is not set (expected your AC… account SID; set it in the config file or "
                    "TWILIO_ACCOUNT_SID)");
  if (s.account_sid.rfind("AC", 0) != 0)
    throw DataError("twilio.account_sid \"" + s.account_sid + "\" does not start with AC (expected the account SID; an "
                    "SK… API key goes in twilio.api_key_sid, with its secret in twilio.api_key_secret)");
  RestAccount a;
  a.base_url = trim_slash(s.api_base_url);
  a.account_sid = s.account_sid;
  if (!s.api_key_sid.empty()) {
    if (s.api_key_sid.rfind("SK", 0) != 0)
      throw DataError("twilio.api_key_sid \"" + s.api_key_sid + "\" does not start with SK (expected an API key SID)");
    if (s.api_key_secret.empty())
      throw DataError("twilio.api_key_sid is set but twilio.api_key_secret is empty (set it, or TWILIO_API_SECRET)");
    a.username = s.api_key_sid;
    a.password = s.api_key_secret;
    return a;
  }
  if (s.auth_token.empty())
    throw DataError("no Twilio credentials: set twilio.auth_token (or TWILIO_AUTH_TOKEN), or an API key in "
                    "twilio.api_key_sid and twilio.api_key_secret");
  a.username = s.account_sid;
  a.password = s.auth_token;
  return a;
}

std::string RestRequest::describe() const {
  std::string out = method + " " + url + "\nAuthorization: Basic [redacted]\n";
  if (method == "POST") out += "Content-Type: application/x-www-form-urlencoded\n";
  for (const auto& [name, value] : form) out += "  " + name + "=" + value + "\n";
  return out;
}

RestRequest create_call_request(const RestAccount& account, const CreateCall& call) {
  FormParams form;
  add(form, "To", call.to);
  add(form, "From", call.from);
  add(form, "Url", call.url);
  if (!call.url.empty()) form.emplace_back("Method", "POST");
  else add(form, "Twiml", call.twiml);
  add(form, "StatusCallback", call.status_callback);
  if (!call.status_callback.empty()) {
    form.emplace_back("StatusCallbackMethod", "POST");
    for (const auto& event : call.status_callback_events) form.emplace_back("StatusCallbackEvent", event);
  }
  if (call.timeout_s) form.emplace_back("Timeout", std::to_string(*call.timeout_s));
  if (call.time_limit_s) form.emplace_back("TimeLimit", std::to_string(*call.time_limit_s));
  add(form, "MachineDetection", call.machine_detection);
  return make(account, "POST", "/Calls.json", std::move(form));
}

RestRequest update_call_request(const RestAccount& account, const std::string& call_sid, const UpdateCall& update) {
  FormParams form;
  add(form, "Twiml", update.twiml);
  if (update.twiml.empty()) add(form, "Url", update.url);
  add(form, "Status", update.status);
  return make(account, "POST", "/Calls/" + call_sid + ".json", std::move(form));
}

RestRequest fetch_call_request(const RestAccount& account, const std::string& call_sid) {
  return make(account, "GET", "/Calls/" + call_sid + ".json");
}

RestRequest fetch_message_request(const RestAccount& account, const std::string& message_sid) {
  return make(account, "GET", "/Messages/" + message_sid + ".json");
}

RestRequest create_message_request(const RestAccount& account, const CreateMessage& message) {
  FormParams form;
  add(form, "To", message.to);
  if (!message.from.empty()) add(form, "From", message.from);
  else add(form, "MessagingServiceSid", message.messaging_service_sid);
  add(form, "Body", message.body);
  add(form, "StatusCallback", message.status_callback);
  return make(account, "POST", "/Messages.json", std::move(form));
}

RestRequest list_calls_request(const RestAccount& account, const std::string& to, const std::string& on_date) {
  return make(account, "GET", "/Calls.json", {}, {{"To", to}, {"StartTime>", on_date}, {"PageSize", "20"}});
}

RestRequest list_messages_request(const RestAccount& account, const std::string& to, const std::string& on_date) {
  if (on_date.empty()) return make(account, "GET", "/Messages.json", {}, {{"To", to}, {"PageSize", "50"}});
  return make(account, "GET", "/Messages.json", {}, {{"To", to}, {"DateSent>", on_date}, {"PageSize", "20"}});
}

RestRequest fetch_account_request(const RestAccount& account) {
  RestRequest r = make(account, "GET", "");
  r.url += ".json";
  r.path += ".json";
  return r;
}

RestRequest list_incoming_numbers_request(const RestAccount& account, int page) {
  return make(account, "GET", "/IncomingPhoneNumbers.json", {},
              {{"PageSize", "1000"}, {"Page", std::to_string(page)}});
}

RestRequest update_incoming_number_request(const RestAccount& account, const std::string& number_sid, FormParams fields) {
  return make(account, "POST", "/IncomingPhoneNumbers/" + number_sid + ".json", std::move(fields));
}

}  // namespace sonoria::twilio
