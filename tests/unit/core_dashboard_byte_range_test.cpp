#include "core/dashboard/byte_range.hpp"

#include <doctest/doctest.h>

using namespace sonoria::dashboard;
using Kind = ByteRange::Kind;

TEST_CASE("one byte range, as audio players ask for it") {
  auto r = read_byte_range("bytes=0-", 5000, 0);
  CHECK(r.kind == Kind::partial);
  CHECK(r.first == 0);
  CHECK(r.last == 4999);
  r = read_byte_range("bytes=100-199", 5000, 0);
  CHECK((r.kind == Kind::partial && r.first == 100 && r.last == 199));
  r = read_byte_range("bytes=4900-9999", 5000, 0);  // past the end: to the end
  CHECK((r.first == 4900 && r.last == 4999));
  r = read_byte_range("bytes=-500", 5000, 0);       // the last 500
  CHECK((r.first == 4500 && r.last == 4999));
  r = read_byte_range("bytes=0-", 5000, 1024);      // cut to the largest piece answered at once
  CHECK((r.kind == Kind::partial && r.first == 0 && r.last == 1023));
}

TEST_CASE("no header, other units, several ranges or nonsense: the whole body; beyond the end: unsatisfiable") {
  CHECK(read_byte_range(std::nullopt, 5000, 0).kind == Kind::whole);
  CHECK(read_byte_range(std::nullopt, 5000, 0).last == 4999);
  CHECK(read_byte_range("items=0-1", 5000, 0).kind == Kind::whole);
  CHECK(read_byte_range("bytes=0-1,5-9", 5000, 0).kind == Kind::whole);
  CHECK(read_byte_range("bytes=9-1", 5000, 0).kind == Kind::whole);
  CHECK(read_byte_range("bytes=x-", 5000, 0).kind == Kind::whole);
  CHECK(read_byte_range("bytes=99999999999999999999-", 5000, 0).kind == Kind::whole);
  CHECK(read_byte_range("bytes=5000-", 5000, 0).kind == Kind::unsatisfiable);
  CHECK(read_byte_range("bytes=-0", 5000, 0).kind == Kind::unsatisfiable);
  CHECK(read_byte_range("bytes=0-", 0, 0).kind == Kind::unsatisfiable);
}

TEST_CASE("a whole body larger than the piece is cut to the piece too") {
  auto r = read_byte_range(std::nullopt, 5000, 1024);
  CHECK(r.kind == Kind::whole);
  CHECK(r.last == 1023);  // the handler answers 206 with Content-Range for it
  CHECK(read_byte_range("bytes=0-1,5-9", 5000, 1024).last == 1023);
}
