#include "core/simulate/event_log.hpp"

#include <doctest/doctest.h>

#include <sstream>

using namespace sonoria::simulate;

TEST_CASE("JSON lines carry the event name and t_ms first, then the fields") {
  std::ostringstream out;
  EventLog log(out, LogFormat::json, EventLog::Clock::now() - std::chrono::milliseconds(1500));
  log.emit(LogLevel::info, "greeting", {{"latency_ms", 840.5}}, "greeting after 840 ms");
  log.emit(LogLevel::detail, "mark", {{"name", "resp_1:2"}}, "");
  std::istringstream lines(out.str());
  std::string first;
  std::string second;
  std::getline(lines, first);
  std::getline(lines, second);
  auto j = nlohmann::ordered_json::parse(first);
  CHECK(j.begin().key() == "event");
  CHECK(j["event"] == "greeting");
  CHECK(j["t_ms"].get<int>() >= 1500);
  CHECK(j["latency_ms"] == 840.5);
  CHECK(nlohmann::json::parse(second)["name"] == "resp_1:2");
}

TEST_CASE("text lines show seconds and the sentence; details stay out of the human log") {
  std::ostringstream out;
  EventLog log(out, LogFormat::text);
  CHECK(log.wants(LogLevel::info));
  CHECK_FALSE(log.wants(LogLevel::detail));
  log.emit(LogLevel::detail, "mark", {{"name", "m"}}, "mark m echoed");
  log.emit(LogLevel::info, "caller", {{"text", "hi"}}, "caller: hi");
  log.emit(LogLevel::warning, "protocol", nullptr, "odd message");
  CHECK(out.str().find("mark m") == std::string::npos);
  CHECK(out.str().find(" s  caller: hi\n") != std::string::npos);
  CHECK(out.str().find("warning: odd message") != std::string::npos);
}

TEST_CASE("a quiet log prints warnings only") {
  std::ostringstream out;
  EventLog log(out, LogFormat::text, EventLog::Clock::now(), true);
  CHECK_FALSE(log.wants(LogLevel::info));
  log.emit(LogLevel::info, "caller", {}, "caller: hi");
  log.emit(LogLevel::warning, "failure", {}, "call 3 failed");
  CHECK(out.str().find("caller") == std::string::npos);
  CHECK(out.str().find("call 3 failed") != std::string::npos);
}
