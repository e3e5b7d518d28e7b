#include "core/did_you_mean.hpp"

#include <doctest/doctest.h>

#include <string>
#include <vector>

namespace did_you_mean_test {

using namespace sonoria;

TEST_CASE("edit distance counts insertions, deletions, substitutions and a swap of neighbours as one each") {
  CHECK(edit_distance("", "") == 0);
  CHECK(edit_distance("name", "name") == 0);
  CHECK(edit_distance("nmae", "name") == 1);  // a swap
  CHECK(edit_distance("servces", "services") == 1);
  CHECK(edit_distance("kitten", "sitting") == 3);
  CHECK(edit_distance("", "abc") == 3);
  CHECK(edit_distance("abc", "") == 3);
  CHECK(edit_distance("ca", "abc") == 3);  // a swap, then an insertion is not one edit fewer
}

TEST_CASE("a misspelled key finds the nearest name, also by its first words; a far one finds none") {
  const std::vector<std::string> keys = {"services", "duration_minutes", "price", "name"};
  CHECK(did_you_mean("servces", keys) == " (did you mean \"services\"?)");
  CHECK(did_you_mean("duraton", keys) == " (did you mean \"duration_minutes\"?)");
  CHECK(did_you_mean("duration", keys) == " (did you mean \"duration_minutes\"?)");
  CHECK(did_you_mean("nmae", keys) == " (did you mean \"name\"?)");
  CHECK(did_you_mean("colour", keys).empty());
  CHECK(did_you_mean("", keys).empty());
}

TEST_CASE("a key of a megabyte is compared with nothing: its length alone rules every name out") {
  const std::vector<std::string> keys = {"services", "duration_minutes", "price", "name"};
  const std::string huge(1 << 20, 'x');
  CHECK(name_distance(huge, "services", 5) > 5);
  CHECK(did_you_mean(huge, keys).empty());
  // Long but a typo of a long name all the same.
  const std::string long_name(300, 'a');
  std::string typo = long_name;
  typo[150] = 'b';
  CHECK(nearest_name(typo, std::vector<std::string>{long_name, "price"}) == long_name);
}

}  // namespace did_you_mean_test
