#pragma once
// The local engine's language model: which word sequences a caller of this business is likely to
// say, as an ARPA trigram model (the text format PocketSphinx and every n-gram toolkit read), built
// from the sentences of caller_phrases.hpp when a call starts. No toolkit to build one is packaged
// for Debian in a form a daemon can call, and a few thousand sentences take milliseconds, so it is
// built here. Pure functions; any thread.
//
// Smoothing: interpolated absolute discounting (Ney, Essen and Kneser 1994) with D = 0.5 at every
// order, written in backoff form: each seen n-gram carries its interpolated probability, and each
// context the weight that gives the unseen ones the rest. Unseen words are not modelled: the
// vocabulary is the sentences' words, which is what the recogniser's dictionary holds.

#include <string>
#include <vector>

namespace sonoria::engine::local {

// The words of `sentence`: lowercase, split on anything that is not a letter, digit or apostrophe.
std::vector<std::string> sentence_words(const std::string& sentence);

struct LanguageModel {
  std::string arpa;                    // the model, ARPA text
  std::vector<std::string> vocabulary; // every word, sorted, without <s> and </s>
};

// The trigram model of `sentences` (each an utterance; see sentence_words). Sentences without a
// word are skipped; no sentence at all gives a model of </s> alone.
LanguageModel trigram_model(const std::vector<std::string>& sentences);

}  // namespace sonoria::engine::local
