#pragma once
// What the local engine's recognisers listen with, made once and shared: the pronouncing
// dictionary (read once per process: 134,000 lines, 0.1 s) and each profile's listening model
// (its callers' phrases as a trigram model with their pronunciations: built at the first call
// of each profile version, a few milliseconds). Thread-safe. Reads files: not on an event loop.

#include <filesystem>
#include <memory>
#include <mutex>
#include <string>
#include <vector>

#include "core/engine/local/pronunciations.hpp"
#include "core/engine/local/speech_recognizer.hpp"

namespace sonoria::org {
struct Profile;
}

namespace sonoria::engine::local {

// The listening model of `profile`: caller_phrases() as a trigram model, with the dictionary lines
// of its words. Words the dictionary lacks are left out of the model (the recogniser cannot
// say them) and appended to `missing` when it is not null.
ListeningModel listening_model(const org::Profile& profile, const PronouncingDictionary& dictionary,
                               std::vector<std::string>* missing = nullptr);

// Why the local engine cannot run with these files ("" = it can): the acoustic model folder or the
// pronouncing dictionary is missing. Reads the file system.
std::string installation_problem(const std::filesystem::path& acoustic_model, const std::filesystem::path& dictionary);

class ModelCache {
 public:
  explicit ModelCache(std::filesystem::path dictionary_path);

  // The model of `profile`, built or shared. Throws sonoria::DataError when the dictionary cannot
  // be read (naming the file and engines.local.dictionary); later calls try again.
  std::shared_ptr<const ListeningModel> model_for(const std::shared_ptr<const org::Profile>& profile);

 private:
  const PronouncingDictionary& dictionary();  // with mutex_ held

  std::filesystem::path dictionary_path_;
  std::mutex mutex_;
  std::unique_ptr<PronouncingDictionary> dictionary_;
  // Per profile version (a profile is immutable; an edit makes a new one): the model, until the
  // profile is gone. A handful of organizations per daemon: a list is enough.
  struct Entry {
    std::weak_ptr<const org::Profile> profile;
    std::shared_ptr<const ListeningModel> model;
  };
  std::vector<Entry> entries_;
};

}  // namespace sonoria::engine::local
