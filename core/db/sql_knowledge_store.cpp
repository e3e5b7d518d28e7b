#include <nlohmann/json.hpp>

#include "core/db/sql_stores.hpp"
#include "core/db/timestamp.hpp"
#include "core/kb/search_query.hpp"

namespace sonoria::db {

KbImport SqlKnowledgeStore::put_in(Connection& c, int64_t organization_id, const KbDocument& document,
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
                "VALUES (?, ?, ?, ?, ?, ?, ?, ?) RETURNING id");
  add.bind(1, organization_id).bind(2, document.source).bind(3, document.title).bind(4, document.format);
  add.bind(5, document.sha256).bind(6, document.bytes).bind(7, static_cast<int64_t>(passages.size()));
  add.bind(8, format_timestamp(now_ms()));
  const int64_t id = insert_returning_id(add);
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

KbImport SqlKnowledgeStore::put(int64_t organization_id, const KbDocument& document,
                                   const std::vector<KbPassageText>& passages) {
  Transaction tx(c_);
  const KbImport result = put_in(c_, organization_id, document, passages);
  tx.commit();
  return result;
}

bool SqlKnowledgeStore::remove(int64_t organization_id, const std::string& source) {
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

std::vector<KbDocument> SqlKnowledgeStore::documents(int64_t organization_id) {
  std::vector<KbDocument> out;
  Statement s(c_,
              "SELECT id, source, title, format, sha256, bytes, passages, imported_at FROM kb_documents "
              "WHERE organization_id = ? ORDER BY source");
  s.bind(1, organization_id);
  while (s.step())
    out.push_back({s.int64(0), s.text(1), s.text(2), s.text(3), s.text(4), s.int64(5), s.int64(6), s.text(7)});
  return out;
}

std::vector<int64_t> SqlKnowledgeStore::organizations_with_documents() {
  std::vector<int64_t> out;
  Statement s(c_, "SELECT DISTINCT organization_id FROM kb_documents ORDER BY 1");
  while (s.step()) out.push_back(s.int64(0));
  return out;
}

std::vector<KbHit> SqlKnowledgeStore::search(int64_t organization_id, const std::string& question, int limit) {
  std::vector<KbHit> out;
  if (limit <= 0) return out;
  if (c_.dialect() == Dialect::postgresql) return search_postgresql(organization_id, question, limit);
  const std::string query = kb::fts_query(question);
  if (query.empty()) return out;
  // bm25() is lower for better matches; headings count four times (a passage under "Parking" is about parking).
  Statement s(c_,
              "SELECT d.source, d.title, p.heading, p.text, -bm25(kb_index, 4.0, 1.0) AS score "
              "FROM kb_index JOIN kb_passages p ON p.id = kb_index.rowid JOIN kb_documents d ON d.id = p.document_id "
              "WHERE kb_index MATCH ? AND p.organization_id = ? ORDER BY bm25(kb_index, 4.0, 1.0), p.id LIMIT ?");
  s.bind(1, query).bind(2, organization_id).bind(3, static_cast<int64_t>(limit));
  while (s.step()) out.push_back({s.text(0), s.text(1), s.text(2), s.text(3), s.real(4)});
  return out;
}

std::vector<KbHit> SqlKnowledgeStore::search_postgresql(int64_t organization_id, const std::string& question, int limit) {
  std::vector<KbHit> out;
  // The same words as SQLite's query, any of them (websearch syntax: nothing the caller says is an
  // operator but "or", which is what joins them).
  std::string words;
  for (const auto& term : kb::query_terms(question)) words += (words.empty() ? "" : " or ") + term;
  if (words.empty()) return out;
  // BM25 as SQLite's FTS5 computes it (k1 = 1.2, b = 0.75; a heading's hits count four times a
  // text's; the IDF of each word over the organization's passages, at least 1e-6), over the
  // generated tsvector (heading = weight A, text = B). ts_rank has no IDF: a common word would
  // count as much as a rare one, and the FAQ that says "you" most would win every question.
  Statement s(c_,
              "WITH terms AS (SELECT DISTINCT t.lexeme FROM unnest(to_tsvector('english', ?1)) t), "
              "passages AS (SELECT p.id, p.search, (SELECT COALESCE(sum(array_length(u.positions, 1)), 0) "
              "  FROM unnest(p.search) u) AS tokens FROM kb_passages p WHERE p.organization_id = ?2), "
              "org AS (SELECT count(*) AS n, GREATEST(avg(tokens), 1) AS avg_tokens FROM passages), "
              "idf AS (SELECT t.lexeme, GREATEST(ln((o.n - h.hits + 0.5) / (h.hits + 0.5)), 1e-6) AS idf "
              "  FROM terms t CROSS JOIN org o CROSS JOIN LATERAL (SELECT count(*) AS hits FROM kb_passages p "
              "  WHERE p.organization_id = ?2 AND p.search @@ plainto_tsquery('simple', t.lexeme)) h), "
              "scored AS (SELECT ps.id, sum(i.idf * (f.freq * 2.2) / (f.freq + 1.2 * (0.25 + 0.75 * ps.tokens / o.avg_tokens))) "
              "  AS score FROM passages ps CROSS JOIN org o "
              "  CROSS JOIN LATERAL (SELECT u.lexeme, (SELECT sum(CASE WHEN w = 'A' THEN 4 ELSE 1 END) FROM unnest(u.weights) w) "
              "    AS freq FROM unnest(ps.search) u) f "
              "  JOIN idf i ON i.lexeme = f.lexeme "
              "  WHERE ps.search @@ websearch_to_tsquery('english', ?1) GROUP BY ps.id) "
              "SELECT d.source, d.title, p.heading, p.text, sc.score FROM scored sc JOIN kb_passages p ON p.id = sc.id "
              "JOIN kb_documents d ON d.id = p.document_id ORDER BY sc.score DESC, p.id LIMIT ?3");
  s.bind(1, words).bind(2, organization_id).bind(3, static_cast<int64_t>(limit));
  while (s.step()) out.push_back({s.text(0), s.text(1), s.text(2), s.text(3), s.real(4)});
  return out;
}

}  // namespace sonoria::db
