#include "core/audio/speech_synth.hpp"

#include <doctest/doctest.h>

#include <unistd.h>

#include <array>
#include <cmath>
#include <cstdio>
#include <cstdlib>
#include <memory>
#include <string>
#include <thread>
#include <vector>

#include "core/audio/g711.hpp"
#include "core/error.hpp"
#include "tests/support/error_of.hpp"
#include "tests/support/temp_dir.hpp"

using namespace sonoria::audio;
using sonoria::test::error_of;
using sonoria::test::TempDir;

namespace {

constexpr double k_rate = 8000.0;

double rms_of(const std::string& ulaw) {
  double sum = 0;
  for (const auto s : ulaw_decode(ulaw)) sum += static_cast<double>(s) * s;
  return ulaw.empty() ? 0.0 : std::sqrt(sum / static_cast<double>(ulaw.size()));
}

}  // namespace

TEST_CASE("a short question becomes one to six seconds of audible 8 kHz µ-law") {
  const std::string audio = synthesize_ulaw8k("What time do you open on Saturday?");
  const double seconds = static_cast<double>(audio.size()) / k_rate;
  CHECK(seconds > 1.0);
  CHECK(seconds < 6.0);
  CHECK(rms_of(audio) > 500.0);  // speech level, not silence or dither
}

TEST_CASE("longer text gives longer audio and a faster rate gives shorter audio") {
  const std::string short_text = synthesize_ulaw8k("Hello.");
  const std::string long_text =
      synthesize_ulaw8k("Hello. I would like to book a yoga class for two people next Saturday morning, please.");
  CHECK(long_text.size() > 2 * short_text.size());

  const std::string sentence = "Can I bring my own mat to the evening class?";
  const std::string slow = synthesize_ulaw8k(sentence, {.voice = "en-us", .words_per_minute = 120});
  const std::string fast = synthesize_ulaw8k(sentence, {.voice = "en-us", .words_per_minute = 300});
  CHECK(fast.size() < slow.size());
}

TEST_CASE("other installed voices synthesise too") {
  CHECK(rms_of(synthesize_ulaw8k("Good morning.", {.voice = "en-gb"})) > 500.0);
  CHECK(rms_of(synthesize_ulaw8k("Guten Morgen.", {.voice = "de"})) > 500.0);
}

TEST_CASE("an unknown voice is a usage error that suggests real voices") {
  const std::string message = error_of([] { synthesize_ulaw8k("Hello.", {.voice = "xx"}); });
  CHECK(message.find("unknown voice 'xx'; try en-us, en-gb, de, fr") == 0);
  try {
    synthesize_ulaw8k("Hello.", {.voice = "xx"});
    FAIL("no error");
  } catch (const sonoria::UserError& e) {
    CHECK(e.code() == sonoria::ExitCode::usage);
  }
  // A misspelt regional variant suggests the variants of the same language.
  const std::string variant = error_of([] { synthesize_ulaw8k("Hello.", {.voice = "en-zz"}); });
  CHECK(variant.find("unknown voice 'en-zz'; try ") == 0);
  CHECK(variant.find("en-us") != std::string::npos);
  CHECK(variant.find("de,") == std::string::npos);
  // The failed selection leaves the library usable.
  CHECK(rms_of(synthesize_ulaw8k("Still here.")) > 500.0);
}

TEST_CASE("a speech rate outside espeak-ng's range is rejected") {
  CHECK(error_of([] { synthesize_ulaw8k("Hello.", {.voice = "en-us", .words_per_minute = 20}); }) ==
        "speech rate 20 words per minute is out of range (expected 80 to 450)");
}

// Initialisation happens once per process, so the failure is seen in a child process: this test
// binary re-run with only the next test case, and ESPEAK_DATA_PATH pointing at an empty directory.
TEST_CASE("without its data files espeak-ng fails with the path it searched and the package to install") {
  const TempDir empty;
  std::array<char, 4096> self{};
  REQUIRE(::readlink("/proc/self/exe", self.data(), self.size() - 1) > 0);
  const std::string command = "ESPEAK_DATA_PATH='" + empty.path().string() + "' SONORIA_AUDIO_TEST_CHILD=1 '" +
                              self.data() + "' --test-case='espeak-ng child: synthesise twice' 2>&1";
  std::unique_ptr<FILE, int (*)(FILE*)> pipe(::popen(command.c_str(), "r"), ::pclose);
  REQUIRE(pipe != nullptr);
  std::string output;
  std::array<char, 4096> buffer{};
  while (std::fgets(buffer.data(), static_cast<int>(buffer.size()), pipe.get()) != nullptr) output += buffer.data();
  const std::string expected = "espeak-ng cannot start: its data files are missing or unreadable in " +
                               empty.path().string() + " (No such file or directory); install the Debian package "
                               "espeak-ng-data, or set ESPEAK_DATA_PATH to the espeak-ng-data directory";
  CAPTURE(output);
  CHECK(output.find("first: " + expected + "\n") != std::string::npos);
  CHECK(output.find("second: " + expected + "\n") != std::string::npos);  // no retry, no crash
}

TEST_CASE("espeak-ng child: synthesise twice") {
  if (std::getenv("SONORIA_AUDIO_TEST_CHILD") == nullptr) return;  // only meaningful in the child above
  std::printf("first: %s\n", error_of([] { synthesize_ulaw8k("Hello."); }).c_str());
  std::printf("second: %s\n", error_of([] { synthesize_ulaw8k("Hello."); }).c_str());
}

TEST_CASE("empty text gives empty audio") { CHECK(synthesize_ulaw8k("").empty()); }

TEST_CASE("calls from several threads at once are serialised and each gets its own whole utterance") {
  // espeak-ng carries a little state (noise, pitch flutter, trailing pause) from one utterance to
  // the next, so repeats are not bit-identical; interleaved callbacks would mix or split them.
  const auto short_length = static_cast<double>(synthesize_ulaw8k("Yes.").size());
  const auto long_length = static_cast<double>(synthesize_ulaw8k("One moment please, I am checking the schedule.").size());
  std::vector<std::string> results(4);
  std::vector<std::thread> threads;
  for (std::size_t i = 0; i < results.size(); ++i) {
    const char* text = i % 2 == 0 ? "Yes." : "One moment please, I am checking the schedule.";
    threads.emplace_back([&results, i, text] { results[i] = synthesize_ulaw8k(text); });
  }
  for (auto& t : threads) t.join();
  for (std::size_t i = 0; i < results.size(); ++i) {
    CAPTURE(i);
    const double expected = i % 2 == 0 ? short_length : long_length;
    CHECK(static_cast<double>(results[i].size()) > 0.8 * expected);
    CHECK(static_cast<double>(results[i].size()) < 1.25 * expected);
    CHECK(rms_of(results[i]) > 500.0);
  }
}
