#include <nlohmann/json.hpp>

#include "core/db/sqlite_stores.hpp"
#include "core/db/timestamp.hpp"
#include "core/kb/search_query.hpp"

namespace sonoria::db {

KbImport SqliteKnowledgeStore::put_in(Connection& c, int64_t organization_id, const KbDocument& document,
                                      const std::vector<KbPassageText>& passages) {
  int64_t existing = 0;
  {
    Statement find(c, "SELECT id, sha256 FROM kb_documents WHERE organization_id = ? AND source = ?");
    find.bind(1, organization_id).bind(2, document.source);
    if (find.step()) {
      existing = find.int64(0);
      if (!document.sha256.empty() && find.text(1) == document.sha256) return KbImport::unchanged;
    }
  }
  if (existing) {
    // The passages go first (their triggers take them out of the index), then the document.
    Statement passages_gone(c, "DELETE FROM kb_passages WHERE document_id = ?");
    passages_gone.bind(1, existing);
    passages_gone.run();
    Statement gone(c, "DELETE FROM kb_documents WHERE id = ?");
    gone.bind(1, existing);
    gone.run();
  }
  if (passages.empty()) return existing ? KbImport::replaced : KbImport::unchanged;  // nothing to index
  Statement add(c,
                "INSERT INTO kb_documents (organization_id, source, title, format, sha256, bytes, passages, imported_at) "
                "VALUES (?, ?, ?, ?, ?, ?, ?, ?)");
  add.bind(1, organization_id).bind(2, document.source).bind(3, document.title).bind(4, document.format);
  add.bind(5, document.sha256).bind(6, document.bytes).bind(7, static_cast<int64_t>(passages.size()));
  add.bind(8, format_timestamp(now_ms()));
  add.run();
  const int64_t id = c.last_insert_rowid();
  Statement passage(c,
                    "INSERT INTO kb_passages (document_id, organization_id, ordinal, heading, text) VALUES (?, ?, ?, ?, ?)");
  for (std::size_t i = 0; i < passages.size(); ++i) {
    passage.reset();
    passage.bind(1, id).bind(2, organization_id).bind(3, static_cast<int64_t>(i)).bind(4, passages[i].heading);
    passage.bind(5, passages[i].text);
    passage.run();
  }
  return existing ? KbImport::replaced : KbImport::added;
}

KbImport SqliteKnowledgeStore::put(int64_t organization_id, const KbDocument& document,
                                   const std::vector<KbPassageText>& passages) {
  Transaction tx(c_);
  const KbImport result = put_in(c_, organization_id, document, passages);
  tx.commit();
  return result;
}

bool SqliteKnowledgeStore::remove(int64_t organization_id, const std::string& source) {
  Transaction tx(c_);
  Statement find(c_, "SELECT id FROM kb_documents WHERE organization_id = ? AND source = ?");
  find.bind(1, organization_id).bind(2, source);
  if (!find.step()) return false;
  const int64_t id = find.int64(0);
  Statement passages_gone(c_, "DELETE FROM kb_passages WHERE document_id = ?");
  passages_gone.bind(1, id);
  passages_gone.run();
  Statement gone(c_, "DELETE FROM kb_documents WHERE id = ?");
  gone.bind(1, id);
  gone.run();
  tx.commit();
  return true;
}

std::vector<KbDocument> SqliteKnowledgeStore::documents(int64_t organization_id) {
  std::vector<KbDocument> out;
  Statement s(c_,
              "SELECT id, source, title, format, sha256, bytes, passages, imported_at FROM kb_documents "
              "WHERE organization_id = ? ORDER BY source");
  s.bind(1, organization_id);
  while (s.step())
    out.push_back({s.int64(0), s.text(1), s.text(2), s.text(3), s.text(4), s.int64(5), s.int64(6), s.text(7)});
  return out;
}

std::vector<int64_t> SqliteKnowledgeStore::organizations_with_documents() {
  std::vector<int64_t> out;
  Statement s(c_, "SELECT DISTINCT organization_id FROM kb_documents ORDER BY 1");
  while (s.step()) out.push_back(s.int64(0));
  return out;
}

std::vector<KbHit> SqliteKnowledgeStore::search(int64_t organization_id, const std::string& question, int limit) {
  std::vector<KbHit> out;
  const std::string query = kb::fts_query(question);
  if (query.empty() || limit <= 0) return out;
  // bm25() is lower for better matches; headings count four times (a passage under "Parking" is about parking).
  Statement s(c_,
              "SELECT d.source, d.title, p.heading, p.text, -bm25(kb_index, 4.0, 1.0) AS score "
              "FROM kb_index JOIN kb_passages p ON p.id = kb_index.rowid JOIN kb_documents d ON d.id = p.document_id "
              "WHERE kb_index MATCH ? AND p.organization_id = ? ORDER BY bm25(kb_index, 4.0, 1.0), p.id LIMIT ?");
  s.bind(1, query).bind(2, organization_id).bind(3, static_cast<int64_t>(limit));
  while (s.step()) out.push_back({s.text(0), s.text(1), s.text(2), s.text(3), s.real(4)});
  return out;
}

}  // namespace sonoria::db
