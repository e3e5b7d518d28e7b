#include "core/kb/passages.hpp"

#include <string_view>

namespace sonoria::kb {
namespace {

std::size_t words_in(std::string_view s) {
  std::size_t n = 0;
  bool in_word = false;
  for (char c : s) {
    const bool space = c == ' ' || c == '\n';
    if (!space && !in_word) ++n;
    in_word = !space;
  }
  return n;
}

// A paragraph over k_max_words, cut after sentence ends (". ", "? ", "! ") into pieces of at most
// about k_target_words; a sentence longer than that stays whole.
std::vector<std::string> cut_long(const std::string& paragraph) {
  if (words_in(paragraph) <= k_max_words) return {paragraph};
  std::vector<std::string> sentences;
  std::size_t start = 0;
  for (std::size_t i = 0; i + 1 < paragraph.size(); ++i) {
    const char c = paragraph[i];
    if ((c == '.' || c == '?' || c == '!') && paragraph[i + 1] == ' ') {
      sentences.push_back(paragraph.substr(start, i + 1 - start));
      start = i + 2;
    }
  }
  if (start < paragraph.size()) sentences.push_back(paragraph.substr(start));
  std::vector<std::string> pieces;
  std::string piece;
  for (const auto& sentence : sentences) {
    if (!piece.empty() && words_in(piece) + words_in(sentence) > k_target_words) {
      pieces.push_back(std::move(piece));
      piece.clear();
    }
    piece += (piece.empty() ? "" : " ") + sentence;
  }
  if (!piece.empty()) pieces.push_back(std::move(piece));
  return pieces;
}

}  // namespace

std::vector<Passage> split_passages(const std::vector<Section>& sections) {
  std::vector<Passage> out;
  for (const auto& section : sections) {
    std::string text;
    auto emit = [&] {
      if (!text.empty()) out.push_back({section.heading, std::move(text)});
      text.clear();
    };
    std::size_t start = 0;
    while (start < section.text.size()) {
      auto end = section.text.find("\n\n", start);
      if (end == std::string::npos) end = section.text.size();
      for (auto& piece : cut_long(section.text.substr(start, end - start))) {
        if (!text.empty() && words_in(text) + words_in(piece) > k_target_words) emit();
        text += (text.empty() ? "" : "\n\n") + piece;
      }
      start = end + 2;
    }
    emit();
  }
  return out;
}

std::vector<Passage> faq_passages(const std::vector<org::Faq>& faqs) {
  std::vector<Passage> out;
  for (const auto& faq : faqs)
    if (!faq.question.empty() && !faq.answer.empty()) out.push_back({faq.question, faq.answer});
  return out;
}

}  // namespace sonoria::kb
