#pragma once
// The business's own tools ([[http_tools]] of the profile, org::HttpTool) as tools of a call.
// The handler checks nothing more than the registry already did (the arguments against the
// tool's schema) and renders the request: {{placeholders}} of the URL filled in, percent-encoded;
// the other arguments as the query (GET, DELETE) or a JSON body (POST, PUT, PATCH). The daemon
// sends it (a CallHttp effect: environment references in headers resolved, signed, retried) and
// gives the model finish_http_outcome(). Pure.

#include <functional>
#include <string>
#include <variant>

#include "core/org/profile.hpp"
#include "core/tools/registry.hpp"

namespace sonoria::tools {

// The most of an answer given to the model (bytes); the rest is cut and said to be.
inline constexpr std::size_t k_http_answer_bytes = 4000;

// Adds each of the profile's HTTP tools; `profile` must outlive the registry. A tool whose schema
// the registry refuses (a profile stored before it was checked) is left out and named in
// `skipped`.
void add_http_tools(Registry& registry, const org::Profile& profile, std::vector<std::string>* skipped = nullptr);

// The request for `tool` with `arguments` (already valid against its schema), or why there is
// none (a URL placeholder without its argument).
std::variant<CallHttp, std::string> render_http_call(const org::HttpTool& tool, const nlohmann::json& arguments);

// `headers` with ${NAME} read through `lookup` (the daemon: std::getenv); `missing` names the
// first variable that is not set (the headers are then incomplete and must not be sent).
struct ResolvedHeaders {
  std::vector<std::pair<std::string, std::string>> headers;
  std::string missing;
};
ResolvedHeaders resolve_headers(const std::vector<std::pair<std::string, std::string>>& headers,
                                const std::function<const char*(const std::string&)>& lookup);

// What came back (or did not), for the model.
struct HttpAnswer {
  int status = 0;                    // 0: no answer (see error)
  std::string content_type;
  std::string body;
  std::string error;                 // a sentence: "did not answer within 4 s", "cannot connect …"
  int attempts = 1;
};

// 2xx: {"ok":true,"status":…,"result": JSON or text}; otherwise {"ok":false,"error": a sentence
// the assistant can explain to the caller, "status", "result"}; the answer is cut to
// k_http_answer_bytes ("truncated": true).
ToolOutcome finish_http_outcome(const ToolOutcome& provisional, const CallHttp& call, const HttpAnswer& answer);

}  // namespace sonoria::tools
