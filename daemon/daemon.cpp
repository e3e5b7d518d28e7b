#include "daemon/daemon.hpp"

#include <boost/asio/io_context.hpp>
#include <boost/asio/post.hpp>
#include <boost/asio/signal_set.hpp>
#include <boost/asio/steady_timer.hpp>
#include <condition_variable>
#include <csignal>
#include <set>
#include <cstdlib>
#include <thread>

#include "core/audio/recording_file.hpp"
#include "core/call/readiness.hpp"
#include "core/config/loader.hpp"
#include "core/db/database.hpp"
#include "core/db/migrations.hpp"
#include "core/db/record_journal.hpp"
#include "core/engine/providers.hpp"
#include "core/error.hpp"
#include "daemon/admission.hpp"
#include "daemon/api_routes.hpp"
#include "daemon/appointment_api.hpp"
#include "daemon/appointment_reminders.hpp"
#include "daemon/dashboard_routes.hpp"
#include "daemon/google_book.hpp"
#include "daemon/call_registry.hpp"
#include "daemon/control_socket.hpp"
#include "daemon/cluster_lease.hpp"
#include "daemon/db_writer.hpp"
#include "daemon/http_server.hpp"
#include "core/auth/local_test_key.hpp"
#include "daemon/local_engine_runner.hpp"
#include "daemon/log.hpp"
#include "daemon/malloc_arenas.hpp"
#include "daemon/media_session.hpp"
#include "daemon/message_reconciler.hpp"
#include "daemon/metrics.hpp"
#include "daemon/org_directory.hpp"
#include "daemon/overload_monitor.hpp"
#include "daemon/outbound_api.hpp"
#include "daemon/read_pool.hpp"
#include "daemon/request_body_limit.hpp"
#include "daemon/call_summarizer.hpp"
#include "daemon/webhook_sender.hpp"
#include "daemon/recording_files.hpp"
#include "daemon/routes.hpp"
#include "daemon/systemd_notifier.hpp"
#include "daemon/test_call.hpp"

namespace sonoria::daemon {
namespace {

HttpServerOptions server_options(const config::Settings& s, int inherited_fd) {
  HttpServerOptions o;
  o.inherited_fd = inherited_fd;
  auto colon = s.server.listen.rfind(':');
  o.host = s.server.listen.substr(0, colon);
  if (o.host.size() > 2 && o.host.front() == '[' && o.host.back() == ']') o.host = o.host.substr(1, o.host.size() - 2);
  o.port = static_cast<uint16_t>(std::stoi(s.server.listen.substr(colon + 1)));
  o.tls_cert_file = s.server.tls_cert;
  o.tls_key_file = s.server.tls_key;
  o.body_limit = static_cast<std::size_t>(s.server.max_body_bytes);
  o.body_limit_for = [settings = s](std::string_view method, std::string_view path, std::string_view origin) {
    return request_body_limit(settings, method, path, origin);
  };
  o.header_limit = static_cast<std::size_t>(s.server.max_header_bytes);
  o.max_header_fields = s.server.max_header_fields;
  o.request_timeout = s.server.request_timeout;
  o.idle_timeout = s.server.idle_timeout;
  o.websocket.max_message_bytes = static_cast<std::size_t>(s.server.max_websocket_message_bytes);
  o.websocket.idle_timeout = s.server.websocket_idle_timeout;
  o.max_waiting_per_address = s.server.max_waiting_per_address;
  return o;
}

Admission::Limits admission_limits(const config::Settings& s) {
  return Admission::Limits{s.calls.max_concurrent, s.calls.max_calls_per_caller_per_hour, s.calls.blocked_callers};
}

// server.threads, where 0 means one per core.
int io_thread_count(const config::Settings& s) {
  return s.server.threads > 0 ? s.server.threads : static_cast<int>(std::max(1u, std::thread::hardware_concurrency()));
}

DbWriter::Options writer_options(const std::string& owner) {
  DbWriter::Options options;
  options.owner = owner;
  return options;
}

}  // namespace

class Daemon::Impl {
 public:
  explicit Impl(const config::Settings& settings)
      : settings_(settings), admission_(admission_limits(settings)),
        writer_(prepare_database(settings), writer_options(instance_), &metrics_),
        read_pool_(settings_.database),
        services_{settings_, io_, orgs_, admission_, metrics_, writer_, calls_, read_pool_, engine_texts_, render_hold_clip(), {}, {}, load_google(settings_), recordings_,
                  local_engines_, local_test_key(settings_)},
        routes_(services_), api_(settings_, read_pool_),
        server_(io_, server_options(settings, inherited_fd(""))) {
    services_.instance = instance_;
    api_.set_outbound_handler([this](const HttpRequest& r, HttpResponder respond) {
      handle_outbound_api(services_, read_pool_, r, std::move(respond));
    });
    api_.set_appointment_cancel_handler([this](const std::string& reference, const HttpRequest& r, HttpResponder respond) {
      handle_appointment_cancel(services_, reference, r, std::move(respond));
    });
    routes_.not_ready = [this] { return not_ready_reason(); };
    const bool own_dashboard_address = !settings_.dashboard.listen.empty();
    server_.set_handler([this, own_dashboard_address](HttpRequest r, HttpResponder respond) {
      if (ApiRoutes::is_api_path(r.path)) return api_.handle(r, std::move(respond));
      if (!own_dashboard_address && DashboardRoutes::is_dashboard_path(r.path)) return dashboard_.handle(r, std::move(respond));
      if (is_calendar_feed_path(r.path)) return handle_calendar_feed(services_, r, std::move(respond));
      routes_.handle(std::move(r), std::move(respond));
    });
    if (own_dashboard_address) {
      HttpServerOptions options = server_options(settings_, inherited_fd("dashboard"));
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

  // The key `sonoria simulate` on this machine signs with when it has no Twilio auth token; made at
  // the first start. Without it (a read-only folder) test calls need the auth token, as before.
  static std::string local_test_key(const config::Settings& settings) {
    if (!settings.twilio.validate_signatures) return "";
    try {
      return auth::ensure_local_test_key(auth::local_test_key_path(settings.database.path));
    } catch (const std::exception& e) {
      log_warn("startup.no_local_test_key", "", e.what());
      return "";
    }
  }

  // Records an earlier run could not write (the database was locked or the disk full when it
  // stopped) are written first, before the calls it left open are closed. If the database still
  // does not take them, they stay in the journal and the writer tries again.
  static void replay_journal(db::Database& database, const std::string& database_path) {
    db::RecordJournal journal(db::journal_path_for(database_path));
    if (!journal.exists()) return;
    auto contents = journal.read();
    try {
      database.calls().write_batch(contents.records);
      journal.remove();
      log_info("startup.journal_written", "", "records an earlier run could not write are in the database",
               {{"records", contents.records.size()}, {"unreadable_lines", contents.unreadable}});
    } catch (const std::exception& e) {
      log_warn("startup.journal_waiting", "", std::string(e.what()) + "; the writer keeps trying",
               {{"records", contents.records.size()}});
    }
  }

  // Runs once, before the writer opens its connection: recovery and the first org load.
  const config::DatabaseSettings& prepare_database(const config::Settings& settings) {
    db::Database database(settings.database, db::SchemaCheck::require_current);
    database.check_integrity();
    database.calls().set_owner(instance_);
    // Alive before the first call is opened: no other daemon may take a call of ours for a dead one's.
    database.cluster().renew(instance_, settings.own_url(), false, db::now_ms(),
                             std::chrono::duration_cast<std::chrono::milliseconds>(settings.cluster.lease));
    replay_journal(database, settings.database.path);
    // Ours from an earlier run, no daemon's, or a dead daemon's: the calls of daemons still
    // alive on the same database are theirs.
    int closed = database.calls().close_abandoned_calls(db::now_ms(), instance_);
    if (closed) log_warn("startup.recovered_calls", "", "calls left open by an earlier run were closed as interrupted",
                         {{"count", closed}});
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
    if (settings_.local.last_resort && !local_engines_.problem().empty())
      log_warn("startup.local_engine_unavailable", "",
               local_engines_.problem() + ": calls no cloud engine can take go to the fallback instead");
    if (orgs_.size() == 0)
      log_warn("startup.no_numbers", "", "no organization answers any number yet (sonoria org import FILE.toml)");
    server_.start();
    if (dashboard_server_) dashboard_server_->start();
    control_.emplace(control_socket_path(settings_.database), [this](std::string_view command) { return control(command); });
    start_reloader();
    recordings_.start();
    webhooks_.start();
    summaries_.start_if_configured();
    reminders_.start_if_configured();
    reconciler_.start();
    const int n = io_thread_count(settings_);
    work_.emplace(io_.get_executor());
    for (int i = 0; i < n; ++i) threads_.emplace_back([this] { run_io(); });
    overload_.start();
    lease_.start();
    systemd_.ready();
    start_watchdog();
    log_info("startup.listening", "", "sonoria is answering calls",
             {{"listen", settings_.server.listen}, {"port", server_.port()}, {"instance", instance_},
              {"public_url", settings_.server.public_url}, {"tls", server_.serves_tls() ? "on" : "off"},
              {"dashboard", dashboard_server_ ? settings_.dashboard.listen + " (port " + std::to_string(dashboard_server_->port()) + ")"
                                              : "/app/"},
              {"organizations", orgs_.size()}});
  }

  uint16_t port() const { return server_.port(); }
  void set_config_source(std::function<config::Settings()> reread) { reread_config_ = std::move(reread); }
  std::string reload_now() { return reload(true); }

  int inherited_fd(const std::string& name) const {
    for (const auto& socket : inherited_)
      if (socket.name == name || (name.empty() && socket.name != "dashboard")) return socket.fd;
    return -1;
  }

  // Why the daemon would not take a new call now ("" when it would): /readyz's answer.
  std::string not_ready_reason() const {
    if (admission_.draining()) return "draining";
    {
      const auto profiles = orgs_.all();
      std::vector<const org::Profile*> organizations;
      for (const auto& profile : profiles) organizations.push_back(profile.get());
      if (auto why = call::configuration_blocker(settings_, organizations, local_engines_.problem()); !why.empty())
        return why;
    }
    if (auto overload = admission_.overload(); !overload.empty()) return overload;
    if (const auto health = writer_.health(); health.failing)
      return "database writes are failing since " + db::format_timestamp(std::chrono::floor<std::chrono::milliseconds>(health.since)) +
             " (" + std::to_string(health.waiting) + " records waiting): " + health.error;
    return "";
  }
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
    // A file that would grow past RLIMIT_FSIZE fails with EFBIG (a full disk, to the writer)
    // instead of killing the daemon.
    std::signal(SIGXFSZ, SIG_IGN);
    start();
    boost::asio::signal_set signals(io_, SIGTERM, SIGINT, SIGHUP);
    std::function<void(boost::system::error_code, int)> on_signal = [&](boost::system::error_code ec, int sig) {
      if (ec) return;
      if (sig == SIGHUP) {
        log_info("reload.signal", "", "SIGHUP received: reloading the configuration and the organizations");
        request_full_reload();
        signals.async_wait(on_signal);
        return;
      }
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
    overload_.add_io_thread();
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

  // SIGTERM: no new call is started here (/readyz says "draining", a new caller is sent to the
  // fallback), but the listener stays open for the calls in progress and their webhooks. At the
  // drain deadline the calls still running are handed to the fallback; once nothing is left to
  // answer (the last <Connect action> served), the writer is flushed and the daemon exits 0.
  // WatchdogSec=: pinged from the event loop, so a loop that stops turning gets the daemon restarted.
  void start_watchdog() {
    const auto interval = systemd_.watchdog_interval();
    if (!interval) return;
    watchdog_timer_.emplace(io_);
    ping_watchdog(*interval / 2);
  }

  void ping_watchdog(std::chrono::microseconds every) {
    systemd_.watchdog();
    watchdog_timer_->expires_after(every);
    watchdog_timer_->async_wait([this, every](boost::system::error_code ec) {
      if (!ec) ping_watchdog(every);
    });
  }

  void begin_drain() {
    if (draining_) return;
    draining_ = true;
    systemd_.stopping();
    admission_.start_draining();
    dashboard_.stop();
    drain_deadline_ = std::chrono::steady_clock::now() + settings_.server.drain_timeout;
    log_info("shutdown.draining", "", "no new calls; the calls in progress finish",
             {{"active", calls_.live_count()},
              {"drain_timeout_s",
               std::to_string(std::chrono::duration_cast<std::chrono::seconds>(settings_.server.drain_timeout).count())}});
    drain_timer_.emplace(io_);
    poll_drain();
  }

  void poll_drain() {
    const auto now = std::chrono::steady_clock::now();
    // Twilio asks for the <Connect action> a moment after a stream closes with a decision.
    constexpr auto k_action_grace = std::chrono::seconds(5);
    const size_t live = calls_.live_count();
    if (live == 0 && calls_.actions_awaited(now, k_action_grace) == 0) return finish_drain();
    // A drain longer than the unit's TimeoutStopSec= is not killed: ask for more, a little at a time.
    if (now - last_extend_ >= std::chrono::seconds(1)) {
      last_extend_ = now;
      systemd_.extend_timeout(std::chrono::seconds(5));
      systemd_.status("draining: " + std::to_string(live) + " calls in progress");
    }
    if (now >= drain_deadline_ && !handed_off_) {
      handed_off_ = true;
      handoff_deadline_ = now + k_handoff_time;
      auto sessions = calls_.live_sessions();
      log_warn("shutdown.drain_timeout", "", "handing the calls still running to the fallback",
               {{"count", sessions.size()}});
      for (auto& session : sessions) session->hand_off();
    } else if (handed_off_ && now >= handoff_deadline_ && live > 0) {
      // Twilio did not take the hand-off in time: the calls end here (recorded as interrupted).
      log_warn("shutdown.handoff_timeout", "", "ending calls Twilio did not take back", {{"count", live}});
      for (auto& session : calls_.live_sessions()) session->terminate();
    }
    drain_timer_->expires_after(std::chrono::milliseconds(100));
    drain_timer_->async_wait([this](boost::system::error_code) { poll_drain(); });
  }

  void finish_drain() {
    overload_.stop();
    server_.stop_accepting();
    if (dashboard_server_) dashboard_server_->stop_accepting();
    // Flush the writer off the event loop, then stop.
    lease_.stop();  // its calls have ended: the lease is given up
    std::thread([this] {
      recordings_.stop();  // before the writer: a finished recording is recorded
      writer_.flush_and_stop();
      log_info("shutdown.done", "", "all records written; exiting");
      std::lock_guard lock(stop_mutex_);
      stopped_ = true;
      stopped_cv_.notify_all();
    }).detach();
  }

  // The organizations every 15 s (a safety net for changes made behind the daemon's back), and
  // at once when asked: SIGHUP and the control socket re-read the configuration file too.
  void start_reloader() {
    reloader_ = std::thread([this] {
      std::unique_lock lock(reload_mutex_);
      while (!reloader_stop_) {
        reload_cv_.wait_for(lock, std::chrono::seconds(15), [this] { return reloader_stop_ || full_reload_requested_; });
        if (reloader_stop_) break;
        const bool full = std::exchange(full_reload_requested_, false);
        lock.unlock();
        reload(full);
        lock.lock();
      }
    });
  }

  void request_full_reload() {
    {
      std::lock_guard lock(reload_mutex_);
      full_reload_requested_ = true;
    }
    reload_cv_.notify_all();
  }

  // One line for the control socket's client.
  std::string control(std::string_view command) {
    if (command == "reload") return reload(true);
    if (command == "status")
      return "ok " + (not_ready_reason().empty() ? std::string("ready") : not_ready_reason()) +
             " active=" + std::to_string(calls_.live_count()) + " organizations=" + std::to_string(orgs_.size());
    return "error: unknown command \"" + std::string(command) + "\" (expected reload or status)";
  }

  // Re-reads every organization and, when `with_config`, the configuration file: all of it or
  // none (a file that does not load is reported and what is in force stays). Never on the event
  // loop. Returns "ok …" or "error: …".
  std::string reload(bool with_config) {
    std::lock_guard run(reload_run_mutex_);
    if (with_config) systemd_.reloading();
    struct Done {
      SystemdNotifier& systemd;
      bool with_config;
      ~Done() {
        if (with_config) systemd.ready();
      }
    } done{systemd_, with_config};
    std::optional<config::Settings> fresh;
    if (with_config && reread_config_) {
      try {
        fresh = reread_config_();
      } catch (const std::exception& e) {
        log_error("reload.config_invalid", "", std::string(e.what()) + "; the configuration in force is kept");
        return std::string("error: ") + e.what();
      }
    }
    try {
      db::Database database(settings_.database, db::SchemaCheck::require_current, true);
      orgs_.replace(database.orgs().all(), database.knowledge().organizations_with_documents(),
                    database.orgs().signing_secrets());
    } catch (const std::exception& e) {
      log_error("reload.organizations_failed", "", std::string(e.what()) + "; the organizations in force are kept");
      return std::string("error: ") + e.what();
    }
    if (fresh) apply_config(*fresh);
    if (with_config) reload_certificate();
    if (with_config)
      log_info("reload.done", "", "configuration and organizations reloaded", {{"organizations", orgs_.size()}});
    return "ok organizations=" + std::to_string(orgs_.size());
  }

  // A renewed certificate (certbot's deploy hook sends SIGHUP) serves new connections; one that
  // cannot be used is reported, and the one in force stays.
  void reload_certificate() {
    if (!server_.serves_tls()) return;
    try {
      server_.reload_tls();
      log_info("reload.tls", "", "TLS certificate and key re-read", {{"certificate", settings_.server.tls_cert}});
    } catch (const std::exception& e) {
      log_error("reload.tls_failed", "", std::string(e.what()) + "; the certificate in force is kept");
    }
  }

  // What a reload can change while calls run: logging and the admission limits. The rest is read
  // once, at start (the listener, the database, peers' addresses and keys): a change to it is
  // reported and takes effect at the next start.
  void apply_config(const config::Settings& fresh) {
    static const std::set<std::string> live = {"log.level", "log.format", "calls.max_concurrent",
                                               "calls.max_calls_per_caller_per_hour", "calls.blocked_callers",
                                               "calls.max_event_loop_lag", "calls.max_io_load_percent"};
    std::string applied, later;
    for (const auto& key : config::changed_keys(applied_settings_, fresh)) {
      std::string& list = live.count(key) ? applied : later;
      list += (list.empty() ? "" : ", ") + key;
    }
    Log::configure(fresh.log.level, fresh.log.format);
    admission_.set_limits(admission_limits(fresh));
    overload_.set_max_lag(std::chrono::duration_cast<std::chrono::milliseconds>(fresh.calls.max_event_loop_lag));
    overload_.set_max_io_load(fresh.calls.max_io_load_percent);
    applied_settings_.log = fresh.log;
    applied_settings_.calls.max_concurrent = fresh.calls.max_concurrent;
    applied_settings_.calls.max_calls_per_caller_per_hour = fresh.calls.max_calls_per_caller_per_hour;
    applied_settings_.calls.blocked_callers = fresh.calls.blocked_callers;
    applied_settings_.calls.max_event_loop_lag = fresh.calls.max_event_loop_lag;
    applied_settings_.calls.max_io_load_percent = fresh.calls.max_io_load_percent;
    if (!applied.empty()) log_info("reload.applied", "", "now in force", {{"keys", applied}});
    if (!later.empty())
      log_warn("reload.needs_restart", "", "changed in the configuration; takes effect when the daemon restarts",
               {{"keys", later}});
  }

  void stop_threads() {
    control_.reset();
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
    // The engines' work in progress ends (it posts to call strands io_ will no longer run), and
    // the pool's queue is empty before io_'s handlers, holding its strands, are destroyed.
    local_engines_.join();
    summaries_.stop();
    reminders_.stop();
    reconciler_.stop();
    webhooks_.stop();  // before the writer: its last attempts are recorded
    read_pool_.stop();
    recordings_.stop();
    writer_.flush_and_stop();
  }

  config::Settings settings_;
  // Listening sockets systemd passed in (socket activation): the one named "dashboard" serves
  // dashboard.listen, the other the main listener.
  std::vector<InheritedSocket> inherited_ = take_inherited_sockets();
  // Before io_, so destroyed after it: handlers left in io_'s queues may hold a local engine's
  // worker strand, whose service the pool owns (ThreadSanitizer found the pool's mutex destroyed
  // first). stop_threads() joins its workers before either goes.
  LocalEngineRunner local_engines_{settings_.local};
  boost::asio::io_context io_;
  OrgDirectory orgs_;
  Admission admission_;
  Metrics metrics_;
  RecordingFiles recordings_{audio::recordings_directory(settings_.database.path), metrics_};
  CallRegistry calls_;
  InternTable<std::string> engine_texts_;
  // This daemon's name among those sharing the database: the owner of the calls it opens.
  std::string instance_ = instance_name(settings_, host_name());
  DbWriter writer_;
  ClusterLease lease_{io_, writer_, instance_, settings_.own_url(),
                      std::chrono::duration_cast<std::chrono::milliseconds>(settings_.cluster.lease),
                      [this] { return admission_.draining(); }};
  ReadPool read_pool_;   // database reads off the io threads (the API, query_knowledge)
  WebhookSender webhooks_{settings_, orgs_, writer_};
  CallSummarizer summaries_{settings_, orgs_, writer_};
  AppointmentReminders reminders_{settings_, orgs_, writer_};
  MessageReconciler reconciler_{settings_, writer_};
  OverloadMonitor overload_{io_, settings_, admission_, metrics_};
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
  // After the drain deadline, how long Twilio has to take the calls handed to the fallback.
  static constexpr std::chrono::seconds k_handoff_time{10};
  std::chrono::steady_clock::time_point handoff_deadline_;
  bool handed_off_ = false;
  bool draining_ = false;
  std::chrono::steady_clock::time_point last_extend_;
  std::optional<boost::asio::steady_timer> watchdog_timer_;
  std::mutex stop_mutex_;
  std::condition_variable stopped_cv_;
  bool stopped_ = false;
  std::thread reloader_;
  std::mutex reload_mutex_;
  std::condition_variable reload_cv_;
  bool reloader_stop_ = false;
  bool full_reload_requested_ = false;
  std::mutex reload_run_mutex_;            // one reload at a time
  std::function<config::Settings()> reread_config_;
  config::Settings applied_settings_{settings_};  // what reloads compare against
  std::optional<ControlSocket> control_;
  SystemdNotifier systemd_;
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
void Daemon::set_config_source(std::function<config::Settings()> reread) { impl_->set_config_source(std::move(reread)); }
std::string Daemon::reload() { return impl_->reload_now(); }
int Daemon::wait() { return impl_->wait(); }
int Daemon::run() { return impl_->run(); }

}  // namespace sonoria::daemon
