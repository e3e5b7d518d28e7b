#include "core/db/knowledge_import.hpp"

#include "core/error.hpp"
#include "core/kb/content_digest.hpp"
#include "core/kb/document.hpp"
#include "core/kb/passages.hpp"

namespace sonoria::db {

KbImportResult import_document(KnowledgeStore& store, int64_t organization_id, std::string_view name,
                               std::string_view bytes) {
  std::string_view base = name;
  if (auto slash = base.find_last_of('/'); slash != std::string_view::npos) base.remove_prefix(slash + 1);
  const auto format = kb::format_of(base);
  if (!format)
    throw DataError(std::string(name) +
                    ": not a supported document (expected a name ending in .md, .markdown, .txt, .text, .html or .htm)");
  const kb::Document document = kb::read_document(bytes, *format, base);
  std::vector<KbPassageText> passages;
  for (auto& p : kb::split_passages(document.sections)) passages.push_back({std::move(p.heading), std::move(p.text)});
  KbDocument stored;
  stored.source = std::string(base);
  stored.title = document.title;
  stored.format = std::string(kb::to_string(*format));
  stored.sha256 = kb::sha256_hex(bytes);
  stored.bytes = static_cast<int64_t>(bytes.size());
  KbImportResult result;
  result.what = store.put(organization_id, stored, passages);
  result.source = stored.source;
  result.title = stored.title;
  result.passages = static_cast<int64_t>(passages.size());
  return result;
}

}  // namespace sonoria::db
