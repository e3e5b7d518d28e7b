#include "daemon/message_reconciler.hpp"

#include <set>

#include "core/db/database.hpp"
#include "core/net/http_client.hpp"
#include "core/twilio/rest_client.hpp"
#include "core/twilio/rest_reply.hpp"
#include "core/twilio/rest_request.hpp"
#include "daemon/db_writer.hpp"
#include "daemon/log.hpp"

namespace sonoria::daemon {
namespace {
constexpr int k_most = 500;
constexpr auto k_timeout = std::chrono::seconds(10);
}  // namespace

MessageReconciler::MessageReconciler(const config::Settings& settings, DbWriter& writer)
    : BackgroundWorker(settings.database, "reconcile"), settings_(settings), writer_(writer) {}

MessageReconciler::~MessageReconciler() { stop(); }

void MessageReconciler::round(db::Database& database) {
  if (done_) return;
  done_ = true;
  const auto texts = database.calls().unsettled_messages(db::now_ms() - std::chrono::hours(24), k_most);
  if (texts.empty()) return;
  twilio::RestAccount account;
  try {
    account = twilio::rest_account_from(settings_.twilio);
  } catch (const std::exception& e) {
    log_warn("reconcile.no_account", "", std::string("texts an earlier run left unsettled stay as they are: ") + e.what(),
             {{"texts", texts.size()}});
    return;
  }
  size_t settled = 0;
  std::set<std::string> claimed;  // SIDs already matched to a row
  for (auto text : texts) {
    if (stopping()) return;
    if (text.message_sid) {
      auto answer = send(twilio::http_request_of(twilio::fetch_message_request(account, *text.message_sid)), k_timeout);
      if (!answer) return;
      auto resource = answer->ok() && answer->status == 200 ? twilio::parse_message_resource(answer->body) : std::nullopt;
      if (!resource) continue;  // asked again at the next start
      if (resource->status == text.status) continue;
      text.status = resource->status;
      text.error_code = resource->error_code;
      if (!resource->error_message.empty()) text.error_message = resource->error_message;
    } else {
      auto answer = send(twilio::http_request_of(twilio::list_messages_request(account, text.to_number, "")), k_timeout);
      if (!answer) return;
      if (!answer->ok() || answer->status != 200) continue;
      std::optional<twilio::MessageResource> match;
      for (const auto& m : twilio::parse_message_list(answer->body))
        if (m.from == text.from_number && m.body == text.body && !claimed.count(m.sid) &&
            !database.calls().message_exists(m.sid)) {
          match = m;
          break;
        }
      if (match) {
        claimed.insert(match->sid);
        text.message_sid = match->sid;
        text.status = match->status;
      } else {
        text.status = "not_sent";
        text.error_message = "the daemon stopped before Twilio took the text";
      }
    }
    text.at = db::now_ms();
    writer_.post(text);
    ++settled;
    log_info("reconcile.text", text.call_sid.value_or(""), "a text an earlier run left unsettled",
             {{"status", text.status}, {"sid", text.message_sid.value_or("")}});
  }
  if (settled) log_info("reconcile.done", "", "texts reconciled with Twilio", {{"texts", settled}});
}

}  // namespace sonoria::daemon
