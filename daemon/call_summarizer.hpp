#pragma once
// Makes the post-call summary of each answered call (when [summary] is configured): a thread that
// finds calls ended in the last day with a transcript and no summary, asks the text model
// (reports/call_summary.hpp) and stores what it said — or why it could not — through the writer.
// Its own thread, read-only connection and io_context: a slow model never holds up a call. The
// call-end webhook waits for the summary a little (webhook_sender.cpp) so that it can carry it.

#include <chrono>
#include <condition_variable>
#include <map>
#include <mutex>
#include <string>
#include <thread>

#include "core/config/settings.hpp"

namespace sonoria::db {
class Database;
}

namespace sonoria::daemon {

class OrgDirectory;
class DbWriter;

class CallSummarizer {
 public:
  CallSummarizer(const config::Settings& settings, OrgDirectory& orgs, DbWriter& writer);
  ~CallSummarizer();
  void start();  // nothing when [summary] is not configured
  void stop();   // idempotent; abandons a request under way (the call is summarized next time)

 private:
  void run();
  void summarize(db::Database& database, const std::string& call_sid);

  const config::Settings& settings_;
  OrgDirectory& orgs_;
  DbWriter& writer_;
  std::thread thread_;
  std::mutex mutex_;
  std::condition_variable cv_;
  bool stopping_ = false;
  void* sending_ = nullptr;
  std::map<std::string, std::chrono::steady_clock::time_point> settling_;
};

}  // namespace sonoria::daemon
