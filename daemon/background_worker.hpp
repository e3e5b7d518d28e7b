#pragma once
// A thread of the daemon's own that works through a queue kept in the database (the webhooks to
// deliver, the calls to summarize): a round every second, with its own
// read-only connection, and HTTP requests on its own io_context that stop() abandons, so that a
// slow peer never holds up a call or a shutdown. What it writes goes through the DbWriter.

#include <chrono>
#include <condition_variable>
#include <memory>
#include <mutex>
#include <optional>
#include <string>
#include <thread>

#include "core/config/settings.hpp"

namespace boost::asio {
class io_context;
}

namespace sonoria::net {
struct HttpRequest;
struct HttpResponse;
}  // namespace sonoria::net

namespace sonoria::db {
class Database;
}

namespace sonoria::daemon {

class BackgroundWorker {
 public:
  // `name` prefixes its log events ("webhook" → webhook.queue_unreadable).
  BackgroundWorker(const config::DatabaseSettings& database, std::string name);
  virtual ~BackgroundWorker();
  BackgroundWorker(const BackgroundWorker&) = delete;
  BackgroundWorker& operator=(const BackgroundWorker&) = delete;

  void start();
  // Idempotent; joins. Derived classes call it in their destructor (round() must not outlive them).
  void stop();

 protected:
  // One round over the queue; a throw drops the connection (reopened next round) and is logged.
  virtual void round(db::Database& database) = 0;
  bool stopping();
  // Sends `request` and waits for the answer; nullopt when stop() abandoned it.
  std::optional<net::HttpResponse> send(net::HttpRequest request, std::chrono::milliseconds timeout);

 private:
  void run();

  config::DatabaseSettings database_;
  std::string name_;
  std::thread thread_;
  std::mutex mutex_;
  std::condition_variable cv_;
  bool stopping_ = false;
  boost::asio::io_context* sending_ = nullptr;  // the request under way
};

}  // namespace sonoria::daemon
