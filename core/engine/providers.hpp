#pragma once
// Which engines sonoria speaks to, and how a call gets one: the adapter for a provider and the
// WebSocket request that reaches it, from the settings ([engines.*]). Plain functions; the adapter
// is the only part that knows the provider's wire format.

#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "core/config/settings.hpp"
#include "core/engine/adapter.hpp"
#include "core/engine/session_config.hpp"
#include "core/intern_table.hpp"

namespace sonoria::engine {

enum class Provider { openai, deepgram, ultravox };

// "openai", "deepgram", "ultravox" → the provider; nullopt for anything else.
std::optional<Provider> parse_provider(std::string_view name);
std::string_view to_string(Provider provider);
// The names, in the order above (for messages listing what is allowed).
const std::vector<std::string>& provider_names();

// The WebSocket URL and headers of a session. Headers carry the secret: never log them.
struct ConnectRequest {
  std::string url;
  std::vector<std::pair<std::string, std::string>> headers;
};
ConnectRequest connect_request(Provider provider, const SessionConfig& session, const config::Settings& settings);

// The adapter of one call's engine; its frames go to `sink` (which must outlive it). `texts`
// shares identical configuration texts between calls (an organization's calls in one minute send
// the same OpenAI session.update); may be null.
std::unique_ptr<Adapter> make_adapter(Provider provider, const SessionConfig& session,
                                      const config::Settings& settings, FrameSink& sink,
                                      InternTable<std::string>* texts);

// Whether the settings hold what connecting to `provider` needs; the problem as a sentence
// ("engines.deepgram.api_key is not set"), or "".
std::string missing_settings(Provider provider, const config::Settings& settings);

}  // namespace sonoria::engine
