#include "core/config/loader.hpp"

#include <boost/url/grammar/ci_string.hpp>
#include <boost/url/parse.hpp>
#include <algorithm>
#include <cctype>
#include <cstdlib>
#include <fstream>
#include <functional>
#include <regex>
#include <sstream>
#include <toml++/toml.h>
#include <variant>

#include "core/config/duration.hpp"
#include "core/did_you_mean.hpp"
#include "core/error.hpp"
#include "core/ip_address.hpp"
#include "core/phone/phone_number.hpp"

extern char** environ;

namespace sonoria::config {
namespace {

enum class Kind { string, boolean, integer, duration, string_list };

// One configurable key: how to read it, check it, write it, and show it.
struct KeySpec {
  std::string key;
  Kind kind;
  bool secret = false;
  std::vector<std::string> allowed;  // for enumerated strings
  // Checks a parsed value; returns the problem, or "" when fine.
  std::function<std::string(const Settings&)> check;
  std::function<void(Settings&, const std::string&)> set_string;
  std::function<void(Settings&, bool)> set_bool;
  std::function<void(Settings&, int64_t)> set_int;
  std::function<void(Settings&, std::chrono::milliseconds)> set_duration;
  std::function<void(Settings&, const std::vector<std::string>&)> set_list;
  std::function<std::string(const Settings&)> show;  // TOML spelling of the value
  std::function<bool(const Settings&, const Settings&)> same;  // the value is the same in both
};

KeySpec make_spec(std::string key, Kind kind, bool secret = false, std::vector<std::string> allowed = {}) {
  KeySpec k;
  k.key = std::move(key);
  k.kind = kind;
  k.secret = secret;
  k.allowed = std::move(allowed);
  return k;
}

std::string quote(const std::string& s) {
  std::string out = "\"";
  for (char c : s) {
    if (c == '"' || c == '\\') out += '\\';
    out += c;
  }
  return out + "\"";
}

std::string show_list(const std::vector<std::string>& v, bool secret) {
  std::string out = "[";
  for (size_t i = 0; i < v.size(); ++i) {
    if (i) out += ", ";
    out += quote(secret ? redact(v[i]) : v[i]);
  }
  return out + "]";
}

template <typename M>
KeySpec string_key(std::string key, M member, bool secret = false, std::vector<std::string> allowed = {}) {
  KeySpec k = make_spec(std::move(key), Kind::string, secret, std::move(allowed));
  k.set_string = [member](Settings& s, const std::string& v) { s.*member.first.*member.second = v; };
  k.show = [member, secret](const Settings& s) {
    const std::string& v = s.*member.first.*member.second;
    return quote(secret ? redact(v) : v);
  };
  k.same = [member](const Settings& a, const Settings& b) {
    return a.*member.first.*member.second == b.*member.first.*member.second;
  };
  return k;
}

template <typename M>
KeySpec bool_key(std::string key, M member) {
  KeySpec k = make_spec(std::move(key), Kind::boolean);
  k.set_bool = [member](Settings& s, bool v) { s.*member.first.*member.second = v; };
  k.show = [member](const Settings& s) { return std::string(s.*member.first.*member.second ? "true" : "false"); };
  k.same = [member](const Settings& a, const Settings& b) {
    return a.*member.first.*member.second == b.*member.first.*member.second;
  };
  return k;
}

template <typename M>
KeySpec int_key(std::string key, M member, int64_t min, int64_t max) {
  KeySpec k = make_spec(std::move(key), Kind::integer);
  k.set_int = [member](Settings& s, int64_t v) { s.*member.first.*member.second = static_cast<int>(v); };
  k.show = [member](const Settings& s) { return std::to_string(s.*member.first.*member.second); };
  k.check = [member, min, max](const Settings& s) -> std::string {
    int64_t v = s.*member.first.*member.second;
    if (v < min || v > max)
      return std::to_string(v) + " is out of range (expected " + std::to_string(min) + " to " + std::to_string(max) + ")";
    return "";
  };
  k.same = [member](const Settings& a, const Settings& b) {
    return a.*member.first.*member.second == b.*member.first.*member.second;
  };
  return k;
}

template <typename M>
KeySpec duration_key(std::string key, M member, std::chrono::milliseconds min) {
  KeySpec k = make_spec(std::move(key), Kind::duration);
  k.set_duration = [member](Settings& s, std::chrono::milliseconds v) { s.*member.first.*member.second = v; };
  k.show = [member](const Settings& s) { return quote(format_duration(s.*member.first.*member.second)); };
  k.check = [member, min](const Settings& s) -> std::string {
    if (s.*member.first.*member.second < min)
      return "\"" + format_duration(s.*member.first.*member.second) + "\" is too short (expected at least " +
             format_duration(min) + ")";
    return "";
  };
  k.same = [member](const Settings& a, const Settings& b) {
    return a.*member.first.*member.second == b.*member.first.*member.second;
  };
  return k;
}

template <typename M>
KeySpec list_key(std::string key, M member, bool secret = false) {
  KeySpec k = make_spec(std::move(key), Kind::string_list, secret);
  k.set_list = [member](Settings& s, const std::vector<std::string>& v) { s.*member.first.*member.second = v; };
  k.show = [member, secret](const Settings& s) { return show_list(s.*member.first.*member.second, secret); };
  k.same = [member](const Settings& a, const Settings& b) {
    return a.*member.first.*member.second == b.*member.first.*member.second;
  };
  return k;
}

// Pairs a section member with a field member, so one template serves every section.
template <typename Section, typename Field>
std::pair<Section Settings::*, Field Section::*> m(Section Settings::*section, Field Section::*field) {
  return {section, field};
}

// The config has no organization, so its numbers carry their country code. Read as typed
// ("+1 (415) 555-0123") and kept in E.164; one that does not read is kept as typed for the check.
std::string phone_as_stored(const std::string& typed) {
  const phone::Parsed parsed = phone::parse(typed, "");
  return parsed.number ? parsed.number->e164 : typed;
}

std::vector<std::string> phones_as_stored(const std::vector<std::string>& typed) {
  std::vector<std::string> out;
  for (const auto& number : typed) out.push_back(phone_as_stored(number));
  return out;
}

std::string check_phone_list(const std::vector<std::string>& numbers) {
  for (const auto& n : numbers) {
    const phone::Parsed parsed = phone::parse(n, "");
    if (!parsed.number) return parsed.error;
  }
  return "";
}

template <typename M>
KeySpec phone_list_key(std::string key, M member) {
  KeySpec k = list_key(std::move(key), member);
  k.set_list = [member](Settings& s, const std::vector<std::string>& v) { s.*member.first.*member.second = phones_as_stored(v); };
  k.check = [member](const Settings& s) { return check_phone_list(s.*member.first.*member.second); };
  return k;
}

std::string check_host_port(const std::string& v) {
  auto colon = v.rfind(':');
  if (colon == std::string::npos || colon == 0) return "\"" + v + "\" is not host:port (expected like 127.0.0.1:8080)";
  auto port = v.substr(colon + 1);
  if (port.empty() || port.size() > 5 || !std::all_of(port.begin(), port.end(), ::isdigit) || std::stoi(port) > 65535)
    return "\"" + v + "\" has no valid port (expected host:port, port 0–65535)";
  return "";
}

// An absolute URL (RFC 3986, by Boost.URL) with one of `schemes` and a host; what is wrong, or "".
std::string check_url(const std::string& v, std::initializer_list<const char*> schemes) {
  std::string expected;
  for (const char* s : schemes) expected += (expected.empty() ? "" : " or ") + std::string(s) + "://…";
  const auto parsed = boost::urls::parse_absolute_uri(boost::urls::string_view(v.data(), v.size()));
  if (!parsed) return "\"" + v + "\" is not a URL (expected " + expected + "; " + parsed.error().message() + ")";
  const std::string scheme = parsed->scheme();
  bool known = false;
  for (const char* s : schemes) known = known || boost::urls::grammar::ci_is_equal(scheme, std::string_view(s));
  if (!known) return "\"" + v + "\" is a " + scheme + ":// URL (expected " + expected + ")";
  if (!parsed->has_authority() || parsed->host().empty()) return "\"" + v + "\" has no host (expected " + expected + ")";
  // Boost.URL 1.81 takes "https://[::1]x" or "https://h:80x" for a host and a path without its
  // '/' (core/url/endpoint_url.cpp says more).
  if (const auto path = parsed->encoded_path(); !path.empty() && path.front() != '/')
    return "\"" + v + "\": \"" + std::string(path) + "\" follows the host (expected [:port], then '/', '?' or the end)";
  return "";
}

// A base URL that paths are appended to (server.public_url, cluster.public_url): http(s), no
// trailing slash.
std::string check_base_url(const std::string& v) {
  auto problem = check_url(v, {"https", "http"});
  if (problem.empty() && v.back() == '/')
    return "\"" + v + "\" ends with '/' (expected the base URL without a trailing slash)";
  return problem;
}

const std::vector<KeySpec>& key_specs() {
  using S = Settings;
  static const std::vector<KeySpec> specs = [] {
    std::vector<KeySpec> v;
    auto& listen = v.emplace_back(string_key("server.listen", m(&S::server, &ServerSettings::listen)));
    listen.check = [](const Settings& s) { return check_host_port(s.server.listen); };
    auto& pub = v.emplace_back(string_key("server.public_url", m(&S::server, &ServerSettings::public_url)));
    pub.check = [](const Settings& s) { return check_base_url(s.server.public_url); };
    v.push_back(string_key("server.tls_cert", m(&S::server, &ServerSettings::tls_cert)));
    v.push_back(string_key("server.tls_key", m(&S::server, &ServerSettings::tls_key)));
    v.push_back(duration_key("server.drain_timeout", m(&S::server, &ServerSettings::drain_timeout), {}));
    v.push_back(int_key("server.threads", m(&S::server, &ServerSettings::threads), 0, 256));
    auto& proxies = v.emplace_back(list_key("server.trusted_proxies", m(&S::server, &ServerSettings::trusted_proxies)));
    proxies.check = [](const Settings& s) -> std::string {
      for (const auto& address : s.server.trusted_proxies) {
        if (!is_ip_address(address))
          return "\"" + address + "\" is not an IP address (expected e.g. \"127.0.0.1\" or \"::1\", without a port)";
      }
      return "";
    };

    v.push_back(int_key("server.max_body_bytes", m(&S::server, &ServerSettings::max_body_bytes), 1024, 64 << 20));
    v.push_back(int_key("server.max_header_bytes", m(&S::server, &ServerSettings::max_header_bytes), 1024, 1 << 20));
    v.push_back(int_key("server.max_header_fields", m(&S::server, &ServerSettings::max_header_fields), 10, 10000));
    v.push_back(int_key("server.max_websocket_message_bytes",
                        m(&S::server, &ServerSettings::max_websocket_message_bytes), 1024, 64 << 20));
    v.push_back(duration_key("server.request_timeout", m(&S::server, &ServerSettings::request_timeout), std::chrono::seconds(1)));
    v.push_back(duration_key("server.idle_timeout", m(&S::server, &ServerSettings::idle_timeout), std::chrono::seconds(1)));
    v.push_back(duration_key("server.websocket_idle_timeout", m(&S::server, &ServerSettings::websocket_idle_timeout),
                             std::chrono::seconds(2)));
    v.push_back(int_key("server.max_waiting_per_address", m(&S::server, &ServerSettings::max_waiting_per_address), 0, 1000000));

    v.push_back(string_key("database.path", m(&S::database, &DatabaseSettings::path)));
    auto& database_url = v.emplace_back(string_key("database.url", m(&S::database, &DatabaseSettings::url), true));
    database_url.show = [](const Settings& s) { return quote(redact_url_password(s.database.url)); };
    database_url.check = [](const Settings& s) -> std::string {
      const auto& u = s.database.url;
      if (u.empty() || u.rfind("postgresql://", 0) == 0 || u.rfind("postgres://", 0) == 0) return "";
      return "\"" + redact_url_password(u) +
             "\" is not a PostgreSQL URL (expected postgresql://user@host:5432/database; leave it out for SQLite at database.path)";
    };
    v.push_back(duration_key("database.busy_timeout", m(&S::database, &DatabaseSettings::busy_timeout), {}));
    v.push_back(string_key("cluster.instance", m(&S::cluster, &ClusterSettings::instance)));
    auto& own = v.emplace_back(string_key("cluster.public_url", m(&S::cluster, &ClusterSettings::public_url)));
    own.check = [](const Settings& s) { return s.cluster.public_url.empty() ? "" : check_base_url(s.cluster.public_url); };
    v.push_back(duration_key("cluster.lease", m(&S::cluster, &ClusterSettings::lease), std::chrono::seconds(3)));

    auto& sid = v.emplace_back(string_key("twilio.account_sid", m(&S::twilio, &TwilioSettings::account_sid)));
    sid.check = [](const Settings& s) -> std::string {
      const auto& a = s.twilio.account_sid;
      if (!a.empty() && (a.size() != 34 || a.rfind("AC", 0) != 0))
        return "\"" + a + "\" is not an account SID (expected AC followed by 32 hex digits)";
      return "";
    };
    v.push_back(string_key("twilio.auth_token", m(&S::twilio, &TwilioSettings::auth_token), true));
    v.push_back(string_key("twilio.api_key_sid", m(&S::twilio, &TwilioSettings::api_key_sid)));
    v.push_back(string_key("twilio.api_key_secret", m(&S::twilio, &TwilioSettings::api_key_secret), true));
    auto& api_base = v.emplace_back(string_key("twilio.api_base_url", m(&S::twilio, &TwilioSettings::api_base_url)));
    api_base.check = [](const Settings& s) { return check_url(s.twilio.api_base_url, {"https", "http"}); };
    auto& from = v.emplace_back(string_key("twilio.from", m(&S::twilio, &TwilioSettings::from)));
    from.set_string = [](Settings& s, const std::string& typed) { s.twilio.from = phone_as_stored(typed); };
    from.check = [](const Settings& s) {
      return s.twilio.from.empty() ? std::string() : check_phone_list({s.twilio.from});
    };
    v.push_back(bool_key("twilio.validate_signatures", m(&S::twilio, &TwilioSettings::validate_signatures)));

    // [engine] is how OpenAI was configured before engines were a choice; it stays valid and
    // sets the same values as [engines.openai] (see legacy_key_names()).
    v.push_back(string_key("engine.provider", m(&S::engine, &EngineSettings::provider), false, {"openai"}));
    auto& url = v.emplace_back(string_key("engines.openai.url", m(&S::engine, &EngineSettings::url)));
    url.check = [](const Settings& s) { return check_url(s.engine.url, {"wss", "ws"}); };
    v.push_back(string_key("engines.openai.model", m(&S::engine, &EngineSettings::model)));
    v.push_back(string_key("engines.openai.api_key", m(&S::engine, &EngineSettings::api_key), true));
    v.push_back(string_key("engines.openai.protocol", m(&S::engine, &EngineSettings::protocol), false, {"ga", "beta"}));
    v.push_back(string_key("engines.openai.transcription_model", m(&S::engine, &EngineSettings::transcription_model)));
    v.push_back(duration_key("engines.connect_timeout", m(&S::engine, &EngineSettings::connect_timeout),
                             std::chrono::milliseconds(100)));
    v.push_back(duration_key("engines.max_session", m(&S::engine, &EngineSettings::max_session), {}));

    auto& dg_url = v.emplace_back(string_key("engines.deepgram.url", m(&S::deepgram, &DeepgramSettings::url)));
    dg_url.check = [](const Settings& s) { return check_url(s.deepgram.url, {"wss", "ws"}); };
    v.push_back(string_key("engines.deepgram.api_key", m(&S::deepgram, &DeepgramSettings::api_key), true));
    v.push_back(string_key("engines.deepgram.listen_model", m(&S::deepgram, &DeepgramSettings::listen_model)));
    v.push_back(string_key("engines.deepgram.think_provider", m(&S::deepgram, &DeepgramSettings::think_provider), false,
                           {"open_ai", "anthropic", "google", "groq", "aws_bedrock"}));
    v.push_back(string_key("engines.deepgram.think_model", m(&S::deepgram, &DeepgramSettings::think_model)));
    v.push_back(string_key("engines.deepgram.voice", m(&S::deepgram, &DeepgramSettings::voice)));

    auto& uv_url = v.emplace_back(string_key("engines.ultravox.api_url", m(&S::ultravox, &UltravoxSettings::api_url)));
    uv_url.check = [](const Settings& s) { return check_url(s.ultravox.api_url, {"https", "http"}); };
    v.push_back(string_key("engines.ultravox.api_key", m(&S::ultravox, &UltravoxSettings::api_key), true));
    v.push_back(string_key("engines.ultravox.model", m(&S::ultravox, &UltravoxSettings::model)));
    v.push_back(string_key("engines.ultravox.voice", m(&S::ultravox, &UltravoxSettings::voice)));

    v.push_back(string_key("engines.local.acoustic_model", m(&S::local, &LocalEngineSettings::acoustic_model)));
    v.push_back(string_key("engines.local.dictionary", m(&S::local, &LocalEngineSettings::dictionary)));
    v.push_back(string_key("engines.local.voice", m(&S::local, &LocalEngineSettings::voice)));
    v.push_back(int_key("engines.local.words_per_minute", m(&S::local, &LocalEngineSettings::words_per_minute), 80, 450));
    v.push_back(int_key("engines.local.threads", m(&S::local, &LocalEngineSettings::threads), 0, 64));
    v.push_back(bool_key("engines.local.last_resort", m(&S::local, &LocalEngineSettings::last_resort)));

    v.push_back(int_key("calls.max_concurrent", m(&S::calls, &CallSettings::max_concurrent), 1, 100000));
    v.push_back(duration_key("calls.max_duration", m(&S::calls, &CallSettings::max_duration), std::chrono::seconds(10)));
    v.push_back(duration_key("calls.silence_timeout", m(&S::calls, &CallSettings::silence_timeout), std::chrono::seconds(1)));
    v.push_back(duration_key("calls.stream_timeout", m(&S::calls, &CallSettings::stream_timeout), std::chrono::seconds(1)));
    v.push_back(duration_key("calls.max_event_loop_lag", m(&S::calls, &CallSettings::max_event_loop_lag),
                             std::chrono::milliseconds(0)));
    v.push_back(int_key("calls.max_io_load_percent", m(&S::calls, &CallSettings::max_io_load_percent), 0, 100));
    v.push_back(duration_key("calls.caller_audio_queue", m(&S::calls, &CallSettings::caller_audio_queue),
                             std::chrono::milliseconds(100)));
    v.push_back(duration_key("calls.assistant_audio_queue", m(&S::calls, &CallSettings::assistant_audio_queue),
                             std::chrono::milliseconds(500)));
    v.push_back(int_key("calls.max_tool_calls", m(&S::calls, &CallSettings::max_tool_calls), 0, 10000));
    v.push_back(int_key("calls.max_tool_calls_per_reply", m(&S::calls, &CallSettings::max_tool_calls_per_reply), 0, 1000));
    v.push_back(int_key("calls.max_calls_per_caller_per_hour",
                        m(&S::calls, &CallSettings::max_calls_per_caller_per_hour), 0, 100000));
    v.push_back(phone_list_key("calls.blocked_callers", m(&S::calls, &CallSettings::blocked_callers)));
    v.push_back(string_key("calls.transfer_digit", m(&S::calls, &CallSettings::transfer_digit), false,
                           {"", "0", "1", "2", "3", "4", "5", "6", "7", "8", "9", "*", "#"}));
    // Outbound policy lives one level deeper; a small adapter keeps the same table shape.
    {
      KeySpec k = make_spec("calls.outbound.allowed_numbers", Kind::string_list);
      k.set_list = [](Settings& s, const std::vector<std::string>& l) { s.calls.outbound.allowed_numbers = phones_as_stored(l); };
      k.show = [](const Settings& s) { return show_list(s.calls.outbound.allowed_numbers, false); };
      k.check = [](const Settings& s) { return check_phone_list(s.calls.outbound.allowed_numbers); };
      k.same = [](const Settings& a, const Settings& b) { return a.calls.outbound.allowed_numbers == b.calls.outbound.allowed_numbers; };
      v.push_back(std::move(k));
    }
    {
      KeySpec k = make_spec("calls.outbound.allowed_regions", Kind::string_list);
      k.set_list = [](Settings& s, const std::vector<std::string>& l) { s.calls.outbound.allowed_regions = l; };
      k.show = [](const Settings& s) { return show_list(s.calls.outbound.allowed_regions, false); };
      k.check = [](const Settings& s) -> std::string {
        for (const auto& region : s.calls.outbound.allowed_regions)
          if (!phone::is_region(region))
            return "\"" + region + "\" is not a country code (expected two capital letters such as \"US\" or \"GB\")";
        return "";
      };
      k.same = [](const Settings& a, const Settings& b) { return a.calls.outbound.allowed_regions == b.calls.outbound.allowed_regions; };
      v.push_back(std::move(k));
    }
    {
      KeySpec k = make_spec("calls.outbound.allowed_types", Kind::string_list);
      k.set_list = [](Settings& s, const std::vector<std::string>& l) { s.calls.outbound.allowed_types = l; };
      k.show = [](const Settings& s) { return show_list(s.calls.outbound.allowed_types, false); };
      k.check = [](const Settings& s) -> std::string {
        for (const auto& type : s.calls.outbound.allowed_types) {
          if (phone::line_type_named(type)) continue;
          std::string names;
          for (std::string_view name : phone::line_type_names()) names += (names.empty() ? "" : ", ") + std::string(name);
          return "\"" + type + "\" is not a line type (expected some of " + names + ")";
        }
        return "";
      };
      k.same = [](const Settings& a, const Settings& b) { return a.calls.outbound.allowed_types == b.calls.outbound.allowed_types; };
      v.push_back(std::move(k));
    }
    {
      KeySpec k = make_spec("calls.outbound.allow_us_canada", Kind::boolean);
      k.set_bool = [](Settings& s, bool b) { s.calls.outbound.allow_us_canada = b; };
      k.show = [](const Settings& s) { return std::string(s.calls.outbound.allow_us_canada ? "true" : "false"); };
      k.same = [](const Settings& a, const Settings& b) { return a.calls.outbound.allow_us_canada == b.calls.outbound.allow_us_canada; };
      v.push_back(std::move(k));
    }
    {
      KeySpec k = make_spec("calls.outbound.cooldown", Kind::duration);
      k.set_duration = [](Settings& s, std::chrono::milliseconds d) { s.calls.outbound.cooldown = d; };
      k.show = [](const Settings& s) { return quote(format_duration(s.calls.outbound.cooldown)); };
      k.same = [](const Settings& a, const Settings& b) { return a.calls.outbound.cooldown == b.calls.outbound.cooldown; };
      v.push_back(std::move(k));
    }

    v.push_back(duration_key("webhooks.retry_after", m(&S::webhooks, &WebhookSettings::retry_after),
                             std::chrono::milliseconds(100)));
    v.push_back(duration_key("webhooks.give_up_after", m(&S::webhooks, &WebhookSettings::give_up_after),
                             std::chrono::seconds(1)));
    v.push_back(duration_key("webhooks.timeout", m(&S::webhooks, &WebhookSettings::timeout),
                             std::chrono::milliseconds(100)));
    auto& summary_url = v.emplace_back(string_key("summary.url", m(&S::summary, &SummarySettings::url)));
    summary_url.check = [](const Settings& s) { return check_url(s.summary.url, {"https", "http"}); };
    v.push_back(string_key("summary.api_key", m(&S::summary, &SummarySettings::api_key), true));
    v.push_back(string_key("summary.model", m(&S::summary, &SummarySettings::model)));
    v.push_back(duration_key("summary.timeout", m(&S::summary, &SummarySettings::timeout), std::chrono::seconds(1)));
    v.push_back(string_key("google.credentials_file", m(&S::google, &GoogleSettings::credentials_file)));
    auto& google_api = v.emplace_back(string_key("google.api_url", m(&S::google, &GoogleSettings::api_url)));
    google_api.check = [](const Settings& s) { return check_url(s.google.api_url, {"https", "http"}); };
    auto& google_token = v.emplace_back(string_key("google.token_url", m(&S::google, &GoogleSettings::token_url)));
    google_token.check = [](const Settings& s) {
      return s.google.token_url.empty() ? std::string() : check_url(s.google.token_url, {"https", "http"});
    };
    v.push_back(duration_key("google.timeout", m(&S::google, &GoogleSettings::timeout), std::chrono::seconds(1)));
    auto& dashboard_listen = v.emplace_back(string_key("dashboard.listen", m(&S::dashboard, &DashboardSettings::listen)));
    dashboard_listen.check = [](const Settings& s) {
      return s.dashboard.listen.empty() ? std::string() : check_host_port(s.dashboard.listen);
    };
    v.push_back(duration_key("dashboard.session_idle", m(&S::dashboard, &DashboardSettings::session_idle),
                             std::chrono::minutes(1)));
    v.push_back(duration_key("dashboard.session_lifetime", m(&S::dashboard, &DashboardSettings::session_lifetime),
                             std::chrono::minutes(1)));
    v.push_back(string_key("dashboard.secure_cookies", m(&S::dashboard, &DashboardSettings::secure_cookies), false,
                           {"auto", "always", "never"}));
    v.push_back(int_key("dashboard.max_form_bytes", m(&S::dashboard, &DashboardSettings::max_form_bytes), 1024, 64 << 20));
    v.push_back(int_key("dashboard.max_upload_bytes", m(&S::dashboard, &DashboardSettings::max_upload_bytes), 1024,
                        256 << 20));
    v.push_back(list_key("api.tokens", m(&S::api, &ApiSettings::tokens), true));
    v.push_back(list_key("api.cors_origins", m(&S::api, &ApiSettings::cors_origins)));
    v.push_back(int_key("api.max_body_bytes", m(&S::api, &ApiSettings::max_body_bytes), 1024, 64 << 20));
    v.push_back(int_key("api.burst", m(&S::api, &ApiSettings::burst), 1, 1000000));
    v.push_back(int_key("api.requests_per_second", m(&S::api, &ApiSettings::requests_per_second), 1, 1000000));

    for (const auto& entry : {std::pair{"pricing.text_input", &PricingSettings::text_input},
                              std::pair{"pricing.text_output", &PricingSettings::text_output},
                              std::pair{"pricing.audio_input", &PricingSettings::audio_input},
                              std::pair{"pricing.audio_output", &PricingSettings::audio_output},
                              std::pair{"pricing.cached_input", &PricingSettings::cached_input},
                              std::pair{"pricing.deepgram_per_minute", &PricingSettings::deepgram_per_minute},
                              std::pair{"pricing.ultravox_per_minute", &PricingSettings::ultravox_per_minute}}) {
      auto field = entry.second;
      const char* key = entry.first;
      auto& price = v.emplace_back(string_key(key, m(&S::pricing, field)));
      price.check = [field, key](const Settings& s) -> std::string {
        static const std::regex re(R"(^[0-9]{1,9}(\.[0-9]{1,6})?$)");
        const auto& p = s.pricing.*field;
        if (std::regex_match(p, re)) return "";
        if (std::string_view(key).ends_with("_per_minute"))
          return "\"" + p + "\" is not a price (expected US dollars per minute, like \"0.08\")";
        return "\"" + p + "\" is not a price (expected US dollars per million tokens, like \"32\" or \"0.40\")";
      };
    }

    v.push_back(string_key("log.level", m(&S::log, &LogSettings::level), false, {"debug", "info", "warn", "error"}));
    v.push_back(string_key("log.format", m(&S::log, &LogSettings::format), false, {"text", "json"}));
    return v;
  }();
  return specs;
}

// [engine] keys of the single-engine days → their [engines] names ("engine.url" →
// "engines.openai.url", "engine.connect_timeout" → "engines.connect_timeout"); "" for any other.
std::string current_key_name(const std::string& key) {
  if (key.rfind("engine.", 0) != 0 || key == "engine.provider") return {};
  const std::string field = key.substr(7);
  return field == "connect_timeout" ? "engines." + field : "engines.openai." + field;
}

const KeySpec* find_exact_spec(const std::string& key) {
  for (const auto& k : key_specs())
    if (k.key == key) return &k;
  return nullptr;
}

// A key by its name, or by its name before engines were a choice.
const KeySpec* find_spec(const std::string& key) {
  if (const KeySpec* spec = find_exact_spec(key)) return spec;
  const std::string current = current_key_name(key);
  return current.empty() ? nullptr : find_exact_spec(current);
}

const char* kind_name(Kind kind) {
  switch (kind) {
    case Kind::string: return "a string";
    case Kind::boolean: return "true or false";
    case Kind::integer: return "an integer";
    case Kind::duration: return "a duration like \"30s\" or \"15m\"";
    case Kind::string_list: return "a list of strings";
  }
  return "a value";
}

// "SONORIA_CALLS_MAX_CONCURRENT" for "calls.max_concurrent".
std::string env_name_for(const std::string& key) {
  std::string out = "SONORIA_";
  for (char c : key) out += (c == '.') ? '_' : static_cast<char>(std::toupper(static_cast<unsigned char>(c)));
  return out;
}

// Conventional names honoured besides SONORIA_*; the SONORIA_* spelling wins when both are set.
const std::vector<std::pair<std::string, std::string>>& conventional_env() {
  static const std::vector<std::pair<std::string, std::string>> names = {
      {"OPENAI_API_KEY", "engines.openai.api_key"},
      {"DEEPGRAM_API_KEY", "engines.deepgram.api_key"},
      {"ULTRAVOX_API_KEY", "engines.ultravox.api_key"},
      {"TWILIO_ACCOUNT_SID", "twilio.account_sid"},
      {"TWILIO_AUTH_TOKEN", "twilio.auth_token"},
      {"GOOGLE_APPLICATION_CREDENTIALS", "google.credentials_file"},
      {"TWILIO_API_KEY", "twilio.api_key_sid"},
      {"TWILIO_API_SECRET", "twilio.api_key_secret"},
      {"SONORIA_DB", "database.path"},
      {"SONORIA_DATABASE_URL", "database.url"},
  };
  return names;
}

std::vector<std::string> split_list(const std::string& text) {
  std::vector<std::string> out;
  std::string item;
  std::istringstream in(text);
  while (std::getline(in, item, ',')) {
    auto b = item.find_first_not_of(" \t");
    auto e = item.find_last_not_of(" \t");
    if (b != std::string::npos) out.push_back(item.substr(b, e - b + 1));
  }
  return out;
}

// Applies a value given as text (environment or flag). `where` names the source in messages.
void apply_text(Settings& s, const KeySpec& spec, const std::string& text, const std::string& where) {
  auto fail = [&](const std::string& problem) {
    throw DataError(where + ": " + spec.key + ": " + problem);
  };
  switch (spec.kind) {
    case Kind::string:
      if (!spec.allowed.empty() && std::find(spec.allowed.begin(), spec.allowed.end(), text) == spec.allowed.end()) {
        std::string list;
        for (const auto& a : spec.allowed) list += (list.empty() ? "" : ", ") + quote(a);
        fail(quote(text) + " is not allowed (expected one of " + list + ")");
      }
      spec.set_string(s, text);
      break;
    case Kind::boolean:
      if (text == "true" || text == "1" || text == "yes") spec.set_bool(s, true);
      else if (text == "false" || text == "0" || text == "no") spec.set_bool(s, false);
      else fail(quote(text) + " is not a boolean (expected true or false)");
      break;
    case Kind::integer: {
      char* end = nullptr;
      errno = 0;
      long long v = std::strtoll(text.c_str(), &end, 10);
      if (text.empty() || *end != '\0' || errno) fail(quote(text) + " is not an integer");
      spec.set_int(s, v);
      break;
    }
    case Kind::duration: {
      auto d = parse_duration(text);
      if (!d) fail(quote(text) + " is not a duration (expected like \"30s\", \"15m\", \"1h30m\")");
      spec.set_duration(s, *d);
      break;
    }
    case Kind::string_list:
      spec.set_list(s, split_list(text));
      break;
  }
  if (spec.check) {
    auto problem = spec.check(s);
    if (!problem.empty()) fail(problem);
  }
}

std::string location(const std::string& source_name, const toml::source_region& region) {
  if (region.begin.line == 0) return source_name;
  return source_name + ":" + std::to_string(region.begin.line);
}

// Reads one TOML value into the settings, or records a problem.
// `written` is the key as the file spells it (an [engine] key keeps its old name in messages).
void apply_node(Settings& s, const KeySpec& spec, const toml::node& node, const std::string& where,
                const std::string& written, std::vector<std::string>& problems) {
  auto problem = [&](const std::string& what) { problems.push_back(where + ": " + written + ": " + what); };
  auto wrong_type = [&] { problem(std::string("wrong type (expected ") + kind_name(spec.kind) + ")"); };
  switch (spec.kind) {
    case Kind::string: {
      auto v = node.value<std::string>();
      if (!node.is_string() || !v) return wrong_type();
      if (!spec.allowed.empty() && std::find(spec.allowed.begin(), spec.allowed.end(), *v) == spec.allowed.end()) {
        std::string list;
        for (const auto& a : spec.allowed) list += (list.empty() ? "" : ", ") + quote(a);
        return problem(quote(*v) + " is not allowed (expected one of " + list + ")");
      }
      spec.set_string(s, *v);
      break;
    }
    case Kind::boolean:
      if (!node.is_boolean()) return wrong_type();
      spec.set_bool(s, *node.value<bool>());
      break;
    case Kind::integer:
      if (!node.is_integer()) return wrong_type();
      spec.set_int(s, *node.value<int64_t>());
      break;
    case Kind::duration: {
      if (!node.is_string()) return wrong_type();
      auto text = *node.value<std::string>();
      auto d = parse_duration(text);
      if (!d) return problem(quote(text) + " is not a duration (expected like \"30s\", \"15m\", \"1h30m\")");
      spec.set_duration(s, *d);
      break;
    }
    case Kind::string_list: {
      const auto* arr = node.as_array();
      if (!arr) return wrong_type();
      std::vector<std::string> items;
      for (const auto& item : *arr) {
        if (!item.is_string()) return wrong_type();
        items.push_back(*item.value<std::string>());
      }
      spec.set_list(s, items);
      break;
    }
  }
  if (spec.check) {
    auto p = spec.check(s);
    if (!p.empty()) problem(p);
  }
}

void walk_table(LoadedSettings& loaded, const toml::table& table, const std::string& prefix,
                const std::string& source_name, std::vector<std::string>& problems) {
  for (const auto& [key, node] : table) {
    std::string dotted = prefix.empty() ? std::string(key.str()) : prefix + "." + std::string(key.str());
    std::string where = location(source_name, key.source());
    if (const auto* sub = node.as_table()) {
      bool is_section = std::any_of(key_specs().begin(), key_specs().end(),
                                    [&](const KeySpec& k) { return k.key.rfind(dotted + ".", 0) == 0; });
      if (is_section) {
        walk_table(loaded, *sub, dotted, source_name, problems);
        continue;
      }
    }
    const KeySpec* spec = find_spec(dotted);
    if (!spec) {
      problems.push_back(where + ": unknown key \"" + dotted + "\"" + did_you_mean(dotted, known_keys()));
      continue;
    }
    apply_node(loaded.settings, *spec, node, where, dotted, problems);
    loaded.origins[spec->key] = Origin{Source::file, where};
  }
}

std::string env_or(const std::map<std::string, std::string>& env, const std::string& name, const std::string& fallback) {
  auto it = env.find(name);
  return (it != env.end() && !it->second.empty()) ? it->second : fallback;
}

}  // namespace

std::map<std::string, std::string> process_environment() {
  std::map<std::string, std::string> env;
  for (char** e = environ; e && *e; ++e) {
    std::string entry(*e);
    auto eq = entry.find('=');
    if (eq != std::string::npos) env[entry.substr(0, eq)] = entry.substr(eq + 1);
  }
  return env;
}

std::filesystem::path default_config_path(const std::map<std::string, std::string>& environment) {
  std::string home = env_or(environment, "HOME", "/root");
  std::filesystem::path base = env_or(environment, "XDG_CONFIG_HOME", home + "/.config");
  return base / "sonoria" / "sonoria.toml";
}

std::filesystem::path default_database_path(const std::map<std::string, std::string>& environment) {
  std::string home = env_or(environment, "HOME", "/root");
  std::filesystem::path base = env_or(environment, "XDG_DATA_HOME", home + "/.local/share");
  return base / "sonoria" / "sonoria.db";
}

std::vector<std::string> known_keys() {
  std::vector<std::string> keys;
  for (const auto& k : key_specs()) keys.push_back(k.key);
  return keys;
}

bool is_secret_key(const std::string& key) {
  const KeySpec* spec = find_spec(key);
  return spec && spec->secret;
}

std::string redact(const std::string& secret) {
  if (secret.empty()) return "";
  // Keep a recognisable prefix only for long keys ("sk-…"), never enough to matter.
  std::string prefix = secret.size() >= 12 ? secret.substr(0, 3) : "";
  return prefix + "…(redacted)";
}

void apply_config_toml(LoadedSettings& loaded, std::string_view text, const std::string& source_name) {
  toml::table table;
  try {
    table = toml::parse(text, source_name);
  } catch (const toml::parse_error& e) {
    const auto& pos = e.source().begin;
    throw DataError(source_name + ":" + std::to_string(pos.line) + ":" + std::to_string(pos.column) +
                    ": invalid TOML: " + std::string(e.description()));
  }
  std::vector<std::string> problems;
  walk_table(loaded, table, "", source_name, problems);
  if (!problems.empty()) {
    std::string message;
    for (const auto& p : problems) message += (message.empty() ? "" : "\n") + p;
    throw DataError(message);
  }
}

LoadedSettings load_settings(const LoadOptions& options) {
  LoadedSettings loaded;
  for (const auto& k : key_specs()) loaded.origins[k.key] = Origin{Source::built_in, "built-in default"};

  // 1. The file: --config, then SONORIA_CONFIG, then the XDG default (which may be absent).
  bool explicit_path = false;
  if (options.config_path) {
    loaded.config_path = *options.config_path;
    explicit_path = true;
  } else if (auto it = options.environment.find("SONORIA_CONFIG"); it != options.environment.end() && !it->second.empty()) {
    loaded.config_path = it->second;
    explicit_path = true;
  } else {
    loaded.config_path = default_config_path(options.environment);
  }
  std::error_code ec;
  if (std::filesystem::is_regular_file(loaded.config_path, ec)) {
    std::ifstream in(loaded.config_path, std::ios::binary);
    if (!in) throw DataError(loaded.config_path.string() + ": cannot be read (check its permissions)");
    std::ostringstream text;
    text << in.rdbuf();
    apply_config_toml(loaded, text.str(), loaded.config_path.string());
    loaded.config_file_found = true;
  } else if (explicit_path) {
    throw DataError(loaded.config_path.string() + ": config file not found (run `sonoria init --config " +
                    loaded.config_path.string() + "` to create one)");
  }

  // 2. The environment: conventional names first, SONORIA_<SECTION>_<KEY> over them.
  for (const auto& [name, key] : conventional_env()) {
    auto it = options.environment.find(name);
    if (it == options.environment.end() || it->second.empty()) continue;
    apply_text(loaded.settings, *find_spec(key), it->second, "environment " + name);
    loaded.origins[key] = Origin{Source::environment, name};
  }
  for (const auto& spec : key_specs()) {
    // SONORIA_ENGINE_URL and the like (the [engine] names) still work; the current name wins.
    std::vector<std::string> names;
    if (spec.key.rfind("engines.openai.", 0) == 0) names.push_back(env_name_for("engine." + spec.key.substr(15)));
    if (spec.key == "engines.connect_timeout") names.push_back(env_name_for("engine.connect_timeout"));
    names.push_back(env_name_for(spec.key));
    for (const auto& name : names) {
      auto it = options.environment.find(name);
      if (it == options.environment.end()) continue;
      apply_text(loaded.settings, spec, it->second, "environment " + name);
      loaded.origins[spec.key] = Origin{Source::environment, name};
    }
  }

  // 3. Flags.
  for (const auto& [key, value] : options.flags) {
    const KeySpec* spec = find_spec(key);
    auto name_it = options.flag_names.find(key);
    std::string flag = name_it != options.flag_names.end() ? name_it->second : "--" + key;
    if (!spec) throw DataError(flag + ": unknown setting \"" + key + "\"" + did_you_mean(key, known_keys()));
    apply_text(loaded.settings, *spec, value, flag);
    loaded.origins[spec->key] = Origin{Source::flag, flag};
  }

  // Derived defaults and cross-field rules.
  if (loaded.settings.database.path.empty()) {
    loaded.settings.database.path = default_database_path(options.environment).string();
    loaded.origins["database.path"] = Origin{Source::built_in, "built-in default (XDG data directory)"};
  }
  // Schemes are case-insensitive; what builds the stream's wss:// URL and decides on secure
  // cookies from the public URL reads it in lower case.
  for (auto* url : {&loaded.settings.server.public_url, &loaded.settings.cluster.public_url})
    for (std::size_t i = 0; i < url->size() && (*url)[i] != ':'; ++i)
      (*url)[i] = static_cast<char>(std::tolower(static_cast<unsigned char>((*url)[i])));
  const auto& server = loaded.settings.server;
  if (server.tls_cert.empty() != server.tls_key.empty()) {
    const auto& set_key = server.tls_cert.empty() ? "server.tls_key" : "server.tls_cert";
    const auto& missing_key = server.tls_cert.empty() ? "server.tls_cert" : "server.tls_key";
    throw DataError(loaded.origins[set_key].detail + ": " + set_key + " is set but " + missing_key +
                    " is not (in-process TLS needs both a certificate and a key)");
  }
  return loaded;
}

std::vector<std::string> changed_keys(const Settings& before, const Settings& after) {
  std::vector<std::string> out;
  for (const auto& spec : key_specs())
    if (spec.same && !spec.same(before, after)) out.push_back(spec.key);
  return out;
}

std::string render_settings(const LoadedSettings& loaded) {
  std::ostringstream out;
  out << "# config file: " << loaded.config_path.string() << (loaded.config_file_found ? "" : " (not found; defaults used)")
      << "\n";
  std::string section;
  for (const auto& spec : key_specs()) {
    auto dot = spec.key.rfind('.');
    std::string sec = spec.key.substr(0, dot);
    if (sec != section) {
      out << "\n[" << sec << "]\n";
      section = sec;
    }
    const Origin& origin = loaded.origins.at(spec.key);
    std::string from;
    switch (origin.source) {
      case Source::built_in: from = "default"; break;
      case Source::file: from = "file " + origin.detail; break;
      case Source::environment: from = "environment " + origin.detail; break;
      case Source::flag: from = "flag " + origin.detail; break;
    }
    std::string line = spec.key.substr(dot + 1) + " = " + spec.show(loaded.settings);
    out << line << std::string(line.size() < 48 ? 48 - line.size() : 1, ' ') << "# " << from << "\n";
  }
  return out.str();
}

}  // namespace sonoria::config
