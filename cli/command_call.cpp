// sonoria call +1… --org ID [--wait] [--machine-detection]: an outbound call that streams to the
// running daemon exactly like an inbound one.
#include <CLI/CLI.hpp>
#include <iostream>
#include <thread>

#include "cli/commands.hpp"
#include "cli/context.hpp"
#include "cli/rest_session.hpp"
#include "core/error.hpp"
#include "daemon/outbound.hpp"

namespace sonoria::cli {
namespace {

struct CallOptions {
  std::string number;
  std::string org;
  bool wait = false;
  bool machine_detection = false;
  bool dry_run = false;
};

// Follows the call in the database (the daemon records it) until it has ended.
void follow(Context& context, const std::string& call_sid) {
  const auto& settings = context.settings();
  const auto limit = std::chrono::steady_clock::now() + settings.calls.max_duration + std::chrono::minutes(3);
  std::optional<db::CallRow> row;
  while (std::chrono::steady_clock::now() < limit) {
    {
      auto database = context.open_database(db::SchemaCheck::require_current, true);
      row = database.calls().find_call(call_sid);
      if (row && row->ended_at) {
        std::cout << "ended: " << row->status << " (" << row->end_reason.value_or("unknown") << ")";
        if (row->duration_ms) std::cout << ", " << (*row->duration_ms + 500) / 1000 << " s";
        std::cout << "\n";
        for (const auto& t : database.calls().transcript(call_sid)) std::cout << t.speaker << ": " << t.text << "\n";
        return;
      }
    }
    std::this_thread::sleep_for(std::chrono::seconds(1));
  }
  throw UserError("gave up waiting for call " + call_sid + " to end (is `sonoria serve` running and reachable at " +
                  settings.server.public_url + "?)");
}

}  // namespace

void register_call(CLI::App& app, Context& context) {
  auto opts = std::make_shared<CallOptions>();
  auto* call = app.add_subcommand("call", "Place an outbound call handled by the assistant");
  call->add_option("NUMBER", opts->number, "Number to call, as written (\"(415) 555-0123\" in the organization's country, \"+44 20 7946 0958\")")->required();
  call->add_option("--org", opts->org, "Organization id or slug whose assistant makes the call")->required();
  call->add_flag("--wait", opts->wait, "Follow the call to its end, then print its outcome and transcript");
  call->add_flag("--machine-detection", opts->machine_detection,
                 "Detect answering machines (leave the voicemail message, or hang up)");
  call->add_flag("--dry-run", opts->dry_run, "Check policy and print the request without dialling");
  call->callback([&context, opts] {
    const auto& settings = context.settings();
    std::optional<org::Profile> profile;
    daemon::OutboundFacts facts;
    std::optional<phone::Number> destination;
    {
      auto database = context.open_database(db::SchemaCheck::require_current, true);
      profile = find_organization(database, opts->org);
      // As typed, in the organization's country.
      phone::Parsed parsed = daemon::read_destination(settings, &*profile, opts->number);
      if (!parsed.number) throw UserError("NUMBER: " + parsed.error, ExitCode::usage);
      destination = std::move(parsed.number);
      facts.last_call_to_number = database.last_outbound_call_to(destination->e164);
      facts.calls_in_progress = database.calls_in_progress();
      facts.now = db::now_ms();
    }
    if (auto refusal = daemon::outbound_refusal(settings, *destination, facts))
      throw UserError("not calling: " + *refusal, ExitCode::refused);
    if (daemon::outbound_caller_id(settings, *profile).empty())
      throw DataError("no caller ID: organization \"" + profile->organization.slug +
                      "\" has no phone_numbers and twilio.from is not set");
    auto account = twilio::rest_account_from(settings.twilio);
    auto request = daemon::outbound_call(settings, *profile, destination->e164, opts->machine_detection);
    if (opts->dry_run) {
      std::cout << twilio::create_call_request(account, request).describe() << "(dry run: not dialled)\n";
      return;
    }
    auto result = run_rest<twilio::CallResult>(account, [&](twilio::RestClient& client, auto done) {
      client.create_call(request, std::move(done));
    });
    if (!result.ok()) {
      if (!result.error) throw UserError("the call was not placed: no answer from Twilio");
      auto code = result.error->code == 20003 ? ExitCode::data : ExitCode::failure;
      throw UserError("the call was not placed: " + result.error->describe(), code);
    }
    {
      // Recorded now so the cooldown and capacity see it even if it is never answered.
      auto database = context.open_database();
      database.calls().write_batch({db::CallOpened{result.value->sid, profile->id, "outbound", request.from,
                                                   request.to, "ringing", db::now_ms(), std::nullopt, std::nullopt}});
      db::CallEvent placed{result.value->sid, db::now_ms(), std::nullopt, "outbound_placed",
                           opts->machine_detection ? std::optional<std::string>("machine_detection") : std::nullopt,
                           std::nullopt};
      database.calls().write_batch({placed});
    }
    std::cout << result.value->sid << " " << result.value->status << " (calling " << request.to << " from "
              << request.from << ")\n";
    if (opts->wait) follow(context, result.value->sid);
  });
}

}  // namespace sonoria::cli
