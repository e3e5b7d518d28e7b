#include "core/tools/http_tools.hpp"

#include <boost/url/encode.hpp>
#include <boost/url/rfc/unreserved_chars.hpp>

#include <set>

#include "core/text_bytes.hpp"

namespace sonoria::tools {
namespace {

using nlohmann::json;

// Everything but RFC 3986's unreserved characters, percent-encoded (Boost.URL).
std::string percent_encode(std::string_view s) { return boost::urls::encode(s, boost::urls::unreserved_chars); }

// An argument as it goes into a URL: strings as they are, anything else as JSON.
std::string as_text(const json& value) {
  return value.is_string() ? value.get<std::string>() : value.dump(-1, ' ', false, json::error_handler_t::replace);
}

bool sends_body(const std::string& method) { return method == "POST" || method == "PUT" || method == "PATCH"; }

std::string cut(const std::string& text, std::size_t max, bool& truncated) {
  truncated = text.size() > max;
  return text.substr(0, utf8_cut(text, max));
}

}  // namespace

void add_http_tools(Registry& registry, const org::Profile& profile, std::vector<std::string>* skipped) {
  for (const org::HttpTool& tool : profile.http_tools) {
    json schema = tool.parameters.empty() ? json{{"type", "object"}, {"properties", json::object()}}
                                          : json::parse(tool.parameters, nullptr, /*allow_exceptions=*/false);
    try {
      if (schema.is_discarded()) throw std::invalid_argument("parameters are not JSON");
      registry.add({tool.name, tool.description, std::move(schema)}, [&tool](const json& arguments) -> ToolOutcome {
        auto rendered = render_http_call(tool, arguments);
        if (auto* problem = std::get_if<std::string>(&rendered)) return tool_failure(*problem);
        auto call = std::get<CallHttp>(std::move(rendered));
        return tool_success(json{{"calling", tool.name}}, std::move(call));
      });
    } catch (const std::invalid_argument&) {
      if (skipped) skipped->push_back(tool.name);
    }
  }
}

std::variant<CallHttp, std::string> render_http_call(const org::HttpTool& tool, const json& arguments) {
  CallHttp call;
  call.tool = tool.name;
  call.method = tool.method;
  call.timeout_ms = tool.timeout_ms;
  call.retries = tool.retries;
  call.filler = tool.filler;
  for (const auto& header : tool.headers) call.headers.emplace_back(header.name, header.value);
  std::set<std::string> used;
  std::string url;
  std::size_t at = 0;
  for (;;) {
    const auto open = tool.url.find("{{", at);
    if (open == std::string::npos) break;
    const auto close = tool.url.find("}}", open);
    if (close == std::string::npos) break;
    const std::string name = tool.url.substr(open + 2, close - open - 2);
    url += tool.url.substr(at, open - at);
    if (!arguments.is_object() || !arguments.contains(name) || arguments[name].is_null())
      return "argument \"" + name + "\" is needed (it is part of the tool's address)";
    url += percent_encode(as_text(arguments[name]));
    used.insert(name);
    at = close + 2;
  }
  url += tool.url.substr(at);
  json rest = json::object();
  if (arguments.is_object())
    for (const auto& [key, value] : arguments.items())
      if (!used.count(key)) rest[key] = value;
  if (sends_body(tool.method)) {
    call.body = rest.dump(-1, ' ', false, json::error_handler_t::replace);
    call.headers.emplace_back("Content-Type", "application/json");
  } else if (!rest.empty()) {
    std::string query;
    for (const auto& [key, value] : rest.items())
      query += (query.empty() ? "" : "&") + percent_encode(key) + "=" + percent_encode(as_text(value));
    url += (url.find('?') == std::string::npos ? "?" : "&") + query;
  }
  call.url = std::move(url);
  return call;
}

ResolvedHeaders resolve_headers(const std::vector<std::pair<std::string, std::string>>& headers,
                                const std::function<const char*(const std::string&)>& lookup) {
  ResolvedHeaders out;
  for (const auto& [name, value] : headers) {
    std::string resolved;
    std::size_t at = 0;
    for (;;) {
      const auto open = value.find("${", at);
      const auto close = open == std::string::npos ? std::string::npos : value.find('}', open);
      if (close == std::string::npos) {
        resolved += value.substr(at);
        break;
      }
      resolved += value.substr(at, open - at);
      const std::string variable = value.substr(open + 2, close - open - 2);
      const char* found = lookup(variable);
      if (!found || !*found) {
        if (out.missing.empty()) out.missing = variable;
      } else {
        resolved += found;
      }
      at = close + 1;
    }
    out.headers.emplace_back(name, std::move(resolved));
  }
  return out;
}

ToolOutcome finish_http_outcome(const ToolOutcome& provisional, const CallHttp& call, const HttpAnswer& answer) {
  json fields = json::object();
  bool truncated = false;
  if (answer.status > 0) {
    fields["status"] = answer.status;
    const std::string body = cut(answer.body, k_http_answer_bytes, truncated);
    const bool is_json = answer.content_type.find("json") != std::string::npos;
    json parsed = is_json && !truncated ? json::parse(body, nullptr, false) : json(json::value_t::discarded);
    fields["result"] = parsed.is_discarded() ? json(body) : parsed;
    if (truncated) fields["truncated"] = true;
  }
  if (answer.attempts > 1) fields["attempts"] = answer.attempts;
  ToolOutcome out;
  if (answer.status >= 200 && answer.status < 300) {
    out = tool_success(std::move(fields));
    out.transcript_note = "Called " + call.tool + ": HTTP " + std::to_string(answer.status);
  } else {
    const std::string why = answer.status > 0
                                ? "the " + call.tool + " service answered HTTP " + std::to_string(answer.status)
                                : "the " + call.tool + " service " + (answer.error.empty() ? "did not answer" : answer.error);
    fields["ok"] = false;
    fields["error"] = why + "; tell the caller you cannot check that right now, and offer to take a message";
    out = ToolOutcome{fields.dump(-1, ' ', false, json::error_handler_t::replace), NoEffect{}, false};
    out.transcript_note = "Called " + call.tool + ": failed (" + why + ")";
  }
  out.repeat_key = provisional.repeat_key;
  return out;
}

}  // namespace sonoria::tools
