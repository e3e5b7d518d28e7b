#include "core/engine/local/model_cache.hpp"

#include <algorithm>

#include "core/engine/local/caller_phrases.hpp"
#include "core/engine/local/language_model.hpp"
#include "core/error.hpp"
#include <cerrno>
#include <cstring>
#include <fstream>
#include <sstream>

namespace sonoria::engine::local {

ListeningModel listening_model(const org::Profile& profile, const PronouncingDictionary& dictionary,
                               std::vector<std::string>* missing) {
  auto sentences = caller_phrases(profile);
  // A sentence with a word the recogniser cannot pronounce would teach the model sequences it
  // can never hear: such sentences are left out, and the word reported.
  std::vector<std::string> unknown;
  std::erase_if(sentences, [&](const std::string& sentence) {
    bool drop = false;
    for (const auto& word : sentence_words(sentence)) {
      if (dictionary.has(word)) continue;
      drop = true;
      if (std::find(unknown.begin(), unknown.end(), word) == unknown.end()) unknown.push_back(word);
    }
    return drop;
  });
  auto model = trigram_model(sentences);
  ListeningModel out;
  out.arpa = std::move(model.arpa);
  out.dictionary = dictionary.lines_for(model.vocabulary);
  if (missing) missing->insert(missing->end(), unknown.begin(), unknown.end());
  return out;
}

std::string installation_problem(const std::filesystem::path& acoustic_model, const std::filesystem::path& dictionary) {
  if (auto problem = acoustic_model_problem(acoustic_model); !problem.empty()) return problem;
  std::error_code ec;
  if (!std::filesystem::is_regular_file(dictionary, ec))
    return "the local engine's pronouncing dictionary " + dictionary.string() +
           " does not exist (engines.local.dictionary; Debian package pocketsphinx-en-us)";
  return "";
}

ModelCache::ModelCache(std::filesystem::path dictionary_path) : dictionary_path_(std::move(dictionary_path)) {}

const PronouncingDictionary& ModelCache::dictionary() {
  if (!dictionary_) {
    std::ifstream in(dictionary_path_, std::ios::binary);
    std::ostringstream text;
    if (in) text << in.rdbuf();
    if (!in || text.str().empty())
      throw DataError("the local engine's pronouncing dictionary " + dictionary_path_.string() + " cannot be read: " +
                      std::strerror(errno) + " (engines.local.dictionary; Debian package pocketsphinx-en-us)");
    dictionary_ = std::make_unique<PronouncingDictionary>(PronouncingDictionary::parse(text.str()));
  }
  return *dictionary_;
}

std::shared_ptr<const ListeningModel> ModelCache::model_for(const std::shared_ptr<const org::Profile>& profile) {
  std::lock_guard lock(mutex_);
  std::erase_if(entries_, [](const Entry& e) { return e.profile.expired(); });
  for (const auto& e : entries_)
    if (e.profile.lock() == profile) return e.model;
  auto model = std::make_shared<const ListeningModel>(listening_model(*profile, dictionary()));
  entries_.push_back({profile, model});
  return model;
}

}  // namespace sonoria::engine::local
