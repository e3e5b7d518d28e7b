#include "daemon/background_worker.hpp"

#include <boost/asio/io_context.hpp>

#include "core/db/database.hpp"
#include "core/net/http_client.hpp"
#include "daemon/log.hpp"

namespace sonoria::daemon {
namespace {
constexpr auto k_tick = std::chrono::seconds(1);
}  // namespace

BackgroundWorker::BackgroundWorker(const config::DatabaseSettings& database, std::string name)
    : database_(database), name_(std::move(name)) {}

BackgroundWorker::~BackgroundWorker() { stop(); }

void BackgroundWorker::start() { thread_ = std::thread([this] { run(); }); }

void BackgroundWorker::stop() {
  {
    std::lock_guard lock(mutex_);
    stopping_ = true;
    if (sending_) sending_->stop();
  }
  cv_.notify_all();
  if (thread_.joinable()) thread_.join();
}

bool BackgroundWorker::stopping() {
  std::lock_guard lock(mutex_);
  return stopping_;
}

void BackgroundWorker::run() {
  std::unique_ptr<db::Database> database;
  for (;;) {
    {
      std::unique_lock lock(mutex_);
      cv_.wait_for(lock, k_tick, [this] { return stopping_; });
      if (stopping_) return;
    }
    try {
      if (!database) database = std::make_unique<db::Database>(database_, db::SchemaCheck::none, true);
      round(*database);
    } catch (const std::exception& e) {
      log_warn(name_ + ".queue_unreadable", "", e.what());
      database.reset();
    }
  }
}

std::optional<net::HttpResponse> BackgroundWorker::send(net::HttpRequest request, std::chrono::milliseconds timeout) {
  boost::asio::io_context io;
  std::optional<net::HttpResponse> response;
  {
    std::lock_guard lock(mutex_);
    if (stopping_) return std::nullopt;
    sending_ = &io;
  }
  auto client = net::HttpClient::create(io.get_executor());
  client->request(std::move(request), timeout, [&](net::HttpResponse r) { response = std::move(r); });
  io.run();
  std::lock_guard lock(mutex_);
  sending_ = nullptr;
  return response;
}

}  // namespace sonoria::daemon
