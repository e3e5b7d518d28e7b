#pragma once
// How the words of a language model are pronounced, for the recogniser: the CMU Pronouncing
// Dictionary (Debian's pocketsphinx-en-us, 134,000 words) read once per process, and from it the
// few hundred lines a call's recogniser needs. A small dictionary is what makes a recogniser start
// in 30 ms rather than 700 (PocketSphinx reads and indexes every line it is given).

#include <string>
#include <string_view>
#include <unordered_map>
#include <vector>

namespace sonoria::engine::local {

class PronouncingDictionary {
 public:
  // The dictionary text: lines "word PH O N E S", alternates as "word(2) …". Malformed lines are
  // skipped. Words are looked up in lowercase.
  static PronouncingDictionary parse(std::string_view text);

  bool has(std::string_view word) const;
  // The lines for `words` that are known (each word's alternates too), in the order given; the
  // unknown ones are appended to `missing` when it is not null.
  std::string lines_for(const std::vector<std::string>& words, std::vector<std::string>* missing = nullptr) const;
  std::size_t size() const { return lines_.size(); }

 private:
  std::unordered_map<std::string, std::string> lines_;  // word → its line(s), newline-terminated
};

}  // namespace sonoria::engine::local
