#include "daemon/call_summarizer.hpp"

#include "core/db/database.hpp"
#include "core/db/timestamp.hpp"
#include "core/net/http_client.hpp"
#include "core/reports/call_summary.hpp"
#include "daemon/db_writer.hpp"
#include "daemon/log.hpp"
#include "daemon/org_directory.hpp"

namespace sonoria::daemon {
namespace {
constexpr auto k_settle = std::chrono::seconds(10);
}  // namespace

CallSummarizer::CallSummarizer(const config::Settings& settings, OrgDirectory& orgs, DbWriter& writer)
    : BackgroundWorker(settings.database, "summary"), settings_(settings), orgs_(orgs), writer_(writer) {}

CallSummarizer::~CallSummarizer() { stop(); }

void CallSummarizer::start_if_configured() {
  if (settings_.summary.enabled()) start();
}

void CallSummarizer::round(db::Database& database) {
  const auto now = std::chrono::steady_clock::now();
  std::erase_if(settling_, [&](const auto& entry) { return entry.second <= now; });
  for (const auto& sid : database.queries().awaiting_summary(db::now_ms() - std::chrono::hours(24), 5)) {
    if (stopping()) return;
    if (!settling_.count(sid)) summarize(database, sid);
  }
}

void CallSummarizer::summarize(db::Database& database, const std::string& call_sid) {
  auto row = database.queries().find(call_sid);
  if (!row) return;
  const auto transcript = database.queries().transcript(*row);
  std::string organization;
  if (row->organization_id)
    if (auto profile = orgs_.by_id_or_slug(std::to_string(*row->organization_id)))
      organization = profile->organization.name;
  std::string base = settings_.summary.url;
  while (!base.empty() && base.back() == '/') base.pop_back();
  net::HttpRequest request;
  request.method = "POST";
  request.url = base + "/chat/completions";
  request.headers = {{"Content-Type", "application/json"}, {"Authorization", "Bearer " + settings_.summary.api_key}};
  request.body = reports::summary_request_body(settings_.summary.model, organization, transcript);

  const auto started = std::chrono::steady_clock::now();
  auto answer = send(std::move(request), settings_.summary.timeout);
  if (!answer) return;  // stopped: summarized next time
  const net::HttpResponse& response = *answer;
  const auto summary = reports::read_summary_answer(response.ok() ? response.status : 0, response.body, response.error_text);
  const auto ms = std::to_string(
      std::chrono::duration_cast<std::chrono::milliseconds>(std::chrono::steady_clock::now() - started).count());
  if (summary.contains("error"))
    log_warn("summary.failed", call_sid, summary["error"].get<std::string>(), {{"elapsed_ms", ms}});
  else log_info("summary.made", call_sid, "", {{"elapsed_ms", ms}});
  settling_[call_sid] = std::chrono::steady_clock::now() + k_settle;
  writer_.post(db::CallSummarized{call_sid, summary.dump(-1, ' ', false, nlohmann::json::error_handler_t::replace)});
}

}  // namespace sonoria::daemon
