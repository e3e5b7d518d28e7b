#pragma once
// A document's sections cut into passages: the units the knowledge base indexes and returns. A
// passage is a few paragraphs of one section (about k_target_words words), never across a
// heading, so that what the assistant reads is about one thing and says where it is from. A
// paragraph longer than k_max_words is cut between sentences. Pure.

#include <cstddef>
#include <string>
#include <vector>

#include "core/kb/document.hpp"
#include "core/org/profile.hpp"

namespace sonoria::kb {

struct Passage {
  std::string heading;               // the section's heading path ("" = none)
  std::string text;
  bool operator==(const Passage&) const = default;
};

inline constexpr std::size_t k_target_words = 120;
inline constexpr std::size_t k_max_words = 220;

std::vector<Passage> split_passages(const std::vector<Section>& sections);

// The profile's FAQs as passages: the question as the heading, the answer as the text.
std::vector<Passage> faq_passages(const std::vector<org::Faq>& faqs);

}  // namespace sonoria::kb
