#include "core/audio/wav.hpp"

#include <doctest/doctest.h>

#include <unistd.h>

#include <algorithm>
#include <cmath>
#include <cstdint>
#include <cstring>
#include <filesystem>
#include <string>
#include <utility>
#include <vector>

#include "core/audio/g711.hpp"
#include "core/error.hpp"
#include "tests/support/error_of.hpp"
#include "tests/support/temp_dir.hpp"

using namespace sonoria::audio;
using sonoria::test::error_of;
using sonoria::test::TempDir;

namespace {

// Samples covering zero, both extremes and values with low bits set.
const std::vector<std::int16_t> k_reference = {0, 1, -1, 1000, -1000, 12345, -4321, 32767, -32768, 255, -256, 7};

std::string le16(std::uint32_t v) { return {static_cast<char>(v & 0xFF), static_cast<char>((v >> 8) & 0xFF)}; }
std::string le32(std::uint32_t v) { return le16(v & 0xFFFF) + le16(v >> 16); }

std::string chunk(const std::string& id, const std::string& body, bool pad = true) {
  std::string out = id + le32(static_cast<std::uint32_t>(body.size())) + body;
  if (pad && body.size() % 2 == 1) out += '\0';
  return out;
}

std::string fmt_chunk(std::uint16_t tag, std::uint16_t channels, std::uint32_t rate, std::uint16_t bits) {
  const std::uint32_t align = channels * (bits / 8u);
  return chunk("fmt ", le16(tag) + le16(channels) + le32(rate) + le32(rate * align) + le16(align) + le16(bits));
}

// WAVE_FORMAT_EXTENSIBLE wrapping `subformat`, with the standard KSDATAFORMAT GUID tail.
std::string extensible_fmt_chunk(std::uint16_t subformat, std::uint16_t channels, std::uint32_t rate,
                                 std::uint16_t bits, std::uint16_t valid_bits) {
  const std::uint32_t align = channels * (bits / 8u);
  const std::string guid_tail("\x00\x00\x00\x00\x10\x00\x80\x00\x00\xAA\x00\x38\x9B\x71", 14);
  return chunk("fmt ", le16(0xFFFE) + le16(channels) + le32(rate) + le32(rate * align) + le16(align) + le16(bits) +
                           le16(22) + le16(valid_bits) + le32(channels == 2 ? 3 : 4) + le16(subformat) + guid_tail);
}

std::string riff(const std::string& chunks) {
  return "RIFF" + le32(static_cast<std::uint32_t>(4 + chunks.size())) + "WAVE" + chunks;
}

std::string pcm16_bytes(const std::vector<std::int16_t>& samples) {
  std::string out;
  for (const auto s : samples) out += le16(static_cast<std::uint16_t>(s));
  return out;
}

std::string mono16_wav(const std::vector<std::int16_t>& samples, std::uint32_t rate = 8000) {
  return riff(fmt_chunk(1, 1, rate, 16) + chunk("data", pcm16_bytes(samples)));
}

template <typename T>
std::string raw(T value) {
  std::string out(sizeof value, '\0');
  std::memcpy(out.data(), &value, sizeof value);
  return out;
}

void check_close(const std::vector<std::int16_t>& got, const std::vector<std::int16_t>& want, int tolerance) {
  REQUIRE(got.size() == want.size());
  for (std::size_t i = 0; i < want.size(); ++i) {
    CAPTURE(i);
    CHECK(std::abs(got[i] - want[i]) <= tolerance);
  }
}

}  // namespace

TEST_CASE("every supported sample encoding reads back the samples it was written with") {
  std::string data;
  int tolerance = 0;
  std::string fmt;
  std::vector<std::int16_t> want = k_reference;

  SUBCASE("8-bit unsigned PCM") {
    for (const auto s : k_reference) data += static_cast<char>((s >> 8) + 128);
    fmt = fmt_chunk(1, 1, 8000, 8);
    tolerance = 255;
  }
  SUBCASE("16-bit PCM") {
    data = pcm16_bytes(k_reference);
    fmt = fmt_chunk(1, 1, 8000, 16);
  }
  SUBCASE("24-bit PCM") {
    for (const auto s : k_reference) data += le32(static_cast<std::uint32_t>(s * 256 + 0x55)).substr(0, 3);
    fmt = fmt_chunk(1, 1, 8000, 24);
  }
  SUBCASE("32-bit PCM") {
    for (const auto s : k_reference) data += le32(static_cast<std::uint32_t>(s * 65536 + 0x1234));
    fmt = fmt_chunk(1, 1, 8000, 32);
  }
  SUBCASE("32-bit float") {
    for (const auto s : k_reference) data += raw(static_cast<float>(s) / 32768.0f);
    fmt = fmt_chunk(3, 1, 8000, 32);
  }
  SUBCASE("64-bit float") {
    for (const auto s : k_reference) data += raw(static_cast<double>(s) / 32768.0);
    fmt = fmt_chunk(3, 1, 8000, 64);
  }
  SUBCASE("µ-law") {
    want.clear();
    for (const auto s : k_reference) {
      data += static_cast<char>(linear_to_ulaw(s));
      want.push_back(ulaw_to_linear(linear_to_ulaw(s)));
    }
    fmt = fmt_chunk(7, 1, 8000, 8);
  }
  SUBCASE("A-law") {
    want.clear();
    for (const auto s : k_reference) {
      data += static_cast<char>(linear_to_alaw(s));
      want.push_back(alaw_to_linear(linear_to_alaw(s)));
    }
    fmt = fmt_chunk(6, 1, 8000, 8);
  }
  SUBCASE("extensible 16-bit PCM") {
    data = pcm16_bytes(k_reference);
    fmt = extensible_fmt_chunk(1, 1, 8000, 16, 16);
  }
  SUBCASE("extensible 24-bit PCM in 32-bit containers") {
    for (const auto s : k_reference) data += le32(static_cast<std::uint32_t>(s) << 16);
    fmt = extensible_fmt_chunk(1, 1, 8000, 32, 24);
  }
  SUBCASE("extensible float") {
    for (const auto s : k_reference) data += raw(static_cast<float>(s) / 32768.0f);
    fmt = extensible_fmt_chunk(3, 1, 8000, 32, 32);
  }
  SUBCASE("extensible µ-law") {
    want.clear();
    for (const auto s : k_reference) {
      data += static_cast<char>(linear_to_ulaw(s));
      want.push_back(ulaw_to_linear(linear_to_ulaw(s)));
    }
    fmt = extensible_fmt_chunk(7, 1, 8000, 8, 8);
  }

  const TempDir dir;
  const auto file = dir.write("in.wav", riff(fmt + chunk("data", data)));
  const PcmAudio audio = read_wav(file);
  CHECK(audio.sample_rate == 8000);
  check_close(audio.samples, want, tolerance);
}

TEST_CASE("float samples beyond full scale are clipped rather than wrapped") {
  const std::string data = raw(1.5f) + raw(-2.0f) + raw(1.0f);
  const auto audio = parse_wav(riff(fmt_chunk(3, 1, 8000, 32) + chunk("data", data)), "loud.wav");
  CHECK(audio.samples == std::vector<std::int16_t>{32767, -32768, 32767});
}

TEST_CASE("stereo and multi-channel audio is mixed down to mono by averaging") {
  SUBCASE("stereo 16-bit") {
    std::string data;
    const std::vector<std::pair<int, int>> frames = {{1000, 3000}, {-2000, 2000}, {32767, 32767}, {-32768, -32768}};
    for (const auto& [l, r] : frames) {
      data += le16(static_cast<std::uint16_t>(l)) + le16(static_cast<std::uint16_t>(r));
    }
    const auto audio = parse_wav(riff(fmt_chunk(1, 2, 44100, 16) + chunk("data", data)), "stereo.wav");
    CHECK(audio.sample_rate == 44100);
    CHECK(audio.samples == std::vector<std::int16_t>{2000, 0, 32767, -32768});
  }
  SUBCASE("extensible six-channel 16-bit") {
    std::string data;
    for (int i = 0; i < 6; ++i) data += le16(static_cast<std::uint16_t>(600 * (i + 1)));
    const auto audio = parse_wav(riff(extensible_fmt_chunk(1, 6, 48000, 16, 16) + chunk("data", data)), "surround.wav");
    CHECK(audio.samples == std::vector<std::int16_t>{2100});  // (600+1200+…+3600)/6
  }
}

TEST_CASE("unknown chunks before and after the audio are skipped") {
  const std::string list = chunk("LIST", "INFOISFT" + le32(6) + std::string("sox 1\0", 6));
  const std::string fact = chunk("fact", le32(static_cast<std::uint32_t>(k_reference.size())));
  const std::string bytes =
      riff(fmt_chunk(1, 1, 16000, 16) + list + fact + chunk("data", pcm16_bytes(k_reference)) + chunk("id3 ", "TAG..."));
  const auto audio = parse_wav(bytes, "tagged.wav");
  CHECK(audio.sample_rate == 16000);
  CHECK(audio.samples == k_reference);
}

TEST_CASE("an odd-sized chunk is followed by its pad byte, or tolerated without one") {
  const std::string data = chunk("data", pcm16_bytes(k_reference));
  SUBCASE("with the pad byte") {
    const auto audio = parse_wav(riff(fmt_chunk(1, 1, 8000, 16) + chunk("junk", "abc", true) + data), "padded.wav");
    CHECK(audio.samples == k_reference);
  }
  SUBCASE("without the pad byte") {
    const auto audio = parse_wav(riff(fmt_chunk(1, 1, 8000, 16) + chunk("junk", "abc", false) + data), "unpadded.wav");
    CHECK(audio.samples == k_reference);
  }
  SUBCASE("an odd-sized µ-law data chunk followed by a pad byte and a LIST chunk") {
    const std::string codes = "\x10\x20\x30";
    const auto audio = parse_wav(riff(fmt_chunk(7, 1, 8000, 8) + chunk("data", codes) + chunk("LIST", "INFO")), "odd.wav");
    CHECK(audio.samples == ulaw_decode(codes));
  }
}

TEST_CASE("a data chunk with size 0 or 0xFFFFFFFF runs to the end of a streamed file") {
  const std::string header = riff(fmt_chunk(1, 1, 8000, 16));
  SUBCASE("size 0xFFFFFFFF") {
    const auto audio = parse_wav(header + "data" + le32(0xFFFFFFFF) + pcm16_bytes(k_reference), "stream.wav");
    CHECK(audio.samples == k_reference);
  }
  SUBCASE("size 0 with audio after it") {
    const auto audio = parse_wav(header + "data" + le32(0) + pcm16_bytes(k_reference), "stream.wav");
    CHECK(audio.samples == k_reference);
  }
  SUBCASE("an RF64 file whose sizes are all 0xFFFFFFFF") {
    std::string bytes = "RF64" + le32(0xFFFFFFFF) + "WAVE" + chunk("ds64", std::string(28, '\0')) +
                        fmt_chunk(1, 1, 8000, 16) + "data" + le32(0xFFFFFFFF) + pcm16_bytes(k_reference);
    CHECK(parse_wav(bytes, "big.wav").samples == k_reference);
  }
}

TEST_CASE("an empty data chunk gives empty audio, even when a chunk follows it") {
  SUBCASE("at the end") {
    const auto audio = parse_wav(riff(fmt_chunk(1, 1, 22050, 16) + chunk("data", "")), "empty.wav");
    CHECK(audio.sample_rate == 22050);
    CHECK(audio.samples.empty());
  }
  SUBCASE("followed by a LIST chunk") {
    const auto audio = parse_wav(riff(fmt_chunk(1, 1, 8000, 16) + chunk("data", "") + chunk("LIST", "INFO")), "e.wav");
    CHECK(audio.samples.empty());
  }
}

TEST_CASE("a truncated file keeps the whole frames its data chunk still holds") {
  const std::string full = riff(fmt_chunk(1, 2, 8000, 16) + chunk("data", pcm16_bytes({100, 300, 500, 700, 900, 1100})));
  const auto audio = parse_wav(full.substr(0, full.size() - 3), "cut.wav");  // last frame is one byte short
  CHECK(audio.samples == std::vector<std::int16_t>{200, 600});
}

TEST_CASE("a data chunk before the fmt chunk is still decoded with that format") {
  const auto audio = parse_wav(riff(chunk("data", pcm16_bytes(k_reference)) + fmt_chunk(1, 1, 8000, 16)), "late.wav");
  CHECK(audio.samples == k_reference);
}

TEST_CASE("malformed WAV files are rejected with a message naming the file and the problem") {
  const std::string data = chunk("data", pcm16_bytes({1, 2}));
  CHECK(error_of([] { parse_wav("", "caller.wav"); }) == "caller.wav: not a WAV file (no RIFF header)");
  CHECK(error_of([] { parse_wav("ID3\x03 this is an mp3", "caller.wav"); }) ==
        "caller.wav: not a WAV file (no RIFF header)");
  CHECK(error_of([] { parse_wav("RIFF" + le32(4) + "AVI ", "caller.wav"); }) ==
        "caller.wav: not a WAV file (RIFF form 'AVI ', expected 'WAVE')");
  CHECK(error_of([&] { parse_wav(riff(fmt_chunk(85, 1, 44100, 0) + data), "caller.wav"); }) ==
        "caller.wav: unsupported WAV encoding 85 (MP3); expected PCM, float, μ-law or A-law");
  CHECK(error_of([&] { parse_wav(riff(fmt_chunk(1234, 1, 8000, 16) + data), "caller.wav"); }) ==
        "caller.wav: unsupported WAV encoding 1234; expected PCM, float, μ-law or A-law");
  CHECK(error_of([&] { parse_wav(riff(chunk("fmt ", std::string(12, '\1')) + data), "caller.wav"); }) ==
        "caller.wav: truncated fmt chunk (12 bytes; expected at least 16)");
  CHECK(error_of([] { parse_wav(riff("fmt " + le32(16) + le16(1) + le16(1)), "caller.wav"); }) ==
        "caller.wav: truncated fmt chunk (4 of 16 bytes present)");
  CHECK(error_of([&] {
          parse_wav(riff(chunk("fmt ", le16(0xFFFE) + le16(1) + le32(8000) + le32(16000) + le16(2) + le16(16) + le16(0)) +
                         data),
                    "caller.wav");
        }) == "caller.wav: truncated fmt chunk (18 bytes; WAVE_FORMAT_EXTENSIBLE needs 40)");
  CHECK(error_of([&] {
          std::string fmt = extensible_fmt_chunk(1, 1, 8000, 16, 16);
          fmt[fmt.size() - 1] = 'X';  // a vendor GUID, not KSDATAFORMAT_SUBTYPE_PCM
          parse_wav(riff(fmt + data), "caller.wav");
        }) == "caller.wav: unsupported WAV encoding (WAVE_FORMAT_EXTENSIBLE with a non-standard sub-format GUID); "
              "expected PCM, float, μ-law or A-law");
  CHECK(error_of([&] { parse_wav(riff(fmt_chunk(1, 1, 0, 16) + data), "caller.wav"); }) ==
        "caller.wav: sample rate 0 Hz is not usable; expected 1000 to 768000 Hz");
  CHECK(error_of([&] { parse_wav(riff(fmt_chunk(1, 1, 4000000, 16) + data), "caller.wav"); }) ==
        "caller.wav: sample rate 4000000 Hz is not usable; expected 1000 to 768000 Hz");
  CHECK(error_of([&] { parse_wav(riff(fmt_chunk(1, 0, 8000, 16) + data), "caller.wav"); }) ==
        "caller.wav: the fmt chunk declares 0 channels; expected 1 or more");
  CHECK(error_of([&] { parse_wav(riff(fmt_chunk(1, 1, 8000, 12) + data), "caller.wav"); }) ==
        "caller.wav: 12-bit PCM is not supported; expected 8, 16, 24 or 32 bits per sample");
  CHECK(error_of([&] { parse_wav(riff(fmt_chunk(3, 1, 8000, 16) + data), "caller.wav"); }) ==
        "caller.wav: 16-bit float is not supported; expected 32 or 64 bits per sample");
  CHECK(error_of([&] { parse_wav(riff(fmt_chunk(7, 1, 8000, 16) + data), "caller.wav"); }) ==
        "caller.wav: μ-law with 16 bits per sample is not valid; expected 8");
  CHECK(error_of([&] { parse_wav(riff(data), "caller.wav"); }) == "caller.wav: not a usable WAV file (no fmt chunk)");
  CHECK(error_of([] { parse_wav(riff(fmt_chunk(1, 1, 8000, 16) + chunk("LIST", "INFO")), "caller.wav"); }) ==
        "caller.wav: not a usable WAV file (no data chunk)");
}

TEST_CASE("the malformed-file errors are DataErrors, so the CLI exits with code 3") {
  CHECK_THROWS_AS(parse_wav("nope", "x.wav"), sonoria::DataError);
}

TEST_CASE("reading a file that does not exist names the file and the reason") {
  const TempDir dir;
  const auto missing = dir / "missing.wav";
  CHECK(error_of([&] { read_wav(missing); }) == missing.string() + ": cannot open (No such file or directory)");
}

TEST_CASE("a 16-bit PCM WAV written by write_pcm_wav reads back exactly") {
  const TempDir dir;
  const auto file = dir / "out.wav";
  const PcmAudio audio{22050, {k_reference.begin(), k_reference.end() - 1}};  // odd count: no pad needed for 16-bit
  write_pcm_wav(file, audio);
  const std::string bytes = sonoria::test::read_file(file);
  CHECK(bytes.size() == 44 + audio.samples.size() * 2);
  CHECK(bytes.substr(0, 4) == "RIFF");
  CHECK(bytes.substr(4, 4) == le32(static_cast<std::uint32_t>(bytes.size() - 8)));
  const auto back = read_wav(file);
  CHECK(back.sample_rate == 22050);
  CHECK(back.samples == audio.samples);
  CHECK(!std::filesystem::exists(dir / ("out.wav.tmp-" + std::to_string(::getpid()))));
}

TEST_CASE("a µ-law WAV written by write_ulaw_wav has format 7, a fact chunk and a padded data chunk") {
  const TempDir dir;
  const auto file = dir / "record.wav";
  const std::string codes("\x00\x10\x80\xF0\xFE\xFF\x55", 7);  // an odd count: the data chunk needs a pad byte
  write_ulaw_wav(file, codes);
  const std::string bytes = sonoria::test::read_file(file);
  const std::string expected_header = "RIFF" + le32(static_cast<std::uint32_t>(bytes.size() - 8)) + "WAVE" + "fmt " +
                                      le32(18) + le16(7) + le16(1) + le32(8000) + le32(8000) + le16(1) + le16(8) +
                                      le16(0) + "fact" + le32(4) + le32(7) + "data" + le32(7);
  CHECK(bytes.substr(0, expected_header.size()) == expected_header);
  CHECK(bytes.size() == expected_header.size() + 8);  // seven codes and the pad byte
  const auto back = read_wav(file);
  CHECK(back.sample_rate == 8000);
  CHECK(back.samples == ulaw_decode(codes));
  // 8 kHz µ-law passes through read_wav_as_ulaw8k unchanged (0x7F, "-0", is avoided above).
  CHECK(read_wav_as_ulaw8k(file) == codes);
}

TEST_CASE("an empty recording is still a valid WAV") {
  const TempDir dir;
  const auto file = dir / "silent.wav";
  write_ulaw_wav(file, "");
  const auto back = read_wav(file);
  CHECK(back.sample_rate == 8000);
  CHECK(back.samples.empty());
}

TEST_CASE("writing replaces an existing file and fails with the file's name when the directory is missing") {
  const TempDir dir;
  const auto file = dir.write("out.wav", "old contents");
  write_pcm_wav(file, PcmAudio{8000, {1, 2, 3}});
  CHECK(read_wav(file).samples == std::vector<std::int16_t>{1, 2, 3});

  const auto nowhere = dir / "no-such-dir" / "out.wav";
  CHECK(error_of([&] { write_ulaw_wav(nowhere, "\xFF"); }).rfind(nowhere.string() + ": cannot write (No such file or directory", 0) == 0);
  CHECK(error_of([&] { write_pcm_wav(dir / "bad.wav", PcmAudio{0, {1}}); }) ==
        (dir / "bad.wav").string() + ": cannot write audio with sample rate 0 Hz (expected a positive rate)");
}

TEST_CASE("a WAV at another rate becomes 8 kHz µ-law of the right length") {
  const TempDir dir;
  std::vector<std::int16_t> samples(16000);
  for (std::size_t i = 0; i < samples.size(); ++i) {
    samples[i] = static_cast<std::int16_t>(8000 * std::sin(2 * 3.141592653589793 * 440.0 * static_cast<double>(i) / 16000));
  }
  const auto file = dir.write("wide.wav", mono16_wav(samples, 16000));
  const std::string ulaw = read_wav_as_ulaw8k(file);
  CHECK(ulaw.size() == 8000);
  // The middle of the tone keeps its level: peak near 8000 after decoding.
  const auto decoded = ulaw_decode(std::string_view(ulaw).substr(2000, 4000));
  int peak = 0;
  for (const auto s : decoded) peak = std::max(peak, std::abs(static_cast<int>(s)));
  CHECK(peak > 7400);
  CHECK(peak < 8600);
}
