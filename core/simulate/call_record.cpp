#include "core/simulate/call_record.hpp"

#include <boost/asio/steady_timer.hpp>

namespace sonoria::simulate {
namespace {

using nlohmann::json;
using Clock = std::chrono::steady_clock;

std::string text_of(const json& j, const char* key) {
  auto it = j.find(key);
  return it != j.end() && it->is_string() ? it->get<std::string>() : std::string();
}

// Tool calls and their results pair up by call_id, in the order the calls were made.
std::vector<RecordedToolCall> tools_of(const json& events) {
  std::vector<RecordedToolCall> out;
  std::vector<std::string> ids;
  for (const auto& e : events) {
    if (!e.is_object() || !e.contains("detail") || !e["detail"].is_object()) continue;
    const json& d = e["detail"];
    const std::string kind = text_of(e, "kind");
    if (kind == "tool_call") {
      RecordedToolCall call;
      call.name = text_of(d, "name");
      call.arguments = json::parse(text_of(d, "arguments"), nullptr, false);
      if (call.arguments.is_discarded()) call.arguments = text_of(d, "arguments");
      out.push_back(std::move(call));
      ids.push_back(text_of(d, "call_id"));
    } else if (kind == "tool_result") {
      const std::string id = text_of(d, "call_id");
      for (std::size_t i = 0; i < ids.size(); ++i) {
        if (ids[i] != id || out[i].ok) continue;
        if (d.contains("ok") && d["ok"].is_boolean()) out[i].ok = d["ok"].get<bool>();
        out[i].output = d.contains("output") && d["output"].is_string() ? d["output"].get<std::string>()
                        : d.contains("output")                         ? d["output"].dump()
                                                                       : std::string();
        break;
      }
    }
  }
  return out;
}

// Engine failovers and lost engine connections, in order.
std::vector<RecordedEngineChange> engine_changes_of(const json& events) {
  std::vector<RecordedEngineChange> out;
  for (const auto& e : events) {
    if (!e.is_object() || !e.contains("detail") || !e["detail"].is_object()) continue;
    const json& d = e["detail"];
    const std::string kind = text_of(e, "kind");
    if (kind == "engine_failover")
      out.push_back({kind, text_of(d, "from"), text_of(d, "to"), text_of(d, "reason")});
    else if (kind == "engine_lost")
      out.push_back({kind, "", text_of(d, "engine"), text_of(d, "reason")});
  }
  return out;
}

class Fetch : public std::enable_shared_from_this<Fetch> {
 public:
  Fetch(std::shared_ptr<net::HttpClient> http, std::string url, std::string token, std::chrono::milliseconds patience,
        std::function<void(std::optional<CallRecord>, std::string)> done)
      : http_(std::move(http)), timer_(http_->executor()), url_(std::move(url)), token_(std::move(token)),
        deadline_(Clock::now() + patience), done_(std::move(done)) {}

  void ask() {
    net::HttpRequest request;
    request.url = url_;
    request.headers = {{"Authorization", "Bearer " + token_}, {"Accept", "application/json"}};
    http_->request(std::move(request), std::chrono::seconds(5),
                   [self = shared_from_this()](net::HttpResponse response) { self->on_answer(std::move(response)); });
  }

 private:
  void on_answer(net::HttpResponse response) {
    if (!response.ok()) return finish(std::nullopt, "cannot read the call from the API: " + response.error_text);
    if (response.status != 200) {
      auto body = json::parse(response.body, nullptr, false);
      std::string message = body.is_object() && body.contains("error") && body["error"].is_object()
                                ? text_of(body["error"], "message")
                                : std::string();
      // The call row may not be stored yet: a 404 is worth another try.
      if (response.status == 404 && Clock::now() < deadline_) return again();
      return finish(std::nullopt, "the API answered HTTP " + std::to_string(response.status) +
                                      (message.empty() ? std::string() : ": " + message));
    }
    std::string why;
    auto record = parse_call_record(response.body, &why);
    if (!record) return finish(std::nullopt, "the API's answer was not a call: " + why);
    if (!record->ended && Clock::now() < deadline_) {
      last_ = std::move(record);
      return again();
    }
    finish(std::move(record), {});
  }

  void again() {
    timer_.expires_after(std::chrono::milliseconds(200));
    timer_.async_wait([self = shared_from_this()](boost::system::error_code ec) {
      if (!ec) self->ask();
    });
  }

  void finish(std::optional<CallRecord> record, std::string error) {
    if (!record && last_ && error.empty()) record = std::move(last_);
    auto done = std::move(done_);
    if (done) done(std::move(record), std::move(error));
  }

  std::shared_ptr<net::HttpClient> http_;
  boost::asio::steady_timer timer_;
  std::string url_;
  std::string token_;
  Clock::time_point deadline_;
  std::optional<CallRecord> last_;
  std::function<void(std::optional<CallRecord>, std::string)> done_;
};

}  // namespace

std::optional<CallRecord> parse_call_record(std::string_view body, std::string* why) {
  auto fail = [&](std::string text) -> std::optional<CallRecord> {
    if (why) *why = std::move(text);
    return std::nullopt;
  };
  json j = json::parse(body, nullptr, false);
  if (j.is_discarded() || !j.is_object()) return fail("not a JSON object");
  if (!j.contains("status") || !j["status"].is_string()) return fail("no \"status\"");
  CallRecord record;
  record.status = j["status"].get<std::string>();
  record.end_reason = text_of(j, "end_reason");
  record.ended = j.contains("ended_at") && j["ended_at"].is_string();
  if (j.contains("turns") && j["turns"].is_array())
    for (const auto& t : j["turns"])
      if (t.is_object())
        record.turns.push_back({text_of(t, "speaker"), text_of(t, "text"), t.value("interrupted", false)});
  if (j.contains("events") && j["events"].is_array()) {
    record.tools = tools_of(j["events"]);
    record.engine_changes = engine_changes_of(j["events"]);
  }
  if (j.contains("engines") && j["engines"].is_array())
    for (const auto& e : j["engines"])
      if (e.is_object() && e.contains("engine") && e["engine"].is_string())
        record.engines.emplace_back(e["engine"].get<std::string>(),
                                    e.contains("ms") && e["ms"].is_number_integer() ? e["ms"].get<int64_t>() : 0);
  return record;
}

void log_call_record(EventLog& log, const CallRecord& record) {
  for (const auto& change : record.engine_changes) {
    if (change.kind == "engine_failover")
      log.emit(LogLevel::warning, "engine_change",
               nlohmann::ordered_json{{"kind", change.kind}, {"from", change.from}, {"to", change.to}, {"reason", change.reason}},
               "engine " + change.from + " → " + change.to + " (" + change.reason + ")");
    else
      log.emit(LogLevel::warning, "engine_change", nlohmann::ordered_json{{"kind", change.kind}, {"reason", change.reason}},
               "engine connection lost: " + change.reason);
  }
  for (const auto& tool : record.tools) {
    std::string args = tool.arguments.is_string() ? tool.arguments.get<std::string>() : tool.arguments.dump();
    std::string outcome = !tool.ok ? "no result recorded" : *tool.ok ? "ok" : "failed";
    nlohmann::ordered_json fields{{"name", tool.name}, {"arguments", tool.arguments}};
    fields["ok"] = tool.ok ? nlohmann::ordered_json(*tool.ok) : nlohmann::ordered_json(nullptr);
    fields["output"] = tool.output;
    log.emit(LogLevel::info, "tool_call", std::move(fields),
             "tool " + tool.name + " " + args + " → " + outcome + (tool.output.empty() ? "" : ": " + tool.output));
  }
  for (const auto& turn : record.turns)
    log.emit(LogLevel::info, "transcript",
             nlohmann::ordered_json{{"speaker", turn.speaker}, {"text", turn.text}, {"interrupted", turn.interrupted}},
             turn.speaker + ": " + turn.text + (turn.interrupted ? " [interrupted]" : ""));
  std::string engines;
  nlohmann::ordered_json engine_list = nlohmann::ordered_json::array();
  for (const auto& [engine, ms] : record.engines) {
    engines += (engines.empty() ? "" : ", then ") + engine;
    engine_list.push_back({{"engine", engine}, {"ms", ms}});
  }
  log.emit(LogLevel::info, "call_record",
           nlohmann::ordered_json{
               {"status", record.status}, {"end_reason", record.end_reason}, {"ended", record.ended}, {"engines", engine_list}},
           "sonoria recorded the call as " + record.status +
               (record.end_reason.empty() ? std::string() : " (" + record.end_reason + ")") +
               (engines.empty() ? std::string() : ", answered by " + engines));
}

void fetch_call_record(std::shared_ptr<net::HttpClient> http, std::string url, std::string token,
                       std::chrono::milliseconds patience,
                       std::function<void(std::optional<CallRecord>, std::string)> done) {
  std::make_shared<Fetch>(std::move(http), std::move(url), std::move(token), patience, std::move(done))->ask();
}

}  // namespace sonoria::simulate
