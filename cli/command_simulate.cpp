// sonoria simulate: plays Twilio against a running sonoria — one scripted call for a person
// (--say/--audio/--dtmf turns, --record), or N concurrent calls for load (--calls N).
#include <CLI/CLI.hpp>

#include <boost/asio/io_context.hpp>

#include <charconv>
#include <cmath>
#include <iostream>
#include <thread>

#include "cli/call_target.hpp"
#include "cli/commands.hpp"
#include "cli/context.hpp"
#include "core/audio/speech_synth.hpp"
#include "core/audio/wav.hpp"
#include "core/config/duration.hpp"
#include "core/error.hpp"
#include "core/net/http_client.hpp"
#include "core/reports/call_json.hpp"
#include "core/simulate/caller_audio.hpp"
#include "core/simulate/call_record.hpp"
#include "core/simulate/load_runner.hpp"
#include "core/simulate/twilio_requests.hpp"

namespace sonoria::cli {
namespace {

struct SimulateOptions {
  std::string url;
  std::string connect;
  std::string status_url;
  std::string to;
  std::string from = "+14155550100";
  std::string org;
  std::vector<std::string> says;
  std::vector<std::string> audio_files;
  std::vector<std::string> dtmf;
  std::string pause = "1s";
  std::string record;
  bool json = false;
  std::string hangup_after;
  std::string greeting_timeout = "10s";
  std::string voice = "en-us";
  int words_per_minute = 165;
  bool unsigned_requests = false;
  // Load mode.
  std::uint32_t calls = 0;
  std::string duration = "60s";
  std::string ramp = "10s";
  bool probe = false;
  unsigned threads = 1;
};

// Durations as in the config ("30s", "1m30s", "500ms"), plus one decimal form ("1.5s").
std::chrono::milliseconds duration_option(const std::string& text, const char* option) {
  if (auto d = config::parse_duration(text)) return *d;
  const auto dot = text.find('.');
  if (dot != std::string::npos && dot > 0) {
    double value = 0;
    const auto unit_at = text.find_first_not_of("0123456789.");
    const std::string number = text.substr(0, unit_at);
    const std::string unit = unit_at == std::string::npos ? "" : text.substr(unit_at);
    const auto [end, ec] = std::from_chars(number.data(), number.data() + number.size(), value);
    const double scale = unit == "s" ? 1000.0 : unit == "m" ? 60'000.0 : unit == "ms" ? 1.0 : 0.0;
    if (ec == std::errc() && end == number.data() + number.size() && scale > 0 && value >= 0)
      return std::chrono::milliseconds(std::llround(value * scale));
  }
  throw UserError(std::string(option) + " \"" + text + "\" is not a duration (e.g. 1.5s, 30s, 2m, 500ms)",
                  ExitCode::usage);
}

simulate::Micros micros(std::chrono::milliseconds d) { return d.count() * 1000; }

// The turns in command-line order (--say, --audio and --dtmf may be interleaved).
std::vector<simulate::Turn> build_turns(const CLI::App& cmd, const SimulateOptions& opts) {
  std::vector<simulate::Turn> turns;
  std::size_t say = 0;
  std::size_t file = 0;
  std::size_t digits = 0;
  audio::SpeechOptions speech{opts.voice, opts.words_per_minute};
  for (const CLI::Option* option : cmd.parse_order()) {
    const std::string name = option->get_name();
    if (name == "--say" && say < opts.says.size()) {
      const std::string& text = opts.says[say++];
      turns.push_back(simulate::Turn::speech(text, audio::synthesize_ulaw8k(text, speech)));
    } else if (name == "--audio" && file < opts.audio_files.size()) {
      const std::string& path = opts.audio_files[file++];
      turns.push_back(simulate::Turn::speech(path, audio::read_wav_as_ulaw8k(path)));
    } else if (name == "--dtmf" && digits < opts.dtmf.size()) {
      const std::string& keys = opts.dtmf[digits++];
      if (keys.empty() || keys.find_first_not_of("0123456789*#ABCD") != std::string::npos)
        throw UserError("--dtmf \"" + keys + "\" is not keypad digits (0-9, *, #, A-D)", ExitCode::usage);
      turns.push_back(simulate::Turn::dtmf(keys));
    }
  }
  return turns;
}

simulate::CallPlan base_plan(Context& context, const SimulateOptions& opts) {
  const auto& settings = context.settings();
  simulate::CallPlan plan;
  const Endpoints where = endpoints(context, {opts.url, opts.connect, opts.org});
  plan.webhook_url = where.webhook;
  plan.connect_origin = where.connect;
  plan.status_url = opts.status_url.empty() ? where.base + "/twilio/status" : opts.status_url == "none" ? "" : opts.status_url;
  plan.allow_insecure_stream = plan.webhook_url.rfind("http://", 0) == 0;
  if (!opts.unsigned_requests) plan.auth_token = signing_key(settings);
  plan.party.account_sid =
      settings.twilio.account_sid.empty() ? "AC" + std::string(32, '0') : settings.twilio.account_sid;
  plan.party.from = typed_number(settings, "--from", opts.from);
  plan.party.to = called_number(context, opts.to, opts.org);
  plan.script.greeting_timeout = micros(duration_option(opts.greeting_timeout, "--greeting-timeout"));
  return plan;
}

void run_io(boost::asio::io_context& io, unsigned threads) {
  std::vector<std::thread> pool;
  for (unsigned i = 1; i < threads; ++i) pool.emplace_back([&io] { io.run(); });
  io.run();
  for (auto& t : pool) t.join();
}

// The call's record from the database on this machine (a daemon here, no API token): asked again
// every 200 ms until the call has ended, as the daemon stores records in batches.
std::optional<simulate::CallRecord> local_call_record(Context& context, const std::string& call_sid) {
  const auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(5);
  std::optional<simulate::CallRecord> record;
  try {
    auto database = context.open_database(db::SchemaCheck::require_current, true);
    for (;;) {
      if (auto row = database.queries().find(call_sid)) {
        reports::CallDetail detail;
        detail.call = *row;
        detail.transcript = database.queries().transcript(*row);
        detail.events = database.queries().events(*row);
        record = simulate::parse_call_record(reports::call_detail_json(detail, true).dump());
        if (record && record->ended) return record;
      }
      if (std::chrono::steady_clock::now() >= deadline) return record;
      std::this_thread::sleep_for(std::chrono::milliseconds(200));
    }
  } catch (const std::exception&) {
    return record;  // no database here: the daemon runs elsewhere
  }
}

// Tool calls and the transcript happen inside sonoria, out of Twilio's sight: the call's record is
// read back and shown, through the REST API when it is enabled (api.tokens), else from the
// database on this machine.
void show_call_record(Context& context, const SimulateOptions& opts, const std::string& call_sid,
                      simulate::EventLog& log) {
  const auto& tokens = context.settings().api.tokens;
  if (call_sid.empty()) return;
  if (tokens.empty()) {
    if (auto record = local_call_record(context, call_sid)) simulate::log_call_record(log, *record);
    return;
  }
  const Endpoints where = endpoints(context, {opts.url, opts.connect, opts.org});
  boost::asio::io_context io;
  auto http = net::HttpClient::create(io.get_executor());
  simulate::fetch_call_record(http, simulate::delivery_url(where.base + "/api/calls/" + call_sid, where.connect),
                              tokens.front(), std::chrono::seconds(5),
                              [&](std::optional<simulate::CallRecord> record, std::string error) {
                                if (record) simulate::log_call_record(log, *record);
                                else log.emit(simulate::LogLevel::warning, "call_record", {{"error", error}}, error);
                              });
  io.run();
}

void run_single(Context& context, const CLI::App& cmd, const SimulateOptions& opts) {
  simulate::CallPlan plan = base_plan(context, opts);
  // Synthesis and file reading block: all of it happens before the event loop starts.
  plan.turns = std::make_shared<const std::vector<simulate::Turn>>(build_turns(cmd, opts));
  plan.script.pause = micros(duration_option(opts.pause, "--pause"));
  if (!opts.hangup_after.empty()) {
    plan.script.hang_up_at = micros(duration_option(opts.hangup_after, "--hangup-after"));
    plan.script.stay_on_line = plan.turns->empty();
  } else {
    plan.script.hang_up_at = micros(std::chrono::minutes(5));  // a safety net for a script that stalls
  }
  plan.record = !opts.record.empty();

  simulate::EventLog log(std::cout, opts.json ? simulate::LogFormat::json : simulate::LogFormat::text);
  boost::asio::io_context io;
  simulate::LoadOptions options;
  options.calls = 1;
  options.keep_results = true;
  simulate::LoadRunner runner(io.get_executor(), plan, options, &log);
  runner.start();
  io.run();
  const auto results = runner.results();
  if (results.empty()) throw UserError("the call did not finish");
  const simulate::CallResult& result = results.front();
  if (plan.record && result.connected) {
    audio::write_ulaw_wav(opts.record, result.heard);
    const double seconds = static_cast<double>(result.heard.size()) / 8000.0;
    char text[64];
    std::snprintf(text, sizeof text, "%.1f s", seconds);
    log.emit(simulate::LogLevel::info, "recorded", {{"file", opts.record}, {"audio_ms", seconds * 1000.0}},
             "recorded " + std::string(text) + " of assistant audio to " + opts.record);
  }
  if (result.connected) show_call_record(context, opts, result.call_sid, log);
  if (!result.completed) throw UserError("the call failed: " + result.failure_text);
}

void run_load(Context& context, const CLI::App& cmd, const SimulateOptions& opts) {
  if (!opts.record.empty()) throw UserError("--record works with a single call, not with --calls", ExitCode::usage);
  if (opts.threads < 1 || opts.threads > 64) throw UserError("--threads must be 1 to 64", ExitCode::usage);
  simulate::CallPlan plan = base_plan(context, opts);
  auto turns = build_turns(cmd, opts);
  // Without a script each caller talks in a loop: 1.2 s of speech, then listens.
  if (turns.empty()) turns.push_back(simulate::Turn::speech("(1.2 s of speech)", simulate::speech_noise(1200)));
  plan.turns = std::make_shared<const std::vector<simulate::Turn>>(std::move(turns));
  plan.script.pause = micros(std::chrono::seconds(1));
  plan.script.reply_timeout = micros(std::chrono::seconds(10));
  plan.script.repeat = true;
  plan.script.hang_up_at = micros(duration_option(opts.duration, "--duration"));
  plan.greeting_required = false;
  plan.sonoria_may_end = false;
  plan.probe = opts.probe;

  simulate::EventLog log(std::cerr, simulate::LogFormat::text, std::chrono::steady_clock::now(), true);
  std::cerr << "simulating " << opts.calls << " calls of " << opts.duration << " (ramp " << opts.ramp << ") against "
            << plan.webhook_url << (plan.connect_origin.empty() ? "" : " via " + plan.connect_origin) << "\n";
  boost::asio::io_context io(static_cast<int>(opts.threads));
  simulate::LoadOptions options;
  options.calls = opts.calls;
  options.ramp = duration_option(opts.ramp, "--ramp");
  options.shards = opts.threads;
  options.distinct_callers = true;
  simulate::LoadRunner runner(io.get_executor(), plan, options, &log);
  runner.start();
  run_io(io, opts.threads);
  const auto summary = runner.summary();
  if (opts.json) std::cout << simulate::to_json(summary).dump() << "\n";
  else std::cout << simulate::to_table(summary);
  std::cout << std::flush;
  if (summary.calls.connected == 0)
    throw UserError("no call connected (see the warnings above; is `sonoria serve` running at " +
                    (plan.connect_origin.empty() ? plan.webhook_url : plan.connect_origin) + "?)");
}

}  // namespace

void register_simulate(CLI::App& app, Context& context) {
  auto opts = std::make_shared<SimulateOptions>();
  auto* cmd = app.add_subcommand("simulate", "Play Twilio against a running sonoria: one test call, or a load of many");
  cmd->add_option("--url", opts->url, "The daemon's public URL (default server.public_url)");
  cmd->add_option("--connect", opts->connect,
                  "Send every request to HOST:PORT (or an http(s):// origin) while signing for --url");
  cmd->add_option("--status-url", opts->status_url, "Status callback URL (default <url>/twilio/status; \"none\" = no callback)");
  cmd->add_option("--to", opts->to, "The number called (default: the organization's first number)");
  cmd->add_option("--from", opts->from, "The caller's number (default +14155550100)");
  cmd->add_option("--org", opts->org, "Route to this organization (id or slug) whatever number is called");
  cmd->add_option("--say", opts->says, "A caller turn spoken with espeak-ng (repeatable, in order)");
  cmd->add_option("--audio", opts->audio_files, "A caller turn from a WAV file (repeatable, in order)");
  cmd->add_option("--dtmf", opts->dtmf, "A caller turn of keypresses, e.g. 0 (repeatable, in order)");
  cmd->add_option("--pause", opts->pause, "Caller's pause after the assistant finishes, before each turn (default 1s)");
  cmd->add_option("--record", opts->record, "Write the assistant's audio as heard to this µ-law WAV file");
  cmd->add_flag("--json", opts->json, "JSON lines (one call) or one JSON summary (--calls)");
  cmd->add_option("--hangup-after", opts->hangup_after, "Hang up after this much stream time, whatever happens");
  cmd->add_option("--greeting-timeout", opts->greeting_timeout, "Fail when no greeting arrives within this (default 10s)");
  cmd->add_option("--voice", opts->voice, "espeak-ng voice for --say (default en-us)");
  cmd->add_option("--wpm", opts->words_per_minute, "Speaking rate for --say, 80-450 words per minute (default 165)");
  cmd->add_flag("--unsigned", opts->unsigned_requests, "Send no X-Twilio-Signature (daemon with validate_signatures = false)");
  cmd->add_option("--calls", opts->calls, "Load mode: run this many concurrent calls")->check(CLI::Range(1u, 100000u));
  cmd->add_option("--duration", opts->duration, "Load mode: stream time of each call (default 60s)");
  cmd->add_option("--ramp", opts->ramp, "Load mode: start the calls evenly over this time (default 10s)");
  cmd->add_flag("--probe", opts->probe, "Load mode: stamp caller frames and check assistant frames for probes");
  cmd->add_option("--threads", opts->threads, "Load mode: event-loop threads (default 1)");
  cmd->callback([&context, cmd, opts] {
    if (opts->calls == 0) {
      for (const char* load_only : {"--duration", "--ramp", "--probe", "--threads"})
        if (cmd->count(load_only) > 0) throw UserError(std::string(load_only) + " needs --calls N", ExitCode::usage);
      run_single(context, *cmd, *opts);
    }
    else run_load(context, *cmd, *opts);
  });
}

}  // namespace sonoria::cli
