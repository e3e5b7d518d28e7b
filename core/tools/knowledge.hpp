#pragma once
// query_knowledge(question): the assistant searches the organization's knowledge base (its
// documents and FAQs, core/db KnowledgeStore) instead of guessing. The handler only asks (a
// SearchKnowledge effect); the daemon searches off the event loop and calls
// finish_knowledge_outcome() with what it found.

#include <string>
#include <vector>

#include "core/db/stores.hpp"
#include "core/tools/registry.hpp"

namespace sonoria::tools {

inline constexpr int k_knowledge_passages = 3;
// Each passage given to the model is cut to this many bytes (at a word): the answer is in the
// first lines, and a reply waits for the whole tool output.
inline constexpr std::size_t k_knowledge_passage_bytes = 1200;

void add_knowledge_tool(Registry& registry);

// The model's output: the passages with their source and heading, best first, or that nothing
// was found (with what to do then), or `error` (the search could not run).
ToolOutcome finish_knowledge_outcome(const ToolOutcome& provisional, const SearchKnowledge& search,
                                     const std::vector<db::KbHit>& hits, const std::string& error = {});

}  // namespace sonoria::tools
