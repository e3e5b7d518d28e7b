#include <doctest/doctest.h>

#include "core/db/postgresql_text.hpp"

using namespace sonoria::db;

TEST_CASE("SQLite's placeholders become PostgreSQL's, numbered as SQLite numbers them") {
  auto sql = postgresql_placeholders("SELECT a FROM t WHERE b = ? AND c = ? LIMIT ?");
  CHECK(sql.text == "SELECT a FROM t WHERE b = $1 AND c = $2 LIMIT $3");
  CHECK(sql.parameters == 3);
  // ?N is N, used as often as it appears; a bare ? after it is the next after the largest.
  sql = postgresql_placeholders("DELETE FROM m WHERE o = ?1 OR c IN (SELECT id FROM c WHERE o = ?1) AND x < ?");
  CHECK(sql.text == "DELETE FROM m WHERE o = $1 OR c IN (SELECT id FROM c WHERE o = $1) AND x < $2");
  CHECK(sql.parameters == 2);
  sql = postgresql_placeholders("SELECT ?3, ?");
  CHECK(sql.text == "SELECT $3, $4");
  CHECK(sql.parameters == 4);
}

TEST_CASE("a question mark in a literal, a quoted name or a comment is not a placeholder") {
  auto sql = postgresql_placeholders("SELECT 'what?', 'it''s ?', \"odd?name\" FROM t -- why?\nWHERE a = ?");
  CHECK(sql.text == "SELECT 'what?', 'it''s ?', \"odd?name\" FROM t -- why?\nWHERE a = $1");
  CHECK(sql.parameters == 1);
  CHECK(postgresql_placeholders("SELECT 1").parameters == 0);
  // An unterminated literal is copied as it is (the server reports it).
  CHECK(postgresql_placeholders("SELECT 'open ?").text == "SELECT 'open ?");
}

TEST_CASE("text PostgreSQL would refuse is repaired rather than the record lost") {
  CHECK(postgresql_text_ok("plain ASCII"));
  CHECK(postgresql_text_ok("Café ☕ 𝄞"));
  CHECK(postgresql_text("Café ☕ 𝄞") == "Café ☕ 𝄞");
  CHECK_FALSE(postgresql_text_ok(std::string("a\0b", 3)));
  CHECK(postgresql_text(std::string("a\0b", 3)) == "ab");
  // A lone continuation byte, a truncated sequence, an overlong encoding, a surrogate.
  CHECK(postgresql_text("x\x80y") == "x\xEF\xBF\xBDy");
  CHECK(postgresql_text("x\xE2\x98") == "x\xEF\xBF\xBD\xEF\xBF\xBD");
  CHECK(postgresql_text("\xC0\xAF") == "\xEF\xBF\xBD\xEF\xBF\xBD");
  CHECK(postgresql_text("\xED\xA0\x80") == "\xEF\xBF\xBD\xEF\xBF\xBD\xEF\xBF\xBD");
  CHECK(postgresql_text_ok(postgresql_text("\xF4\x90\x80\x80 beyond U+10FFFF")));
}
