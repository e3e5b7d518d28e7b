#include "daemon/local_engine_runner.hpp"

#include <boost/asio/post.hpp>
#include <boost/asio/strand.hpp>
#include <boost/asio/thread_pool.hpp>

#include <nlohmann/json.hpp>

#include <mutex>
#include <thread>

#include "core/engine/local/local_engine.hpp"
#include "core/engine/local/model_cache.hpp"
#include "daemon/log.hpp"

namespace sonoria::daemon {

struct LocalEngineRunner::Pool {
  std::once_flag started;
  std::unique_ptr<boost::asio::thread_pool> threads;
};

LocalEngineRunner::LocalEngineRunner(config::LocalEngineSettings settings)
    : settings_(std::move(settings)),
      problem_(engine::local::installation_problem(settings_.acoustic_model, settings_.dictionary)),
      models_(std::make_unique<engine::local::ModelCache>(settings_.dictionary)),
      pool_(std::make_unique<Pool>()) {}

LocalEngineRunner::~LocalEngineRunner() { join(); }

void LocalEngineRunner::join() {
  if (pool_->threads) pool_->threads->join();
}

boost::asio::any_io_executor LocalEngineRunner::worker() {
  std::call_once(pool_->started, [this] {
    const unsigned cores = std::max(1u, std::thread::hardware_concurrency());
    const auto n = settings_.threads > 0 ? static_cast<std::size_t>(settings_.threads) : cores;
    pool_->threads = std::make_unique<boost::asio::thread_pool>(n);
  });
  return boost::asio::make_strand(pool_->threads->get_executor());
}

engine::local::ModelCache& LocalEngineRunner::models() { return *models_; }

std::shared_ptr<LocalEngineConnection> LocalEngineConnection::open(LocalEngineRunner& runner,
                                                                   boost::asio::any_io_executor strand,
                                                                   engine::SessionConfig session,
                                                                   std::chrono::microseconds max_queued_audio,
                                                                   Handlers handlers) {
  auto self = std::shared_ptr<LocalEngineConnection>(new LocalEngineConnection(runner, std::move(strand), std::move(handlers)));
  self->max_queued_audio_ = max_queued_audio;
  self->start(std::move(session));
  return self;
}

LocalEngineConnection::LocalEngineConnection(LocalEngineRunner& runner, boost::asio::any_io_executor strand,
                                             Handlers handlers)
    : runner_(runner), strand_(std::move(strand)), worker_(runner.worker()), handlers_(std::move(handlers)) {}

LocalEngineConnection::~LocalEngineConnection() = default;

// Runs `job` on the call's strand unless the connection was closed meanwhile.
void LocalEngineConnection::to_call(std::function<void(LocalEngineConnection&)> job) {
  boost::asio::post(strand_, [self = shared_from_this(), job = std::move(job)] {
    if (!self->closed_) job(*self);
  });
}

void LocalEngineConnection::start(engine::SessionConfig session) {
  boost::asio::post(worker_, [self = shared_from_this(), session = std::move(session)]() mutable {
    std::string error;
    try {
      if (!session.profile) throw std::runtime_error("the local engine was given no profile");
      auto options = engine::local::local_engine_options(session, self->runner_.settings());
      auto model = self->runner_.models().model_for(session.profile);
      std::weak_ptr<LocalEngineConnection> weak = self;
      self->engine_ = std::make_unique<engine::local::LocalEngine>(
          std::move(model), std::move(options), [weak](std::string message) {
            if (auto me = weak.lock())
              me->to_call([message = std::move(message)](LocalEngineConnection& c) { c.handlers_.message(message); });
          });
    } catch (const std::exception& e) {
      error = e.what();
    }
    self->to_call([error](LocalEngineConnection& c) { c.handlers_.opened(error); });
  });
}

bool LocalEngineConnection::send(engine::Frame frame) {
  if (closed_) return false;
  const auto queued_at = std::chrono::steady_clock::now();
  boost::asio::post(worker_, [self = shared_from_this(), frame = std::move(frame), queued_at]() {
    if (!self->engine_) return;
    // Caller audio that waited longer than the bound is stale: the engine is behind (its worker
    // busy with other calls), and catching up matters more than every frame.
    if (frame.droppable && self->max_queued_audio_.count() > 0 &&
        std::chrono::steady_clock::now() - queued_at > self->max_queued_audio_) {
      self->dropped_.fetch_add(1, std::memory_order_relaxed);
      return;
    }
    try {
      self->engine_->receive(frame.data, frame.binary);
    } catch (const std::exception& e) {
      // Nothing the engine does may end the daemon; the call is told and goes on (or fails over).
      log_error("engine.local_failed", "", e.what());
      self->to_call([what = std::string(e.what())](LocalEngineConnection& c) {
        c.handlers_.message(nlohmann::json{{"type", "error"}, {"message", what}, {"fatal", false}}.dump());
      });
    }
  });
  return true;
}

void LocalEngineConnection::close() {
  if (closed_) return;
  closed_ = true;
  // The engine is freed on its worker, after whatever it is doing.
  boost::asio::post(worker_, [self = shared_from_this()] { self->engine_.reset(); });
}

}  // namespace sonoria::daemon
