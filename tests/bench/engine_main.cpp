// sonoria-bench-engine: a lean stand-in for OpenAI Realtime (GA), Deepgram Voice Agent and Ultravox
// that the relay benchmark (scripts/bench) points sonoria at, all on one port. See tests/bench/README.md.

#include <boost/asio/io_context.hpp>
#include <boost/asio/signal_set.hpp>

#include <CLI/CLI.hpp>

#include <csignal>
#include <cstdio>
#include <exception>
#include <iostream>

#include "tests/bench/engine_server.hpp"
#include "tests/bench/open_files.hpp"

int main(int argc, char** argv) {
  CLI::App app{"A fake speech engine for the sonoria relay benchmark, speaking OpenAI Realtime (GA) on "
               "/v1/realtime, Deepgram Voice Agent on /v1/agent/converse and Ultravox (POST /api/calls, then "
               "/calls/<id>/join): answers every caller turn with paced, probe-stamped audio and serves GET /stats, "
               "POST /stats/reset."};
  app.name("sonoria-bench-engine");
  std::string address = "127.0.0.1";
  int port = 0;
  sonoria::bench::EngineOptions options;
  app.add_option("--port", port, "TCP port; 0 = an ephemeral one (printed on stdout)")->check(CLI::Range(0, 65535));
  app.add_option("--listen", address, "IP address to bind")->capture_default_str();
  app.add_option("--delta-ms", options.delta_ms, "audio per delta or binary audio frame (a multiple of 20)")
      ->capture_default_str()
      ->check([](const std::string& text) -> std::string {
        int ms = 0;
        try {
          ms = std::stoi(text);
        } catch (const std::exception&) {
          return "\"" + text + "\" is not a number of milliseconds";
        }
        return ms > 0 && ms % 20 == 0 && ms <= 2000 ? "" : "must be a multiple of 20 between 20 and 2000, got " + text;
      });
  app.add_option("--reply-ms", options.reply_ms, "length of every spoken reply")
      ->capture_default_str()
      ->check(CLI::Range(20, 600'000));
  app.add_option("--function-every", options.function_every,
                 "every Nth response is a send_booking_link function call (0 = never)")
      ->capture_default_str()
      ->check(CLI::Range(0, 1'000'000));
  CLI11_PARSE(app, argc, argv);

  std::signal(SIGPIPE, SIG_IGN);
  sonoria::bench::raise_open_files_limit();
  try {
    boost::asio::io_context ioc{1};
    sonoria::bench::EngineServer server(ioc, address, static_cast<unsigned short>(port), options);
    boost::asio::signal_set signals(ioc, SIGINT, SIGTERM);
    signals.async_wait([&](const boost::system::error_code&, int) { ioc.stop(); });
    std::cout << "sonoria-bench-engine: listening on " << address << ":" << server.port() << std::endl;
    ioc.run();
  } catch (const std::exception& e) {
    std::cerr << "sonoria-bench-engine: error: " << e.what() << "\n";
    return 1;
  }
  return 0;
}
