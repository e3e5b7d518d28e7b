// sonoria-bench-local: how well the local engine (core/engine/local) serves callers. Each question
// of a question set (tests/data/local_engine/questions.json) is spoken with espeak-ng as 8 kHz
// μ-law, fed to a fresh engine of the example profile 20 ms at a time, and the reply is checked
// against what the question expects: words the answer must hold (facts of the profile) and the
// tool it must call. Prints one line per question, the share answered correctly and the turn
// latency (the end of the caller's speech → the first audio of the answer). Run by
// `scripts/bench --local-engine`; CTest never runs it.
//
// Latency without waiting in real time: the audio is fed as fast as the engine takes it, and the
// latency is the line silence the engine needed to hear after the speech ended (its end-of-turn
// detection) plus the time its answer took to make (recognition, the receptionist, synthesis of
// the first sentence), measured. Fed in real time, the engine keeps up (5 % of one core), so this
// is what a caller waits.
#include <CLI/CLI.hpp>
#include <nlohmann/json.hpp>

#include <algorithm>
#include <chrono>
#include <cstdio>
#include <fstream>
#include <iostream>
#include <map>
#include <sstream>

#include "core/audio/speech_synth.hpp"
#include "core/engine/local/local_engine.hpp"
#include "core/engine/local/model_cache.hpp"
#include "core/org/profile_toml.hpp"
#include "core/org/time_text.hpp"

using namespace sonoria;
using json = nlohmann::json;
using Clock = std::chrono::steady_clock;

namespace {

std::string lower(std::string s) {
  for (auto& c : s) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  return s;
}

struct Turn {
  std::string say;
  std::vector<std::string> expect;   // the answer holds each (case-insensitive)
  std::string tool;                  // the answer calls it ("" = calls none)
};

struct Question {
  std::string profile;
  std::vector<Turn> turns;           // one, or a short conversation
};

struct Outcome {
  std::string heard;
  std::string answer;
  std::vector<std::string> tools;
  double latency_ms = -1;
  bool correct = false;
  std::string why;
};

std::vector<Question> load_questions(const std::string& path, std::string& now_text) {
  std::ifstream in(path);
  if (!in) throw std::runtime_error("cannot read " + path);
  json all = json::parse(in);
  now_text = all.at("now").get<std::string>();
  std::vector<Question> out;
  for (const auto& q : all.at("questions")) {
    Question question;
    question.profile = q.at("profile").get<std::string>();
    const json turns = q.contains("turns") ? q.at("turns") : json::array({q});
    for (const auto& t : turns) {
      Turn turn;
      turn.say = t.at("say").get<std::string>();
      if (t.contains("expect")) turn.expect = t.at("expect").get<std::vector<std::string>>();
      turn.tool = t.value("tool", "");
      question.turns.push_back(std::move(turn));
    }
    out.push_back(std::move(question));
  }
  return out;
}

std::chrono::sys_seconds parse_instant(const std::string& text) {
  // "2026-03-12T14:00:00Z"
  auto date = org::parse_date(text.substr(0, 10));
  if (!date || text.size() < 19) throw std::runtime_error("\"now\" is not YYYY-MM-DDTHH:MM:SSZ: " + text);
  return std::chrono::sys_days{*date} + std::chrono::hours(std::stoi(text.substr(11, 2))) +
         std::chrono::minutes(std::stoi(text.substr(14, 2))) + std::chrono::seconds(std::stoi(text.substr(17, 2)));
}

// The tools a call of this profile offers (as the daemon's registry would, without a Twilio
// account's limits): the links in link mode, the owner's message, a transfer, hanging up.
std::vector<std::string> tools_of(const org::Profile& p) {
  std::vector<std::string> tools = {"notify_owner", "end_call"};
  if (!p.fallback_numbers.empty()) tools.push_back("transfer_call");
  if (p.booking.mode == org::k_booking_link && !p.organization.booking_url.empty()) tools.push_back("send_booking_link");
  return tools;
}

}  // namespace

int main(int argc, char** argv) {
  CLI::App app{"The local engine's question set: share answered correctly and turn latency"};
  std::string questions_path = "tests/data/local_engine/questions.json";
  std::string examples = "examples";
  std::string voice = "en-us";
  int wpm = 165;
  std::string dictionary = "/usr/share/pocketsphinx/model/en-us/cmudict-en-us.dict";
  std::string acoustic = "/usr/share/pocketsphinx/model/en-us/en-us";
  std::string json_out;
  bool verbose = false;
  app.add_option("--questions", questions_path, "The question set");
  app.add_option("--examples", examples, "Where the example profiles are");
  app.add_option("--voice", voice, "espeak-ng voice of the callers");
  app.add_option("--wpm", wpm, "Their words per minute");
  app.add_option("--json", json_out, "Also write the results here");
  app.add_flag("--verbose", verbose, "Print what was heard and answered for every question");
  CLI11_PARSE(app, argc, argv);

  std::string now_text;
  const auto questions = load_questions(questions_path, now_text);
  const auto now = parse_instant(now_text);
  engine::local::ModelCache models(dictionary);
  std::map<std::string, std::shared_ptr<const org::Profile>> profiles;

  int correct = 0;
  int turns_total = 0;
  std::vector<double> latencies;
  std::vector<double> detections;  // line silence heard before the turn was over, ms
  std::vector<double> work_ms;     // recognition, answer and first sentence's synthesis, ms
  json results = json::array();
  for (std::size_t qi = 0; qi < questions.size(); ++qi) {
    const auto& q = questions[qi];
    auto& profile = profiles[q.profile];
    if (!profile)
      profile = std::make_shared<const org::Profile>(org::load_profile_file(examples + "/" + q.profile + ".toml"));
    engine::local::LocalEngineOptions options;
    options.profile = profile;
    options.tools = tools_of(*profile);
    options.speech = {"en-us", 165};
    options.recognizer.acoustic_model = acoustic;
    options.recognizer.silence_ms = profile->assistant.vad.silence_duration_ms;

    std::vector<json> out;
    Clock::time_point first_audio{};
    auto engine = std::make_unique<engine::local::LocalEngine>(
        models.model_for(profile), options,
        [&](std::string m) {
          auto message = json::parse(m);
          if (message["type"] == "audio" && first_audio == Clock::time_point{}) first_audio = Clock::now();
          out.push_back(std::move(message));
        },
        [now] { return now; });
    auto feed = [&](const std::string& audio) {
      for (std::size_t at = 0; at < audio.size(); at += 160) engine->receive(std::string_view(audio).substr(at, 160), true);
    };
    feed(std::string(8000, '\xff'));  // the line before the caller speaks

    bool all_right = true;
    std::string line_heard, line_answer, why;
    for (const auto& turn : q.turns) {
      ++turns_total;
      out.clear();
      first_audio = {};
      feed(audio::synthesize_ulaw8k(turn.say, {voice, wpm}));
      // Line silence 20 ms at a time until the answer's first audio: how much was needed, and how
      // long the engine took in the call that produced it.
      double latency = -1;
      for (int ms = 20; ms <= 3000 && first_audio == Clock::time_point{}; ms += 20) {
        const auto before = Clock::now();
        engine->receive(std::string(160, '\xff'), true);
        if (first_audio != Clock::time_point{}) {
          const double work = std::chrono::duration<double, std::milli>(first_audio - before).count();
          latency = ms + work;
          detections.push_back(ms);
          work_ms.push_back(work);
        }
      }
      feed(std::string(8000, '\xff'));
      Outcome o;
      for (const auto& m : out) {
        if (m["type"] == "caller_text") o.heard = m["text"];
        if (m["type"] == "agent_text") o.answer += (o.answer.empty() ? "" : " ") + m["text"].get<std::string>();
        if (m["type"] == "tool_call") o.tools.push_back(m["name"]);
      }
      o.latency_ms = latency;
      if (latency >= 0) latencies.push_back(latency);
      const std::string said = lower(o.answer);
      for (const auto& e : turn.expect)
        if (said.find(lower(e)) == std::string::npos) why += "missing \"" + e + "\"; ";
      const bool tool_ok = turn.tool.empty() ? o.tools.empty()
                                             : std::find(o.tools.begin(), o.tools.end(), turn.tool) != o.tools.end();
      if (!tool_ok) why += "tool " + (o.tools.empty() ? std::string("none") : o.tools.front()) + " instead of " +
                           (turn.tool.empty() ? std::string("none") : turn.tool) + "; ";
      if (!why.empty()) all_right = false;
      // Answer each tool call as the daemon would when it succeeds, so a conversation goes on (the
      // engine's answer lands in `out`: the calls are taken first).
      std::vector<std::string> call_ids;
      for (const auto& m : out)
        if (m["type"] == "tool_call") call_ids.push_back(m["call_id"]);
      for (const auto& id : call_ids)
        engine->receive(json{{"type", "tool_result"}, {"call_id", id}, {"output", R"({"ok":true})"}, {"reply", true}}.dump(), false);
      line_heard += (line_heard.empty() ? "" : " / ") + o.heard;
      line_answer += (line_answer.empty() ? "" : " / ") + o.answer;
      results.push_back(json{{"question", qi + 1}, {"profile", q.profile}, {"said", turn.say}, {"heard", o.heard},
                         {"answer", o.answer}, {"tools", o.tools}, {"latency_ms", latency}});
    }
    correct += all_right;
    std::printf("%2zu %-5s %-16s %-48.48s", qi + 1, all_right ? "ok" : "WRONG", q.profile.c_str(), q.turns.front().say.c_str());
    if (!all_right) std::printf("  %s", why.c_str());
    std::printf("\n");
    if (verbose || !all_right) std::printf("      heard: %s\n      answer: %s\n", line_heard.c_str(), line_answer.c_str());
  }
  std::sort(latencies.begin(), latencies.end());
  auto pct = [&](double p) { return latencies.empty() ? -1.0 : latencies[std::min(latencies.size() - 1, static_cast<std::size_t>(p * latencies.size()))]; };
  double mean = 0;
  for (double l : latencies) mean += l;
  if (!latencies.empty()) mean /= static_cast<double>(latencies.size());
  std::printf("\nanswered correctly: %d of %zu questions (%.0f %%), %d caller turns; voice %s at %d wpm\n", correct,
              questions.size(), 100.0 * correct / static_cast<double>(questions.size()), turns_total, voice.c_str(), wpm);
  std::printf("turn latency (end of caller speech → first answer audio): mean %.0f ms, p50 %.0f ms, p95 %.0f ms, max %.0f ms"
              " (floor: the end-of-turn silence, %d ms for the examples)\n",
              mean, pct(0.5), pct(0.95), latencies.empty() ? -1.0 : latencies.back(), 500);
  auto average = [](const std::vector<double>& v) {
    double sum = 0;
    for (double x : v) sum += x;
    return v.empty() ? -1.0 : sum / static_cast<double>(v.size());
  };
  std::printf("  of which: the end of the turn heard after %.0f ms of silence on average, the answer made in %.0f ms\n",
              average(detections), average(work_ms));
  if (!json_out.empty()) {
    std::ofstream(json_out) << json{{"correct", correct}, {"questions", questions.size()}, {"latency_ms_p50", pct(0.5)},
                                    {"latency_ms_p95", pct(0.95)}, {"latency_ms_mean", mean}, {"results", results}}
                                   .dump(2);
  }
  return 0;
}
