#pragma once
// Makes the post-call summary of each answered call (when [summary] is configured): finds calls
// ended in the last day with a transcript and no summary, asks the text model
// (reports/call_summary.hpp) and stores what it said — or why it could not — through the writer.
// A BackgroundWorker: a slow model never holds up a call. The call-end webhook waits for the
// summary a little (webhook_sender.cpp) so that it can carry it.

#include <chrono>
#include <map>
#include <string>

#include "core/config/settings.hpp"
#include "daemon/background_worker.hpp"

namespace sonoria::daemon {

class OrgDirectory;
class DbWriter;

class CallSummarizer final : public BackgroundWorker {
 public:
  CallSummarizer(const config::Settings& settings, OrgDirectory& orgs, DbWriter& writer);
  ~CallSummarizer() override;
  void start_if_configured();  // nothing when [summary] is not configured

 private:
  void round(db::Database& database) override;
  void summarize(db::Database& database, const std::string& call_sid);

  const config::Settings& settings_;
  OrgDirectory& orgs_;
  DbWriter& writer_;
  std::map<std::string, std::chrono::steady_clock::time_point> settling_;
};

}  // namespace sonoria::daemon
