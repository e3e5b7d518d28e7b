#pragma once
// Texts whose outcome an earlier run may not have stored: every text is recorded before it is
// sent (status "sending", with its intent key), so a daemon killed between Twilio taking a text
// and its answer being written leaves such a row. Once, at start, this worker asks Twilio:
//   - "sending" without a SID: the recent texts to that number (GET Messages.json?To=…), matched
//     by sender and body; found → its SID and status, not found → "not_sent" (Twilio never got it);
//   - a SID not yet final (queued, accepted, sending): GET Messages/{SM}.json → its status now.
// Texts of the last day are looked at; what it learns goes to the writer. A BackgroundWorker:
// Twilio's latency never holds up a call.

#include "core/config/settings.hpp"
#include "daemon/background_worker.hpp"

namespace sonoria::daemon {

class DbWriter;

class MessageReconciler final : public BackgroundWorker {
 public:
  MessageReconciler(const config::Settings& settings, DbWriter& writer);
  ~MessageReconciler() override;

 private:
  void round(db::Database& database) override;

  const config::Settings& settings_;
  DbWriter& writer_;
  bool done_ = false;
};

}  // namespace sonoria::daemon
