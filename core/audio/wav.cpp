#include "core/audio/wav.hpp"

#include "core/files/atomic_file.hpp"

#include <unistd.h>

#include <algorithm>
#include <array>
#include <cerrno>
#include <cmath>
#include <cstdio>
#include <cstring>
#include <limits>
#include <memory>
#include <optional>

#include "core/audio/g711.hpp"
#include "core/audio/resample.hpp"
#include "core/error.hpp"

namespace sonoria::audio {
namespace {

constexpr std::uint16_t k_format_pcm = 1;
constexpr std::uint16_t k_format_float = 3;
constexpr std::uint16_t k_format_alaw = 6;
constexpr std::uint16_t k_format_ulaw = 7;
constexpr std::uint16_t k_format_extensible = 0xFFFE;
constexpr std::uint32_t k_size_to_end = 0xFFFFFFFF;
constexpr std::uint32_t k_min_rate = 1000;
constexpr std::uint32_t k_max_rate = 768000;

// KSDATAFORMAT_SUBTYPE_* GUIDs are the format tag followed by these 14 bytes.
constexpr std::array<unsigned char, 14> k_subformat_guid_tail = {
    0x00, 0x00, 0x00, 0x00, 0x10, 0x00, 0x80, 0x00, 0x00, 0xAA, 0x00, 0x38, 0x9B, 0x71};

struct Format {
  std::uint16_t encoding = 0;  // after unwrapping WAVE_FORMAT_EXTENSIBLE
  std::uint16_t channels = 0;
  std::uint32_t sample_rate = 0;
  std::uint16_t bits = 0;  // container size per sample
};

std::uint16_t u16_at(std::string_view b, std::size_t pos) {
  return static_cast<std::uint16_t>(static_cast<unsigned char>(b[pos]) |
                                    (static_cast<unsigned char>(b[pos + 1]) << 8));
}

std::uint32_t u32_at(std::string_view b, std::size_t pos) {
  return static_cast<std::uint32_t>(u16_at(b, pos)) | (static_cast<std::uint32_t>(u16_at(b, pos + 2)) << 16);
}

// Chunk ids are four printable ASCII characters; used to tell a real chunk from audio bytes.
bool chunk_header_at(std::string_view b, std::size_t pos) {
  if (pos + 8 > b.size()) return false;
  return std::all_of(b.begin() + static_cast<std::ptrdiff_t>(pos), b.begin() + static_cast<std::ptrdiff_t>(pos + 4),
                     [](char c) { return c >= 0x20 && c <= 0x7E; });
}

// A chunk id quoted for a message, with anything unprintable escaped.
std::string quoted_id(std::string_view id) {
  std::string out = "'";
  for (const char c : id) {
    if (c >= 0x20 && c <= 0x7E) {
      out += c;
    } else {
      char hex[8];
      std::snprintf(hex, sizeof hex, "\\x%02X", static_cast<unsigned char>(c));
      out += hex;
    }
  }
  return out + "'";
}

std::string encoding_label(std::uint16_t tag) {
  switch (tag) {
    case 0x0002: return " (Microsoft ADPCM)";
    case 0x0011: return " (IMA ADPCM)";
    case 0x0031: return " (GSM 6.10)";
    case 0x0040: return " (G.721 ADPCM)";
    case 0x0050: return " (MPEG audio)";
    case 0x0055: return " (MP3)";
    case 0x00FF: return " (AAC)";
    case 0x0161: return " (WMA)";
    case 0x1610: return " (AAC)";
    case 0x2000: return " (AC-3)";
    case 0xF1AC: return " (FLAC)";
    default: return "";
  }
}

void check_bits(const Format& f, const std::string& who) {
  const auto bits = std::to_string(f.bits);
  switch (f.encoding) {
    case k_format_pcm:
      if (f.bits != 8 && f.bits != 16 && f.bits != 24 && f.bits != 32) {
        throw DataError(who + ": " + bits + "-bit PCM is not supported; expected 8, 16, 24 or 32 bits per sample");
      }
      break;
    case k_format_float:
      if (f.bits != 32 && f.bits != 64) {
        throw DataError(who + ": " + bits + "-bit float is not supported; expected 32 or 64 bits per sample");
      }
      break;
    default:  // µ-law and A-law
      if (f.bits != 8) {
        throw DataError(who + ": " + (f.encoding == k_format_ulaw ? "μ-law" : "A-law") + " with " + bits +
                        " bits per sample is not valid; expected 8");
      }
  }
}

Format parse_fmt(std::string_view body, const std::string& who) {
  if (body.size() < 16) {
    throw DataError(who + ": truncated fmt chunk (" + std::to_string(body.size()) + " bytes; expected at least 16)");
  }
  Format f;
  f.encoding = u16_at(body, 0);
  f.channels = u16_at(body, 2);
  f.sample_rate = u32_at(body, 4);
  f.bits = u16_at(body, 14);
  if (f.encoding == k_format_extensible) {
    if (body.size() < 40) {
      throw DataError(who + ": truncated fmt chunk (" + std::to_string(body.size()) +
                      " bytes; WAVE_FORMAT_EXTENSIBLE needs 40)");
    }
    const auto tail = body.substr(26, k_subformat_guid_tail.size());
    if (!std::equal(tail.begin(), tail.end(), k_subformat_guid_tail.begin(),
                    [](char a, unsigned char b) { return static_cast<unsigned char>(a) == b; })) {
      throw DataError(who + ": unsupported WAV encoding (WAVE_FORMAT_EXTENSIBLE with a non-standard sub-format "
                            "GUID); expected PCM, float, μ-law or A-law");
    }
    f.encoding = u16_at(body, 24);
  }
  if (f.encoding != k_format_pcm && f.encoding != k_format_float && f.encoding != k_format_ulaw &&
      f.encoding != k_format_alaw) {
    throw DataError(who + ": unsupported WAV encoding " + std::to_string(f.encoding) + encoding_label(f.encoding) +
                    "; expected PCM, float, μ-law or A-law");
  }
  if (f.channels == 0) throw DataError(who + ": the fmt chunk declares 0 channels; expected 1 or more");
  if (f.sample_rate < k_min_rate || f.sample_rate > k_max_rate) {
    throw DataError(who + ": sample rate " + std::to_string(f.sample_rate) + " Hz is not usable; expected " +
                    std::to_string(k_min_rate) + " to " + std::to_string(k_max_rate) + " Hz");
  }
  check_bits(f, who);
  return f;
}

template <typename T>
T load(const char* p) {
  T value;
  std::memcpy(&value, p, sizeof value);  // WAV is little-endian, as is every host we build for
  return value;
}

// One sample on the 16-bit scale (±32768), before mixing and rounding.
double sample_value(const Format& f, const char* p) {
  switch (f.encoding) {
    case k_format_ulaw: return ulaw_to_linear(static_cast<std::uint8_t>(*p));
    case k_format_alaw: return alaw_to_linear(static_cast<std::uint8_t>(*p));
    case k_format_float:
      return f.bits == 32 ? static_cast<double>(load<float>(p)) * 32768.0 : load<double>(p) * 32768.0;
    default: break;
  }
  const auto* u = reinterpret_cast<const unsigned char*>(p);
  switch (f.bits) {
    case 8: return (static_cast<int>(u[0]) - 128) * 256.0;  // 8-bit PCM is unsigned
    case 16: return load<std::int16_t>(p);
    case 24: {
      const std::int32_t v = static_cast<std::int32_t>((static_cast<std::uint32_t>(u[0]) << 8) |
                                                       (static_cast<std::uint32_t>(u[1]) << 16) |
                                                       (static_cast<std::uint32_t>(u[2]) << 24));
      return v / 65536.0;
    }
    default: return load<std::int32_t>(p) / 65536.0;
  }
}

PcmAudio decode(const Format& f, std::string_view data) {
  const std::size_t sample_bytes = f.bits / 8u;
  const std::size_t frame_bytes = sample_bytes * f.channels;
  const std::size_t frames = data.size() / frame_bytes;  // a partial last frame is dropped
  PcmAudio audio;
  audio.sample_rate = static_cast<int>(f.sample_rate);
  audio.samples.resize(frames);
  for (std::size_t i = 0; i < frames; ++i) {
    const char* frame = data.data() + i * frame_bytes;
    double sum = 0;
    for (std::size_t c = 0; c < f.channels; ++c) sum += sample_value(f, frame + c * sample_bytes);
    audio.samples[i] = to_int16(sum / f.channels);
  }
  return audio;
}

// Where the next chunk starts after one of `size` bytes whose body ended at `pos`: RIFF pads odd
// chunks to an even length, but some writers forget, so follow whichever position holds a chunk.
std::size_t after_padding(std::string_view b, std::size_t pos, std::uint64_t size) {
  if (size % 2 == 0 || pos >= b.size()) return pos;
  if (!chunk_header_at(b, pos + 1) && chunk_header_at(b, pos)) return pos;
  return pos + 1;
}

void put_u16(std::string& out, std::uint32_t v) {
  out += static_cast<char>(v & 0xFF);
  out += static_cast<char>((v >> 8) & 0xFF);
}

void put_u32(std::string& out, std::uint32_t v) {
  put_u16(out, v & 0xFFFF);
  put_u16(out, v >> 16);
}

// RIFF, WAVE and a fmt chunk, for mono audio; `extra_fmt` is the cbSize field non-PCM formats carry.
std::string wav_file(std::uint16_t encoding, std::uint32_t rate, std::uint16_t bits, bool extra_fmt,
                     std::string_view fact_and_data_chunks) {
  const std::uint32_t fmt_size = extra_fmt ? 18 : 16;
  std::string out;
  out.reserve(12 + 8 + fmt_size + fact_and_data_chunks.size());
  out += "RIFF";
  put_u32(out, static_cast<std::uint32_t>(4 + 8 + fmt_size + fact_and_data_chunks.size()));
  out += "WAVEfmt ";
  put_u32(out, fmt_size);
  put_u16(out, encoding);
  put_u16(out, 1);
  put_u32(out, rate);
  put_u32(out, rate * (bits / 8u));
  put_u16(out, bits / 8u);
  put_u16(out, bits);
  if (extra_fmt) put_u16(out, 0);
  out += fact_and_data_chunks;
  return out;
}

void append_data_chunk(std::string& out, std::string_view payload) {
  out += "data";
  put_u32(out, static_cast<std::uint32_t>(payload.size()));
  out += payload;
  if (payload.size() % 2 == 1) out += '\0';
}

// The largest payload that keeps the RIFF size field within 32 bits.
constexpr std::uint64_t k_max_payload = 0xFFFFFFFFull - 64;

struct FileCloser {
  void operator()(std::FILE* f) const { std::fclose(f); }
};

void write_atomically(const std::filesystem::path& file, std::string_view bytes) {
  try {
    files::write_file_atomically(file.string(), bytes);
  } catch (const UserError& e) {
    throw DataError(e.what());
  }
}

}  // namespace

PcmAudio parse_wav(std::string_view bytes, std::string_view name_for_errors) {
  const std::string who(name_for_errors);
  const auto form = bytes.substr(0, 4);
  if (bytes.size() < 12 || (form != "RIFF" && form != "RF64" && form != "BW64")) {
    throw DataError(who + ": not a WAV file (no RIFF header)");
  }
  if (bytes.substr(8, 4) != "WAVE") {
    throw DataError(who + ": not a WAV file (RIFF form " + quoted_id(bytes.substr(8, 4)) + ", expected 'WAVE')");
  }
  std::optional<Format> format;
  std::optional<std::string_view> data;
  std::size_t pos = 12;
  while (pos + 8 <= bytes.size()) {
    const auto id = bytes.substr(pos, 4);
    const std::uint32_t size = u32_at(bytes, pos + 4);
    const std::size_t body = pos + 8;
    const std::size_t remaining = bytes.size() - body;
    std::uint64_t length = size;
    if (id == "data") {
      const bool streamed = size == k_size_to_end || (size == 0 && remaining > 0 && !chunk_header_at(bytes, body));
      if (streamed || size > remaining) length = remaining;
      if (!data) data = bytes.substr(body, static_cast<std::size_t>(length));
    } else if (id == "fmt ") {
      if (size > remaining) {
        throw DataError(who + ": truncated fmt chunk (" + std::to_string(remaining) + " of " + std::to_string(size) +
                        " bytes present)");
      }
      if (!format) format = parse_fmt(bytes.substr(body, size), who);
    } else if (size > remaining) {
      break;  // a trailing chunk cut short, e.g. metadata after an interrupted copy
    }
    pos = after_padding(bytes, body + static_cast<std::size_t>(length), length);
  }
  if (!format) throw DataError(who + ": not a usable WAV file (no fmt chunk)");
  if (!data) throw DataError(who + ": not a usable WAV file (no data chunk)");
  return decode(*format, *data);
}

PcmAudio read_wav(const std::filesystem::path& file) {
  const std::string who = file.string();
  std::unique_ptr<std::FILE, FileCloser> in(std::fopen(file.c_str(), "rb"));
  if (!in) throw DataError(who + ": cannot open (" + std::strerror(errno) + ")");
  std::string bytes;
  char buffer[1 << 16];
  std::size_t n = 0;
  while ((n = std::fread(buffer, 1, sizeof buffer, in.get())) > 0) bytes.append(buffer, n);
  if (std::ferror(in.get())) throw DataError(who + ": read failed (" + std::strerror(errno) + ")");
  return parse_wav(bytes, who);
}

std::string read_wav_as_ulaw8k(const std::filesystem::path& file) { return to_ulaw8k(read_wav(file)); }

void write_ulaw_wav(const std::filesystem::path& file, std::string_view ulaw_8k) {
  if (ulaw_8k.size() > k_max_payload) {
    throw DataError(file.string() + ": " + std::to_string(ulaw_8k.size()) + " bytes of audio do not fit a WAV file");
  }
  // Non-PCM formats carry a fact chunk with the sample count; some players refuse files without it.
  std::string chunks = "fact";
  put_u32(chunks, 4);
  put_u32(chunks, static_cast<std::uint32_t>(ulaw_8k.size()));
  append_data_chunk(chunks, ulaw_8k);
  write_atomically(file, wav_file(k_format_ulaw, 8000, 8, true, chunks));
}

std::string ulaw_wav_header(std::uint32_t samples) {
  std::string chunks = "fact";
  put_u32(chunks, 4);
  put_u32(chunks, samples);
  chunks += "data";
  put_u32(chunks, samples);
  std::string out = wav_file(k_format_ulaw, 8000, 8, true, chunks);
  // The RIFF size counts the data that follows the header (and its pad byte).
  const std::uint64_t riff = out.size() - 8 + std::uint64_t{samples} + (samples % 2);
  std::string size;
  put_u32(size, static_cast<std::uint32_t>(std::min<std::uint64_t>(riff, 0xFFFFFFFFull)));
  out.replace(4, 4, size);
  return out;
}

std::string pcm_wav_header(std::uint32_t samples, std::uint32_t sample_rate) {
  const std::uint32_t bytes = samples > 0x7FFFFFE0u ? 0x7FFFFFE0u * 2 : samples * 2;
  std::string chunks = "data";
  put_u32(chunks, bytes);
  std::string out = wav_file(k_format_pcm, sample_rate, 16, false, chunks);
  std::string size;
  put_u32(size, static_cast<std::uint32_t>(out.size() - 8 + bytes));
  out.replace(4, 4, size);
  return out;
}

void write_pcm_wav(const std::filesystem::path& file, const PcmAudio& audio) {
  if (audio.sample_rate <= 0) {
    throw DataError(file.string() + ": cannot write audio with sample rate " + std::to_string(audio.sample_rate) +
                    " Hz (expected a positive rate)");
  }
  if (audio.samples.size() > k_max_payload / 2) {
    throw DataError(file.string() + ": " + std::to_string(audio.samples.size()) +
                    " samples of audio do not fit a WAV file");
  }
  std::string payload;
  payload.reserve(audio.samples.size() * 2);
  for (const std::int16_t s : audio.samples) put_u16(payload, static_cast<std::uint16_t>(s));
  std::string chunks;
  append_data_chunk(chunks, payload);
  write_atomically(file, wav_file(k_format_pcm, static_cast<std::uint32_t>(audio.sample_rate), 16, false, chunks));
}

}  // namespace sonoria::audio
