#include "core/tools/knowledge.hpp"

#include "core/text_bytes.hpp"

namespace sonoria::tools {
namespace {

using nlohmann::json;

std::string cut_at_word(const std::string& text, std::size_t max) {
  if (text.size() <= max) return text;
  const auto space = text.rfind(' ', max);
  return text.substr(0, utf8_cut(text, space == std::string::npos ? max : space)) + " …";
}

}  // namespace

void add_knowledge_tool(Registry& registry) {
  registry.add(
      {"query_knowledge",
       "Search the business's documents and FAQs for the answer to a caller's question that the facts in your "
       "instructions do not answer (policies, preparation, insurance, parking, how something works). Use it instead of "
       "guessing, then answer in your own words; if nothing relevant comes back, say you do not know and offer to take "
       "a message.",
       json{{"type", "object"},
            {"properties",
             {{"question",
               {{"type", "string"}, {"description", "The caller's question, in a full sentence, with the key words."}}}}},
            {"required", json::array({"question"})}}},
      [](const json& arguments) {
        SearchKnowledge search{arguments.value("question", std::string()), k_knowledge_passages};
        if (search.question.empty()) return tool_failure("question is empty: say what the caller asked");
        return tool_success(json{{"searching", search.question}}, search);
      });
}

ToolOutcome finish_knowledge_outcome(const ToolOutcome& provisional, const SearchKnowledge& search,
                                     const std::vector<db::KbHit>& hits, const std::string& error) {
  ToolOutcome out;
  out.repeat_key = provisional.repeat_key;
  out.effect = NoEffect{};
  if (!error.empty()) {
    out = tool_failure("the knowledge base could not be searched just now (" + error +
                       "); say you cannot check that right now and offer to take a message");
    out.repeat_key = provisional.repeat_key;
    return out;
  }
  json passages = json::array();
  std::string sources;
  for (const auto& hit : hits) {
    json p = {{"source", hit.source == db::k_faq_source ? std::string("FAQ") : hit.title}, {"text", cut_at_word(hit.text, k_knowledge_passage_bytes)}};
    if (!hit.heading.empty()) p["section"] = hit.heading;
    passages.push_back(std::move(p));
    if (sources.find(hit.source) == std::string::npos) sources += (sources.empty() ? "" : ", ") + hit.source;
  }
  json fields = {{"question", search.question}, {"passages", std::move(passages)}};
  if (hits.empty())
    fields["note"] = "Nothing in the knowledge base answers this. Tell the caller you do not know, and offer to take "
                     "a message for the team.";
  out = tool_success(std::move(fields));
  out.repeat_key = provisional.repeat_key;
  out.transcript_note = hits.empty() ? "Searched the knowledge base for \"" + search.question + "\": nothing found"
                                     : "Searched the knowledge base for \"" + search.question + "\": " +
                                           std::to_string(hits.size()) + (hits.size() == 1 ? " passage" : " passages") +
                                           " (" + sources + ")";
  return out;
}

}  // namespace sonoria::tools
