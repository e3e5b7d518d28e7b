#include "core/engine/local/speech_recognizer.hpp"

#include <pocketsphinx.h>
#include <sphinxbase/cmn.h>
#include <sphinxbase/feat.h>
#include <sys/mman.h>
#include <unistd.h>

#include <algorithm>

#include "core/audio/g711.hpp"
#include "core/error.hpp"

namespace sonoria::engine::local {

namespace {

// 10 ms frames; speech is declared after this many voiced frames (PocketSphinx's default).
constexpr int k_start_frames = 10;
constexpr int k_prespeech_frames = 20;
// The noise above 4 kHz: about −40 dBFS, and at +/− its peak; measured best between 400 and 800.
constexpr int k_noise_peak = 500;
// Where the cepstral mean of a call's audio starts. The model's own (pocketsphinx-en-us feat.params:
// 41.00,-5.29,…) is that of wideband speech; telephone audio, band-limited and filled as above, has
// another, which PocketSphinx's live normalisation only reaches after the first turn: that turn was
// heard badly ("how much is hot yoga" → "are you are you open", later ones right). This is where
// its estimate settled after a few turns of espeak-ng's speech through the same path.
// (-cmninit cannot say it: the model's feat.params wins over the command line.)
constexpr float k_telephone_cmn[13] = {59.8f, -9.1f, -5.2f, 5.0f, -8.7f, -5.6f, 3.7f, -11.0f, -7.6f, -6.4f, 2.0f, 1.8f, -10.1f};
// How long the voice activity detector takes to learn the line (see feed()).
constexpr std::int64_t k_settle_ms = 1000;

// A file in memory, passed to PocketSphinx by path: its loaders only read files, and the model of
// a call is nothing to write to disk (the event loop's rule: no disk; and nothing to clean up).
class MemoryFile {
 public:
  MemoryFile(const char* name, std::string_view content) : fd_(::memfd_create(name, MFD_CLOEXEC)) {
    if (fd_ < 0) throw UserError("cannot create an in-memory file for the speech recogniser");
    std::size_t done = 0;
    while (done < content.size()) {
      auto n = ::write(fd_, content.data() + done, content.size() - done);
      if (n <= 0) {
        ::close(fd_);
        throw UserError("cannot write the speech recogniser's model to memory");
      }
      done += static_cast<std::size_t>(n);
    }
  }
  ~MemoryFile() { ::close(fd_); }
  MemoryFile(const MemoryFile&) = delete;
  MemoryFile& operator=(const MemoryFile&) = delete;
  std::string path() const { return "/proc/self/fd/" + std::to_string(fd_); }

 private:
  int fd_;
};

}  // namespace

struct SpeechRecognizer::Decoder {
  ps_decoder_t* ps = nullptr;
  cmd_ln_t* config = nullptr;
  ~Decoder() {
    if (ps) ps_free(ps);
    if (config) cmd_ln_free_r(config);
  }
};

std::string acoustic_model_problem(const std::filesystem::path& acoustic_model) {
  std::error_code ec;
  if (std::filesystem::exists(acoustic_model / "mdef", ec)) return "";
  return "the local engine's acoustic model is not in " + acoustic_model.string() +
         " (engines.local.acoustic_model; Debian package pocketsphinx-en-us)";
}

void fill_upper_band(std::vector<std::int16_t>& wide, std::uint32_t& state) {
  // White noise, low-passed by a two-sample average and shifted up by half the sample rate
  // (every other sample negated): what was 0–4 kHz becomes 4–8 kHz, where the speech is not.
  int previous = 0;
  int sign = 1;
  for (auto& s : wide) {
    state = state * 1103515245u + 12345u;
    const int r = static_cast<int>((state >> 16) % (2 * k_noise_peak + 1)) - k_noise_peak;
    const int low = (r + previous) / 2;
    previous = r;
    s = static_cast<std::int16_t>(std::clamp(s + sign * low, -32768, 32767));
    sign = -sign;
  }
}

SpeechRecognizer::SpeechRecognizer(const ListeningModel& model, const RecognizerOptions& options)
    : decoder_(std::make_unique<Decoder>()) {
  if (auto problem = acoustic_model_problem(options.acoustic_model); !problem.empty()) throw DataError(problem);
  MemoryFile lm("sonoria-lm", model.arpa);
  MemoryFile dict("sonoria-dict", model.dictionary);
  const std::string hmm = options.acoustic_model.string();
  const std::string lm_path = lm.path();
  const std::string dict_path = dict.path();
  const std::string postspeech = std::to_string(std::clamp(options.silence_ms, 100, 5000) / 10);
  const std::string prespeech = std::to_string(k_prespeech_frames);
  const std::string startspeech = std::to_string(k_start_frames);
  decoder_->config = cmd_ln_init(nullptr, ps_args(), TRUE, "-hmm", hmm.c_str(), "-lm", lm_path.c_str(), "-dict",
                                 dict_path.c_str(), "-samprate", "16000", "-vad_postspeech", postspeech.c_str(),
                                 "-vad_prespeech", prespeech.c_str(), "-vad_startspeech", startspeech.c_str(),
                                 "-logfn", "/dev/null", nullptr);
  if (decoder_->config) decoder_->ps = ps_init(decoder_->config);
  if (!decoder_->ps)
    throw DataError("the speech recogniser did not start with the acoustic model in " + hmm +
                    " (engines.local.acoustic_model; Debian package pocketsphinx-en-us)");
  if (feat_t* feat = ps_get_feat(decoder_->ps); feat && feat->cmn_struct && feat->cmn_struct->veclen == 13) {
    mfcc_t mean[13];
    for (int i = 0; i < 13; ++i) mean[i] = FLOAT2MFCC(k_telephone_cmn[i]);
    cmn_live_set(feat->cmn_struct, mean);
  }
  ps_start_utt(decoder_->ps);
}

SpeechRecognizer::~SpeechRecognizer() = default;

SpeechRecognizer::Heard SpeechRecognizer::feed(std::string_view ulaw) {
  Heard heard;
  if (ulaw.empty()) return heard;
  // Decoded into buffers the recogniser keeps: nothing is allocated per 20 ms frame.
  narrow_.resize(ulaw.size());
  for (std::size_t i = 0; i < ulaw.size(); ++i) narrow_[i] = audio::ulaw_to_linear(static_cast<std::uint8_t>(ulaw[i]));
  fed_samples_ += static_cast<std::int64_t>(narrow_.size());
  wide_.clear();
  upsample_.push(narrow_, wide_);
  if (wide_.empty()) return heard;
  fill_upper_band(wide_, noise_state_);
  // 20 ms at a time, asking after each whether the caller speaks: audio that waited (merged into
  // one message while the worker was busy) may hold a whole turn, start and end.
  ps_decoder_t* ps = decoder_->ps;
  constexpr std::size_t k_slice = 320;
  for (std::size_t at = 0; at < wide_.size(); at += k_slice) {
    const std::size_t n = std::min(k_slice, wide_.size() - at);
    ps_process_raw(ps, wide_.data() + at, n, FALSE, FALSE);
    sliced_samples_ += static_cast<std::int64_t>(n);
    const bool speaking = ps_get_in_speech(ps) != 0;
    // The detector learns the line's noise from the first audio: until then it takes the noise for
    // speech (a turn at 0 ms, heard as nothing, that would cut the greeting). Nothing it detects
    // in the first second counts.
    const bool settled = sliced_samples_ >= k_settle_ms * 16;
    if (speaking && !in_speech_) {
      in_speech_ = true;
      if (settled) {
        reported_ = true;
        heard.speech_started = true;
        heard.start_ms = std::max<std::int64_t>(0, sliced_samples_ / 16 - (k_start_frames + k_prespeech_frames) * 10);
      }
    } else if (speaking && !reported_ && settled) {
      reported_ = true;  // speech that began while settling and goes on
      heard.speech_started = true;
      heard.start_ms = sliced_samples_ / 16;
    } else if (!speaking && in_speech_) {
      in_speech_ = false;
      ps_end_utt(ps);
      std::int32_t score = 0;
      const char* hyp = ps_get_hyp(ps, &score);
      if (reported_) {
        // Two turns in one piece of audio: the words of both, as one turn.
        std::string words = hyp ? std::string(hyp) : std::string();
        if (heard.turn && !heard.turn->empty()) words = *heard.turn + (words.empty() ? "" : " " + words);
        heard.turn = std::move(words);
      }
      reported_ = false;
      ps_start_utt(ps);
    }
  }
  return heard;
}

}  // namespace sonoria::engine::local
