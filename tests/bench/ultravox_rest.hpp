#pragma once
// The REST half of the bench engine's Ultravox (protocols.md §7.1): POST <api_url>/calls creates a
// call in server-WebSocket mode and answers 201 with the URL to join it on this same engine, as
// tests/fakes/fake_ultravox.cpp does (without its full request validation: the bench checks what
// the audio path depends on). Pure; callable from any thread.

#include <optional>
#include <string>
#include <string_view>

namespace sonoria::bench {

struct RestAnswer {
  int status = 0;
  std::string body;  // JSON
};

// The answer to POST /api/calls: 401 {"detail":"Invalid API key."} without an X-API-Key; 400 with a
// DRF-style field error when the body is not a JSON object asking for medium.serverWebSocket at
// 8000 Hz both ways (the only rate the bench engine speaks); else 201 with the Call's callId and
// joinUrl ws://<host>/calls/<call_id>/join. `host` is "address:port" of this engine.
RestAnswer create_call(bool has_api_key, std::string_view body, std::string_view host, std::string_view call_id);

// The call id of a join request target ("/calls/<id>/join", any query); nullopt for anything else.
std::optional<std::string_view> join_call_id(std::string_view target);

}  // namespace sonoria::bench
