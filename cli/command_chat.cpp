// sonoria chat [--org SLUG] [--live]: a text conversation with the assistant in the terminal,
// through the running daemon's call core and tools (core/simulate/chat_call.hpp). Each line typed
// is the caller's turn; the assistant's answers, and the tools it calls, are printed. Texts and
// transfers are shown, not carried out — it is a test call signed with the local test key —
// unless --live signs it with the Twilio auth token, as a real call.
#include <CLI/CLI.hpp>

#include <boost/asio/io_context.hpp>
#include <boost/asio/executor_work_guard.hpp>

#include <poll.h>
#include <unistd.h>

#include <atomic>
#include <condition_variable>
#include <iostream>
#include <mutex>
#include <thread>

#include "cli/call_target.hpp"
#include "cli/commands.hpp"
#include "cli/context.hpp"
#include "core/auth/local_test_key.hpp"
#include "core/error.hpp"
#include "core/simulate/chat_call.hpp"

namespace sonoria::cli {

namespace {

struct ChatOptions {
  std::string org;
  std::string to;
  std::string from = "+14155550100";
  std::string url;
  std::string connect;
  bool live = false;
  int reply_timeout_s = 20;
};

// What the conversation looks like on the terminal; the daemon's answers arrive on the io thread
// while the person types, so every line is written under one lock.
class Console {
 public:
  using Clock = std::chrono::steady_clock;

  void line(const std::string& text) {
    std::lock_guard lock(mutex_);
    std::cout << text << "\n" << std::flush;
    last_line_ = Clock::now();
    changed_.notify_all();
  }
  // An answer came (or the call ended): the person may type again once the assistant is done.
  void answered() {
    std::lock_guard lock(mutex_);
    waiting_ = false;
    changed_.notify_all();
  }
  void expect_answer() {
    std::lock_guard lock(mutex_);
    waiting_ = true;
  }
  // Until the answer has come and nothing more for `quiet` (a tool's result, the words after it),
  // or the call's end, or the timeout.
  void wait_for_answer(std::chrono::seconds timeout, std::chrono::milliseconds quiet, const std::atomic<bool>& ended) {
    const auto deadline = Clock::now() + timeout;
    std::unique_lock lock(mutex_);
    while (!ended.load() && Clock::now() < deadline) {
      if (!waiting_ && Clock::now() - last_line_ >= quiet) break;
      changed_.wait_for(lock, std::chrono::milliseconds(50));
    }
    waiting_ = false;
  }

 private:
  std::mutex mutex_;
  std::condition_variable changed_;
  bool waiting_ = false;
  Clock::time_point last_line_{};
};

std::string describe_event(const std::string& kind, const nlohmann::json& d) {
  if (kind == "tool_call")
    return "  [tool " + d.value("name", std::string("?")) + " " + d.value("arguments", std::string("{}")) + "]";
  if (kind == "tool_result")
    return std::string("  [") + (d.value("ok", false) ? "→ " : "→ failed: ") + d.value("output", std::string()) + "]";
  if (kind == "engine_failover")
    return "  [engine " + d.value("from", std::string("?")) + " → " + d.value("to", std::string("?")) + ": " +
           d.value("detail", std::string()) + "]";
  return "  [" + kind + "]";
}

void run_chat(Context& context, const ChatOptions& opts) {
  const auto& settings = context.settings();
  simulate::CallPlan plan;
  const Endpoints where = endpoints(context, {opts.url, opts.connect, opts.org});
  plan.webhook_url = where.webhook;
  plan.connect_origin = where.connect;
  plan.allow_insecure_stream = plan.webhook_url.rfind("http://", 0) == 0;
  if (opts.live) {
    if (settings.twilio.auth_token.empty())
      throw DataError("--live signs the call as Twilio would, with twilio.auth_token (or TWILIO_AUTH_TOKEN): it is not set");
    plan.auth_token = settings.twilio.auth_token;
  } else {
    // A test call: only the local test key makes one (texts recorded, not sent).
    const auto key_path = auth::local_test_key_path(settings.database.path);
    auto key = auth::read_local_test_key(key_path);
    if (!key)
      throw DataError("no local test key at " + key_path.string() +
                      ": `sonoria chat` talks to a daemon on this machine (start `sonoria serve` here), or pass --live");
    plan.auth_token = *key;
  }
  plan.party.account_sid = settings.twilio.account_sid.empty() ? "AC" + std::string(32, '0') : settings.twilio.account_sid;
  plan.party.from = typed_number(settings, "--from", opts.from);
  plan.party.to = called_number(context, opts.to, opts.org);

  Console console;
  std::atomic<bool> ended{false};
  std::atomic<bool> ok{true};
  boost::asio::io_context io;
  auto work = boost::asio::make_work_guard(io);
  simulate::ChatCall::Handlers handlers;
  handlers.ready = [&] { console.line("(connected to " + plan.party.to + (opts.live ? ", live" : ", a test call") + ")"); };
  handlers.turn = [&](const std::string& speaker, const std::string& text) {
    if (speaker == "assistant") {
      console.line("assistant: " + text);
      console.answered();
    } else if (speaker == "system") {
      console.line("  [" + text + "]");
    }
    // The caller's own turns are what was typed: not printed again.
  };
  handlers.event = [&](const std::string& kind, const nlohmann::json& detail) { console.line(describe_event(kind, detail)); };
  handlers.twiml = [&](const std::string& note) { console.line(note); };
  handlers.ended = [&](bool fine, const std::string& why) {
    ok = fine;
    ended = true;
    console.line("(" + why + ")");
    console.answered();
    work.reset();
  };
  auto call = simulate::ChatCall::create(io.get_executor(), plan, handlers);
  console.expect_answer();  // the greeting
  call->start();
  std::thread io_thread([&] { io.run(); });

  const bool interactive = ::isatty(0) != 0;
  const auto timeout = std::chrono::seconds(opts.reply_timeout_s);
  constexpr std::chrono::milliseconds k_quiet{1200};
  console.wait_for_answer(timeout, k_quiet, ended);
  while (!ended) {
    if (interactive) {
      std::cout << "you> " << std::flush;
      // Waits for a line, but notices the call ending meanwhile (the assistant hung up).
      pollfd in{0, POLLIN, 0};
      while (!ended && ::poll(&in, 1, 200) == 0) {
      }
      if (ended) break;
    }
    std::string line;
    if (!std::getline(std::cin, line) || line == "/quit" || line == "/bye") {
      call->hang_up();
      break;
    }
    if (line.find_first_not_of(" \t") == std::string::npos) continue;
    if (!interactive) console.line("you: " + line);
    console.expect_answer();
    call->say(line);
    console.wait_for_answer(timeout, k_quiet, ended);
  }
  io_thread.join();
  if (!ok) throw UserError("the chat ended with an error");
}

}  // namespace

void register_chat(CLI::App& app, Context& context) {
  auto opts = std::make_shared<ChatOptions>();
  auto* cmd = app.add_subcommand("chat", "Talk to the assistant in text, through the running daemon (texts and transfers shown, not done)");
  cmd->add_option("--org", opts->org, "The organization (id or slug); default: the one that answers --to, or the only one");
  cmd->add_option("--to", opts->to, "The number called (default: the organization's first number)");
  cmd->add_option("--from", opts->from, "The caller's number (default +14155550100)");
  cmd->add_option("--url", opts->url, "The daemon's public URL (default server.public_url)");
  cmd->add_option("--connect", opts->connect, "Send every request to HOST:PORT (or an http(s):// origin) while signing for --url");
  cmd->add_flag("--live", opts->live, "A real call: signed with the Twilio auth token, so texts are sent and transfers done");
  cmd->add_option("--reply-timeout", opts->reply_timeout_s, "Seconds to wait for each answer (default 20)")->check(CLI::Range(1, 600));
  cmd->callback([&context, opts] { run_chat(context, *opts); });
}

}  // namespace sonoria::cli
