#include "daemon/daemon.hpp"

#include <boost/asio/io_context.hpp>
#include <boost/asio/post.hpp>
#include <boost/asio/signal_set.hpp>
#include <boost/asio/steady_timer.hpp>
#include <condition_variable>
#include <cstdlib>
#include <thread>

#include "core/audio/recording_file.hpp"
#include "core/db/database.hpp"
#include "core/engine/providers.hpp"
#include "core/error.hpp"
#include "daemon/admission.hpp"
#include "daemon/api_routes.hpp"
#include "daemon/appointment_api.hpp"
#include "daemon/appointment_reminders.hpp"
#include "daemon/dashboard_routes.hpp"
#include "daemon/google_book.hpp"
#include "daemon/call_registry.hpp"
#include "daemon/db_writer.hpp"
#include "daemon/http_server.hpp"
#include "daemon/log.hpp"
#include "daemon/malloc_arenas.hpp"
#include "daemon/media_session.hpp"
#include "daemon/metrics.hpp"
#include "daemon/org_directory.hpp"
#include "daemon/outbound_api.hpp"
#include "daemon/read_pool.hpp"
#include "daemon/call_summarizer.hpp"
#include "daemon/webhook_sender.hpp"
#include "daemon/recording_files.hpp"
#include "daemon/routes.hpp"
#include "daemon/test_call.hpp"

namespace sonoria::daemon {
namespace {

HttpServerOptions server_options(const config::Settings& s) {
  HttpServerOptions o;
  auto colon = s.server.listen.rfind(':');
  o.host = s.server.listen.substr(0, colon);
  if (o.host.size() > 2 && o.host.front() == '[' && o.host.back() == ']') o.host = o.host.substr(1, o.host.size() - 2);
  o.port = static_cast<uint16_t>(std::stoi(s.server.listen.substr(colon + 1)));
  o.tls_cert_file = s.server.tls_cert;
  o.tls_key_file = s.server.tls_key;
  o.body_limit_for = [](std::string_view method, std::string_view path) { return DashboardRoutes::body_limit(method, path); };
  return o;
}

Admission::Limits admission_limits(const config::Settings& s) {
  return Admission::Limits{s.calls.max_concurrent, s.calls.max_calls_per_caller_per_hour, s.calls.blocked_callers};
}

// server.threads, where 0 means one per core.
int io_thread_count(const config::Settings& s) {
  return s.server.threads > 0 ? s.server.threads : static_cast<int>(std::max(1u, std::thread::hardware_concurrency()));
}

}  // namespace

class Daemon::Impl {
 public:
  explicit Impl(const config::Settings& settings)
      : settings_(settings), admission_(admission_limits(settings)), writer_(prepare_database(settings), DbWriter::Options{}),
        read_pool_(settings_.database),
        services_{settings_, io_, orgs_, admission_, metrics_, writer_, calls_, read_pool_, engine_texts_, render_hold_clip(), {}, {}, load_google(settings_), recordings_},
        routes_(services_), api_(settings_, read_pool_), server_(io_, server_options(settings)) {
    api_.set_outbound_handler([this](const HttpRequest& r, HttpResponder respond) {
      handle_outbound_api(services_, read_pool_, r, std::move(respond));
    });
    api_.set_appointment_cancel_handler([this](const std::string& reference, const HttpRequest& r, HttpResponder respond) {
      handle_appointment_cancel(services_, reference, r, std::move(respond));
    });
    routes_.ready = [this] { return !admission_.draining() && writer_.failed_batches() == 0; };
    const bool own_dashboard_address = !settings_.dashboard.listen.empty();
    server_.set_handler([this, own_dashboard_address](HttpRequest r, HttpResponder respond) {
      if (ApiRoutes::is_api_path(r.path)) return api_.handle(r, std::move(respond));
      if (!own_dashboard_address && DashboardRoutes::is_dashboard_path(r.path)) return dashboard_.handle(r, std::move(respond));
      if (is_calendar_feed_path(r.path)) return handle_calendar_feed(services_, r, std::move(respond));
      routes_.handle(std::move(r), std::move(respond));
    });
    if (own_dashboard_address) {
      HttpServerOptions options = server_options(settings_);
      auto colon = settings_.dashboard.listen.rfind(':');
      options.host = settings_.dashboard.listen.substr(0, colon);
      if (options.host.size() > 2 && options.host.front() == '[') options.host = options.host.substr(1, options.host.size() - 2);
      options.port = static_cast<uint16_t>(std::stoi(settings_.dashboard.listen.substr(colon + 1)));
      dashboard_server_.emplace(io_, options);
      dashboard_server_->set_handler([this](HttpRequest r, HttpResponder respond) {
        if (r.path == "/") {
          HttpResponse moved{303, "", "", {{"Location", "/app/calls"}}, {}};
          return respond(std::move(moved));
        }
        if (DashboardRoutes::is_dashboard_path(r.path)) return dashboard_.handle(r, std::move(respond));
        respond(HttpResponse{404, "text/plain", "not found\n", {}, {}});
      });
    }
    server_.add_websocket_route("/twilio/media",
                                WsRoute{[this](const HttpRequest& r) { return routes_.accept_media_upgrade(r); },
                                        [this](std::shared_ptr<WsConnection> ws) { routes_.on_media_open(std::move(ws), false); }});
    // A test call from the dashboard speaks the same protocol on the dashboard's address.
    (dashboard_server_ ? *dashboard_server_ : server_)
        .add_websocket_route(k_test_call_stream_path,
                             WsRoute{[](const HttpRequest& r) { return DashboardRoutes::accept_test_call_upgrade(r); },
                                     [this](std::shared_ptr<WsConnection> ws) { routes_.on_media_open(std::move(ws), true); }});
  }

  ~Impl() {
    stop_threads();
  }

  // The service account for Google Calendar books; a key that cannot be used is reported now, and
  // those books then tell callers the calendar is unavailable.
  static std::shared_ptr<const GoogleAccount> load_google(const config::Settings& settings) {
    if (!settings.google.enabled()) return nullptr;
    try {
      auto google = std::make_shared<GoogleAccount>();
      google->account = gcal::load_service_account(settings.google);
      log_info("startup.google", "", "Google Calendar books sign in as " + google->account.client_email);
      return google;
    } catch (const std::exception& e) {
      log_error("startup.google_unusable", "", e.what());
      return nullptr;
    }
  }

  // Runs once, before the writer opens its connection: recovery and the first org load.
  const config::DatabaseSettings& prepare_database(const config::Settings& settings) {
    db::Database database(settings.database, db::SchemaCheck::require_current);
    int closed = database.calls().close_abandoned_calls(db::now_ms());
    if (closed) log_warn("startup.recovered_calls", "", "calls left open by an earlier run were closed as interrupted",
                         {{"count", std::to_string(closed)}});
    orgs_.replace(database.orgs().all(), database.knowledge().organizations_with_documents(),
                  database.orgs().signing_secrets());
    return settings.database;
  }

  void start() {
    Log::configure(settings_.log.level, settings_.log.format);
    if (!settings_.twilio.validate_signatures)
      log_warn("startup.signatures_off", "", "twilio.validate_signatures = false: anyone can post webhooks; use only for local development");
    else if (settings_.twilio.auth_token.empty())
      log_warn("startup.no_auth_token", "", "no Twilio auth token: every webhook will be refused (set TWILIO_AUTH_TOKEN)");
    for (const auto& name : orgs_.engines_in_use()) {
      const auto provider = engine::parse_provider(name);
      if (!provider) continue;
      if (auto missing = engine::missing_settings(*provider, settings_); !missing.empty())
        log_warn("startup.engine_not_configured", "",
                 missing + ": calls this engine should answer go to the assistant's next engine, or to the fallback",
                 {{"engine", name}});
    }
    if (orgs_.size() == 0)
      log_warn("startup.no_numbers", "", "no organization answers any number yet (sonoria org import FILE.toml)");
    server_.start();
    if (dashboard_server_) dashboard_server_->start();
    start_reloader();
    recordings_.start();
    webhooks_.start();
    summaries_.start_if_configured();
    reminders_.start_if_configured();
    const int n = io_thread_count(settings_);
    work_.emplace(io_.get_executor());
    for (int i = 0; i < n; ++i) threads_.emplace_back([this] { run_io(); });
    log_info("startup.listening", "", "sonoria is answering calls",
             {{"listen", settings_.server.listen}, {"port", std::to_string(server_.port())},
              {"public_url", settings_.server.public_url}, {"tls", server_.serves_tls() ? "on" : "off"},
              {"dashboard", dashboard_server_ ? settings_.dashboard.listen + " (port " + std::to_string(dashboard_server_->port()) + ")"
                                              : "/app/"},
              {"organizations", std::to_string(orgs_.size())}});
  }

  uint16_t port() const { return server_.port(); }
  uint16_t dashboard_port() const { return dashboard_server_ ? dashboard_server_->port() : server_.port(); }

  void request_stop() {
    boost::asio::post(io_, [this] { begin_drain(); });
  }

  int wait() {
    std::unique_lock lock(stop_mutex_);
    stopped_cv_.wait(lock, [this] { return stopped_; });
    lock.unlock();
    stop_threads();
    return 0;
  }

  int run() {
    start();
    boost::asio::signal_set signals(io_, SIGTERM, SIGINT);
    std::function<void(boost::system::error_code, int)> on_signal = [&](boost::system::error_code ec, int sig) {
      if (ec) return;
      if (draining_) {
        log_warn("shutdown.forced", "", "second signal: exiting at once");
        std::_Exit(1);
      }
      log_info("shutdown.signal", "", sig == SIGTERM ? "SIGTERM received" : "SIGINT received");
      begin_drain();
      signals.async_wait(on_signal);
    };
    signals.async_wait(on_signal);
    int code = wait();
    return code;
  }

 private:
  void run_io() {
    for (;;) {
      try {
        io_.run();
        return;
      } catch (const std::exception& e) {
        // Nothing should throw out of a handler; if something does, log it and keep serving.
        log_error("daemon.handler_threw", "", e.what());
      }
    }
  }

  void begin_drain() {
    if (draining_) return;
    draining_ = true;
    admission_.start_draining();
    server_.stop_accepting();
    if (dashboard_server_) dashboard_server_->stop_accepting();
    dashboard_.stop();
    drain_deadline_ = std::chrono::steady_clock::now() + settings_.server.drain_timeout;
    log_info("shutdown.draining", "", "no new calls; waiting for active calls",
             {{"active", std::to_string(calls_.live_count())}});
    drain_timer_.emplace(io_);
    poll_drain();
  }

  void poll_drain() {
    if (calls_.live_count() == 0 || std::chrono::steady_clock::now() >= drain_deadline_) {
      auto live = calls_.live_sessions();
      if (!live.empty())
        log_warn("shutdown.drain_timeout", "", "ending calls still active", {{"count", std::to_string(live.size())}});
      for (auto& s : live) s->terminate();
      // Let the terminations run, then flush the writer off the event loop and stop.
      drain_timer_->expires_after(std::chrono::milliseconds(live.empty() ? 0 : 200));
      drain_timer_->async_wait([this](boost::system::error_code) {
        std::thread([this] {
          recordings_.stop();  // before the writer: a finished recording is recorded
          writer_.flush_and_stop();
          log_info("shutdown.done", "", "all records written; exiting");
          std::lock_guard lock(stop_mutex_);
          stopped_ = true;
          stopped_cv_.notify_all();
        }).detach();
      });
      return;
    }
    drain_timer_->expires_after(std::chrono::milliseconds(100));
    drain_timer_->async_wait([this](boost::system::error_code) { poll_drain(); });
  }

  void start_reloader() {
    reloader_ = std::thread([this] {
      std::unique_lock lock(reload_mutex_);
      while (!reloader_stop_) {
        reload_cv_.wait_for(lock, std::chrono::seconds(15), [this] { return reloader_stop_; });
        if (reloader_stop_) break;
        try {
          db::Database database(settings_.database, db::SchemaCheck::require_current, true);
          orgs_.replace(database.orgs().all(), database.knowledge().organizations_with_documents(),
                  database.orgs().signing_secrets());
        } catch (const std::exception& e) {
          log_warn("orgs.reload_failed", "", e.what());
        }
      }
    });
  }

  void stop_threads() {
    {
      std::lock_guard lock(reload_mutex_);
      reloader_stop_ = true;
    }
    reload_cv_.notify_all();
    if (reloader_.joinable()) reloader_.join();
    work_.reset();
    io_.stop();
    for (auto& t : threads_)
      if (t.joinable()) t.join();
    threads_.clear();
    summaries_.stop();
    reminders_.stop();
    webhooks_.stop();  // before the writer: its last attempts are recorded
    read_pool_.stop();
    recordings_.stop();
    writer_.flush_and_stop();
  }

  config::Settings settings_;
  boost::asio::io_context io_;
  OrgDirectory orgs_;
  Admission admission_;
  Metrics metrics_;
  RecordingFiles recordings_{audio::recordings_directory(settings_.database.path), metrics_};
  CallRegistry calls_;
  InternTable<std::string> engine_texts_;
  DbWriter writer_;
  ReadPool read_pool_;   // database reads off the io threads (the API, query_knowledge)
  WebhookSender webhooks_{settings_, orgs_, writer_};
  CallSummarizer summaries_{settings_, orgs_, writer_};
  AppointmentReminders reminders_{settings_, orgs_, writer_};
  Services services_;
  Routes routes_;
  ApiRoutes api_;
  DashboardRoutes dashboard_{services_};
  HttpServer server_;
  std::optional<HttpServer> dashboard_server_;
  std::optional<boost::asio::executor_work_guard<boost::asio::io_context::executor_type>> work_;
  std::vector<std::thread> threads_;
  std::optional<boost::asio::steady_timer> drain_timer_;
  std::chrono::steady_clock::time_point drain_deadline_;
  bool draining_ = false;
  std::mutex stop_mutex_;
  std::condition_variable stopped_cv_;
  bool stopped_ = false;
  std::thread reloader_;
  std::mutex reload_mutex_;
  std::condition_variable reload_cv_;
  bool reloader_stop_ = false;
};

Daemon::Daemon(const config::Settings& settings) {
  limit_malloc_arenas(io_thread_count(settings));  // before any thread of the daemon exists
  impl_ = std::make_unique<Impl>(settings);
}
Daemon::~Daemon() = default;
void Daemon::start() { impl_->start(); }
uint16_t Daemon::port() const { return impl_->port(); }
uint16_t Daemon::dashboard_port() const { return impl_->dashboard_port(); }
void Daemon::request_stop() { impl_->request_stop(); }
int Daemon::wait() { return impl_->wait(); }
int Daemon::run() { return impl_->run(); }

}  // namespace sonoria::daemon
