#include "daemon/call_summarizer.hpp"

#include <boost/asio/io_context.hpp>

#include "core/db/database.hpp"
#include "core/db/timestamp.hpp"
#include "core/net/http_client.hpp"
#include "core/reports/call_summary.hpp"
#include "daemon/db_writer.hpp"
#include "daemon/log.hpp"
#include "daemon/org_directory.hpp"

namespace sonoria::daemon {
namespace {
constexpr auto k_tick = std::chrono::seconds(1);
constexpr auto k_settle = std::chrono::seconds(10);
}  // namespace

CallSummarizer::CallSummarizer(const config::Settings& settings, OrgDirectory& orgs, DbWriter& writer)
    : settings_(settings), orgs_(orgs), writer_(writer) {}

CallSummarizer::~CallSummarizer() { stop(); }

void CallSummarizer::start() {
  if (settings_.summary.enabled()) thread_ = std::thread([this] { run(); });
}

void CallSummarizer::stop() {
  {
    std::lock_guard lock(mutex_);
    stopping_ = true;
    if (sending_) static_cast<boost::asio::io_context*>(sending_)->stop();
  }
  cv_.notify_all();
  if (thread_.joinable()) thread_.join();
}

void CallSummarizer::run() {
  std::unique_ptr<db::Database> database;
  for (;;) {
    {
      std::unique_lock lock(mutex_);
      cv_.wait_for(lock, k_tick, [this] { return stopping_; });
      if (stopping_) return;
    }
    try {
      if (!database) database = std::make_unique<db::Database>(settings_.database, db::SchemaCheck::none, true);
      const auto now = std::chrono::steady_clock::now();
      std::erase_if(settling_, [&](const auto& entry) { return entry.second <= now; });
      for (const auto& sid : database->queries().awaiting_summary(db::now_ms() - std::chrono::hours(24), 5)) {
        {
          std::lock_guard lock(mutex_);
          if (stopping_) return;
        }
        if (settling_.count(sid)) continue;
        summarize(*database, sid);
      }
    } catch (const std::exception& e) {
      log_warn("summary.queue_unreadable", "", e.what());
      database.reset();
    }
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

  boost::asio::io_context io;
  net::HttpResponse response;
  bool answered = false;
  {
    std::lock_guard lock(mutex_);
    if (stopping_) return;
    sending_ = &io;
  }
  const auto started = std::chrono::steady_clock::now();
  auto client = net::HttpClient::create(io.get_executor());
  client->request(std::move(request), settings_.summary.timeout, [&](net::HttpResponse r) {
    response = std::move(r);
    answered = true;
  });
  io.run();
  {
    std::lock_guard lock(mutex_);
    sending_ = nullptr;
  }
  if (!answered) return;
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
