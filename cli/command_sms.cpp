// sonoria sms --to +1… --body "…" [--org ID] [--dry-run]: one text message through Twilio.
#include <CLI/CLI.hpp>
#include <iostream>

#include "cli/commands.hpp"
#include "cli/context.hpp"
#include "cli/peer_requests.hpp"
#include "core/error.hpp"
#include "daemon/outbound.hpp"

namespace sonoria::cli {
namespace {

struct SmsOptions {
  std::string to;
  std::string body;
  std::string org;
  bool dry_run = false;
};

// Bad credentials are a configuration problem (exit 3); any other refusal is a runtime failure.
ExitCode exit_code_for(const twilio::RestError& e) {
  return e.code == 20003 || e.http_status == 401 ? ExitCode::data : ExitCode::failure;
}

}  // namespace

void register_sms(CLI::App& app, Context& context) {
  auto opts = std::make_shared<SmsOptions>();
  auto* sms = app.add_subcommand("sms", "Send one text message through Twilio");
  sms->add_option("--to", opts->to, "Recipient, as written (\"(415) 555-0123\", \"+44 20 7946 0958\")")->required();
  sms->add_option("--body", opts->body, "Message text (at most 1600 characters)")->required();
  sms->add_option("--org", opts->org, "Send from this organization's first number (id or slug)");
  sms->add_flag("--dry-run", opts->dry_run, "Print the request (secrets redacted) without sending");
  sms->callback([&context, opts] {
    if (opts->body.empty()) throw UserError("--body is empty; give the text to send", ExitCode::usage);
    const auto& settings = context.settings();
    auto database = context.open_database();
    std::optional<int64_t> org_id;
    std::optional<org::Profile> profile;
    std::string from = settings.twilio.from;
    if (!opts->org.empty()) {
      profile = find_organization(database, opts->org);
      org_id = profile->id;
      if (!profile->organization.phone_numbers.empty()) from = profile->organization.phone_numbers.front();
    }
    if (from.empty())
      throw DataError("no sender number: set twilio.from, or use --org with an organization that has phone_numbers");
    // As typed, in the organization's country (or twilio.from's); sent only where calls may go.
    const phone::Parsed to = daemon::read_destination(settings, profile ? &*profile : nullptr, opts->to);
    if (!to.number) throw UserError("--to: " + to.error, ExitCode::usage);
    if (auto refusal = daemon::destination_refusal(settings.calls.outbound, *to.number))
      throw UserError("not sending: " + *refusal, ExitCode::refused);
    opts->to = to.number->e164;
    auto account = twilio::rest_account_from(settings.twilio);
    twilio::CreateMessage message{opts->to, from, "", opts->body, ""};
    if (opts->dry_run) {
      std::cout << twilio::create_message_request(account, message).describe() << "(dry run: nothing sent)\n";
      return;
    }
    auto result = send_text_message(account, message);
    db::MessageRecord record;
    record.organization_id = org_id;
    record.purpose = "manual";
    record.from_number = from;
    record.to_number = opts->to;
    record.body = opts->body;
    record.at = db::now_ms();
    if (result.ok()) {
      record.message_sid = result.value->sid;
      record.status = result.value->status;
    } else {
      record.status = "failed";
      record.error_code = result.error ? result.error->code : std::nullopt;
      record.error_message = result.error ? result.error->describe() : "no result";
    }
    database.calls().write_batch({record});
    if (!result.ok()) {
      if (!result.error) throw UserError("the message was not sent: no answer from Twilio");
      throw UserError("the message was not sent: " + result.error->describe(), exit_code_for(*result.error));
    }
    std::cout << result.value->sid << " " << result.value->status << "\n";
  });
}

}  // namespace sonoria::cli
