// The pronouncing dictionary: the CMU format read, and the lines of a call's words picked from it.
#include <doctest/doctest.h>

#include "core/engine/local/pronunciations.hpp"

using namespace sonoria::engine::local;

TEST_CASE("a word's alternates come with it, and unknown words are reported") {
  const auto dict = PronouncingDictionary::parse(
      "hello HH AH L OW\nhello(2) HH EH L OW\r\nyoga Y OW G AH\nbroken\n\nsaturday S AE T ER D IY\n");
  CHECK(dict.size() == 3);
  CHECK(dict.has("yoga"));
  CHECK_FALSE(dict.has("broken"));
  std::vector<std::string> missing;
  CHECK(dict.lines_for({"yoga", "hello", "vinyasa"}, &missing) ==
        "yoga Y OW G AH\nhello HH AH L OW\nhello(2) HH EH L OW\n");
  CHECK(missing == std::vector<std::string>{"vinyasa"});
}

TEST_CASE("words are looked up in lowercase whatever the file's case") {
  const auto dict = PronouncingDictionary::parse("SATURDAY S AE T ER D IY\n");
  CHECK(dict.has("saturday"));
}

TEST_CASE("an uppercase entry is written in lowercase, as the language model spells it") {
  const auto dict = PronouncingDictionary::parse("HELLO(2) HH EH L OW\n");
  CHECK(dict.lines_for({"hello"}) == "hello(2) HH EH L OW\n");
}
