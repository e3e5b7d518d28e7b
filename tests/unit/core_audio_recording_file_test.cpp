#include "core/audio/recording_file.hpp"

#include <doctest/doctest.h>

#include "core/audio/g711.hpp"
#include "core/audio/wav.hpp"

using namespace sonoria;
using namespace sonoria::audio;

TEST_CASE("a recording's name: organization, day and call; nothing that could leave the directory") {
  CHECK(recording_relative_path("lotus-yoga", "2026-12-06", "CA0123") == "lotus-yoga/2026-12-06/CA0123.wav");
  CHECK(recording_relative_path("..", "2026-12-06", "CA0123").empty());
  CHECK(recording_relative_path("lotus-yoga", "2026/12", "CA0123").empty());
  CHECK(recording_relative_path("lotus-yoga", "2026-12-06", "").empty());
  CHECK(recordings_directory("/var/lib/sonoria/sonoria.db") == std::filesystem::path("/var/lib/sonoria/recordings"));
}

TEST_CASE("any byte range of the served PCM WAV is exactly that range of the whole, from a window of the µ-law") {
  std::string ulaw;
  for (int i = 0; i < 1001; ++i) ulaw.push_back(static_cast<char>(i * 37 % 256));
  const std::uint64_t n = ulaw.size();
  // The whole, made directly.
  std::string whole = pcm_wav_header(static_cast<std::uint32_t>(n), 8000);
  for (char c : ulaw) {
    const auto v = static_cast<std::uint16_t>(ulaw_to_linear(static_cast<std::uint8_t>(c)));
    whole.push_back(static_cast<char>(v & 0xFF));
    whole.push_back(static_cast<char>(v >> 8));
  }
  REQUIRE(whole.size() == served_wav_size(n));
  for (auto [first, last] : {std::pair<std::uint64_t, std::uint64_t>{0, 0}, {0, 43}, {0, 44}, {10, 100}, {43, 46},
                             {45, 45}, {45, 1000}, {1001, 2000}, {0, whole.size() - 1}, {whole.size() - 1, whole.size() - 1}}) {
    const auto w = samples_for_bytes(n, first, last);
    const auto part = served_wav_bytes(n, first, last, std::string_view(ulaw).substr(w.first_sample, w.samples));
    CHECK_MESSAGE(part == whole.substr(first, last - first + 1), first << "-" << last);
  }
  // The header says how long the whole is, so a player can seek before it has everything.
  const auto parsed = parse_wav(whole, "served.wav");
  CHECK(parsed.samples.size() == n);
}

TEST_CASE("the µ-law header of a recording, patched at the end, is read back as the audio") {
  std::string file = ulaw_wav_header(3) + std::string("\x01\x02\x03", 3) + std::string(1, '\0');
  REQUIRE(ulaw_wav_header(3).size() == k_ulaw_wav_header_bytes);
  auto audio = parse_wav(file, "rec.wav");
  CHECK(audio.samples.size() == 3);
  CHECK(audio.samples[1] == ulaw_to_linear(2));
  // Unpatched (the daemon stopped mid-call): the data runs to the end of the file.
  file = ulaw_wav_header(0) + std::string(80, '\xFF');
  CHECK(parse_wav(file, "rec.wav").samples.size() == 80);
}
