// The local engine's ears, on real speech: espeak-ng's voice at 8 kHz μ-law, as a caller's audio
// arrives from Twilio (20 ms at a time), heard by PocketSphinx with a model of the business's
// phrases. Needs Debian's pocketsphinx-en-us (scripts/bootstrap installs it).
#include <doctest/doctest.h>

#include <cmath>
#include <fstream>
#include <sstream>

#include "core/audio/speech_synth.hpp"
#include "core/engine/local/language_model.hpp"
#include "core/engine/local/pronunciations.hpp"
#include "core/engine/local/speech_recognizer.hpp"
#include "core/error.hpp"

using namespace sonoria;
using namespace sonoria::engine::local;

namespace speech_recognizer_test {

const PronouncingDictionary& cmu() {
  static const PronouncingDictionary dict = [] {
    std::ifstream in("/usr/share/pocketsphinx/model/en-us/cmudict-en-us.dict");
    std::ostringstream text;
    text << in.rdbuf();
    return PronouncingDictionary::parse(text.str());
  }();
  return dict;
}

ListeningModel model_of(const std::vector<std::string>& sentences) {
  auto lm = trigram_model(sentences);
  return {lm.arpa, cmu().lines_for(lm.vocabulary)};
}

const std::vector<std::string> k_sentences = {
    "what time do you open on saturday", "what time do you close today", "are you open now",
    "how much is a private session",     "how much is hot yoga",        "where are you located",
    "can i leave a message",             "goodbye",                     "thank you goodbye"};

struct Heard {
  int started = 0;
  std::vector<std::string> turns;
};

// Feeds `audio` and then `silence_ms` of silence, 20 ms at a time, as a call would.
Heard listen(SpeechRecognizer& ears, const std::string& audio, int silence_ms = 1000) {
  Heard heard;
  const std::string all = audio + std::string(static_cast<std::size_t>(silence_ms) * 8, '\xff');
  for (std::size_t at = 0; at < all.size(); at += 160) {
    auto h = ears.feed(std::string_view(all).substr(at, 160));
    heard.started += h.speech_started;
    if (h.turn) heard.turns.push_back(*h.turn);
  }
  return heard;
}


TEST_CASE("a caller's question, spoken, becomes one turn with its words") {
  SpeechRecognizer ears(model_of(k_sentences), {});
  auto heard = listen(ears, std::string(4000, '\xff') + audio::synthesize_ulaw8k("How much is a private session?"));
  CHECK(heard.started == 1);
  REQUIRE(heard.turns.size() == 1);
  // Espeak's robotic voice is not always heard word for word; the words that carry the question are.
  CHECK(heard.turns[0].rfind("how much is a private", 0) == 0);
  CHECK(ears.fed_ms() == 500 + 1000 + static_cast<std::int64_t>(audio::synthesize_ulaw8k("How much is a private session?").size() / 8));
}

TEST_CASE("two questions with a pause between are two turns; silence alone is none") {
  SpeechRecognizer ears(model_of(k_sentences), {});
  auto first = listen(ears, audio::synthesize_ulaw8k("Where are you located?"));
  auto second = listen(ears, audio::synthesize_ulaw8k("Goodbye."));
  auto quiet = listen(ears, "", 3000);
  REQUIRE(first.turns.size() == 1);
  CHECK(first.turns[0] == "where are you located");
  REQUIRE(second.turns.size() == 1);
  CHECK(second.turns[0].find("goodbye") != std::string::npos);
  CHECK(quiet.started == 0);
  CHECK(quiet.turns.empty());
}

TEST_CASE("the turn starts where the speech does, give or take the detector's 300 ms") {
  SpeechRecognizer ears(model_of(k_sentences), {});
  std::int64_t start = -1;
  const std::string audio = std::string(8000, '\xff') + audio::synthesize_ulaw8k("Are you open now?");
  for (std::size_t at = 0; at < audio.size(); at += 160) {
    auto h = ears.feed(std::string_view(audio).substr(at, 160));
    if (h.speech_started) start = h.start_ms;
  }
  CHECK(start >= 700);
  CHECK(start <= 1300);
}

TEST_CASE("the band above 4 kHz gets faint noise, and only that band") {
  std::vector<std::int16_t> wide(16000, 0);
  std::uint32_t state = 1;
  fill_upper_band(wide, state);
  double energy = 0;
  double neighbours = 0;
  for (std::size_t i = 1; i < wide.size(); ++i) {
    energy += double(wide[i]) * wide[i];
    neighbours += double(wide[i]) * wide[i - 1];
  }
  const double rms = std::sqrt(energy / double(wide.size()));
  CHECK(rms > 50);
  CHECK(rms < 400);
  // High-frequency noise: neighbouring samples mostly have opposite signs.
  CHECK(neighbours / energy < -0.4);
}

TEST_CASE("a missing acoustic model is a clear error naming the setting and the package") {
  RecognizerOptions options;
  options.acoustic_model = "/nonexistent/en-us";
  try {
    SpeechRecognizer ears(model_of(k_sentences), options);
    FAIL("no error");
  } catch (const DataError& e) {
    CHECK(std::string(e.what()).find("/nonexistent/en-us") != std::string::npos);
    CHECK(std::string(e.what()).find("engines.local.acoustic_model") != std::string::npos);
    CHECK(std::string(e.what()).find("pocketsphinx-en-us") != std::string::npos);
  }
}

}  // namespace speech_recognizer_test
