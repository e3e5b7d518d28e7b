#include "core/engine/providers.hpp"

#include <functional>

#include "core/engine/deepgram/agent_adapter.hpp"
#include "core/engine/deepgram/agent_protocol.hpp"
#include "core/engine/local/local_adapter.hpp"
#include "core/engine/openai/realtime_adapter.hpp"
#include "core/engine/openai/realtime_protocol.hpp"
#include "core/engine/ultravox/call_api.hpp"
#include "core/engine/ultravox/stream_adapter.hpp"

namespace sonoria::engine {

std::optional<Provider> parse_provider(std::string_view name) {
  if (name == "openai") return Provider::openai;
  if (name == "deepgram") return Provider::deepgram;
  if (name == "ultravox") return Provider::ultravox;
  if (name == "local") return Provider::local;
  return std::nullopt;
}

std::string_view to_string(Provider provider) {
  switch (provider) {
    case Provider::openai: return "openai";
    case Provider::deepgram: return "deepgram";
    case Provider::ultravox: return "ultravox";
    case Provider::local: return "local";
  }
  return "unknown";
}

const std::vector<std::string>& provider_names() {
  static const std::vector<std::string> names = {"openai", "deepgram", "ultravox", "local"};
  return names;
}

ConnectRequest connect_request(Provider provider, const SessionConfig& session, const config::Settings& settings,
                               std::string_view created_url) {
  switch (provider) {
    case Provider::openai: {
      const auto protocol = openai::parse_openai_protocol(settings.engine.protocol).value_or(openai::OpenAiProtocol::ga);
      auto c = openai::openai_connect_request(settings.engine.url, session.model, settings.engine.api_key, protocol);
      return {std::move(c.url), std::move(c.headers)};
    }
    case Provider::deepgram: {
      auto c = deepgram::connect_request(settings.deepgram.url, settings.deepgram.api_key);
      return {std::move(c.url), std::move(c.headers)};
    }
    case Provider::ultravox:
      // The join URL is the credential: no headers.
      if (created_url.empty()) return {};
      return {ultravox::join_url_for_socket(created_url), {}};
    case Provider::local:
      return {};  // in-process: nothing to connect to (daemon/local_engine_runner.hpp)
  }
  return {};
}

std::optional<CreateRequest> create_request(Provider provider, const SessionConfig& session,
                                            const config::Settings& settings,
                                            const std::vector<HistoryLine>& history) {
  if (provider != Provider::ultravox) return std::nullopt;
  auto r = ultravox::create_call_request(session, settings.ultravox, history, settings.calls.max_duration);
  return CreateRequest{std::move(r.method), std::move(r.url), std::move(r.headers), std::move(r.body)};
}

CreateResult parse_create_response(Provider provider, int status, std::string_view body) {
  if (provider != Provider::ultravox)
    return {"", "the " + std::string(to_string(provider)) + " engine has no session to create"};
  auto r = ultravox::parse_create_call_response(status, body);
  return {std::move(r.join_url), std::move(r.error), r.sample_rate_refused};
}

std::optional<PcmRates> wider_audio(Provider provider, const PcmRates& refused) {
  if (provider != Provider::ultravox) return std::nullopt;
  const PcmRates wide{ultravox::k_wide_input_rate, ultravox::k_wide_output_rate};
  if (refused == wide) return std::nullopt;
  return wide;
}

std::unique_ptr<Adapter> make_adapter(Provider provider, const SessionConfig& session,
                                      const config::Settings& settings, FrameSink& sink,
                                      InternTable<std::string>* texts) {
  switch (provider) {
    case Provider::openai: {
      const auto protocol = openai::parse_openai_protocol(settings.engine.protocol).value_or(openai::OpenAiProtocol::ga);
      std::string text = openai::session_update(session, protocol);
      text.shrink_to_fit();  // serialising grew it by doubling: up to twice its length
      std::shared_ptr<const std::string> shared;
      if (texts) shared = texts->intern(std::hash<std::string_view>{}(text), std::move(text));
      else shared = std::make_shared<const std::string>(std::move(text));
      return std::make_unique<openai::RealtimeAdapter>(std::move(shared), protocol, sink, session.voice);
    }
    case Provider::deepgram:
      return std::make_unique<deepgram::AgentAdapter>(session, sink, std::vector<std::string>{"sonoria"});
    case Provider::ultravox:
      return std::make_unique<ultravox::StreamAdapter>(sink, session.pcm);
    case Provider::local:
      return std::make_unique<local::LocalAdapter>(session, sink);
  }
  return nullptr;
}

std::string missing_settings(Provider provider, const config::Settings& settings) {
  switch (provider) {
    case Provider::openai:
      return settings.engine.api_key.empty() ? "engines.openai.api_key is not set" : "";
    case Provider::deepgram:
      return settings.deepgram.api_key.empty() ? "engines.deepgram.api_key is not set" : "";
    case Provider::ultravox:
      if (settings.ultravox.api_key.empty()) return "engines.ultravox.api_key is not set";
      return settings.ultravox.api_url.empty() ? "engines.ultravox.api_url is not set" : "";
    case Provider::local:
      return "";  // needs no key; its model files are checked when the daemon starts
  }
  return "unknown engine";
}

}  // namespace sonoria::engine
