// sonoria webhooks list|retry: the webhooks waiting to be delivered, delivered, or given up.
#include <CLI/CLI.hpp>
#include <iomanip>
#include <iostream>
#include <nlohmann/json.hpp>

#include "cli/commands.hpp"
#include "cli/context.hpp"
#include "core/db/timestamp.hpp"
#include "core/error.hpp"

namespace sonoria::cli {
namespace {

struct WebhookOptions {
  std::string org;
  std::string status;
  int limit = 50;
  bool json = false;
  int64_t id = 0;
  bool failed = false;
};

}  // namespace

void register_webhooks(CLI::App& app, Context& context) {
  auto opts = std::make_shared<WebhookOptions>();
  auto* hooks = app.add_subcommand("webhooks", "Webhooks to the businesses' systems: pending, delivered, failed");
  hooks->require_subcommand(1);

  auto* list = hooks->add_subcommand("list", "List webhook deliveries, newest first");
  list->add_option("--org", opts->org, "Organization id or slug");
  list->add_option("--status", opts->status, "pending | delivered | failed")
      ->check(CLI::IsMember({"pending", "delivered", "failed"}));
  list->add_option("--limit", opts->limit, "How many (default 50)")->check(CLI::Range(1, 10000));
  list->add_flag("--json", opts->json, "Machine-readable output");
  list->callback([&context, opts] {
    auto database = context.open_database(db::SchemaCheck::require_current, true);
    int64_t org = 0;
    if (!opts->org.empty()) {
      org = find_organization(database, opts->org).id;
    }
    const auto rows = database.webhooks().list(org, opts->status, opts->limit);
    if (opts->json) {
      auto out = nlohmann::json::array();
      for (const auto& d : rows)
        out.push_back({{"id", d.id},
                       {"organization_id", d.organization_id},
                       {"call_sid", d.call_sid},
                       {"event", d.event},
                       {"url", d.url},
                       {"idempotency_key", d.idempotency_key},
                       {"status", d.status},
                       {"attempts", d.attempts},
                       {"last_status", d.last_status ? nlohmann::json(*d.last_status) : nlohmann::json(nullptr)},
                       {"last_error", d.last_error},
                       {"next_attempt_at", d.next_attempt_at},
                       {"created_at", d.created_at},
                       {"delivered_at", d.delivered_at ? nlohmann::json(*d.delivered_at) : nlohmann::json(nullptr)}});
      std::cout << out.dump(2) << "\n";
      return;
    }
    if (rows.empty()) {
      std::cout << "no webhook deliveries" << (opts->status.empty() ? "" : " " + opts->status) << "\n";
      return;
    }
    std::cout << std::left << std::setw(7) << "ID" << std::setw(11) << "STATUS" << std::setw(10) << "ATTEMPTS"
              << std::setw(36) << "CALL SID" << std::setw(26) << "NEXT / DELIVERED" << "LAST ERROR\n";
    for (const auto& d : rows)
      std::cout << std::setw(7) << d.id << std::setw(11) << d.status << std::setw(10) << d.attempts << std::setw(36)
                << d.call_sid << std::setw(26)
                << (d.status == "delivered" ? d.delivered_at.value_or("") : d.status == "failed" ? "-" : d.next_attempt_at)
                << d.last_error << "\n";
  });

  auto* retry = hooks->add_subcommand("retry", "Deliver a failed (or pending) webhook again now, with a fresh day of retries");
  retry->add_option("ID", opts->id, "The delivery's id, as `webhooks list` shows it");
  retry->add_flag("--failed", opts->failed, "Every failed delivery");
  retry->callback([&context, opts] {
    if ((opts->id == 0) == !opts->failed)
      throw UserError("give a delivery ID or --failed (see `sonoria webhooks list --status failed`)", ExitCode::usage);
    auto database = context.open_database();
    const int n = database.webhooks().retry(opts->failed ? 0 : opts->id, db::now_ms());
    if (!opts->failed && n == 0)
      throw DataError("no delivery " + std::to_string(opts->id) + " to retry (unknown, or delivered already)");
    std::cout << n << (n == 1 ? " delivery" : " deliveries")
              << " pending again; a running daemon sends within a second\n";
  });
}

}  // namespace sonoria::cli
