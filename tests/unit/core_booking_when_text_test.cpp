// An appointment's date and time as a person says them, per language.
#include <doctest/doctest.h>

#include "core/booking/when_text.hpp"

using namespace sonoria;

TEST_CASE("dates and times in the caller's language, 12-hour clock in English") {
  const org::LocalDateTime tuesday{*org::parse_date("2026-03-10"), 10 * 60 + 30};
  const org::LocalDateTime noon{*org::parse_date("2026-03-10"), 12 * 60};
  const org::LocalDateTime midnight{*org::parse_date("2026-03-10"), 0};
  CHECK(booking::when_text(tuesday, "en") == "Tuesday, March 10 at 10:30 AM");
  CHECK(booking::time_text(noon, "en") == "12:00 PM");
  CHECK(booking::time_text(midnight, "en-US") == "12:00 AM");
  CHECK(booking::when_text(tuesday, "es") == "martes 10 de marzo a las 10:30");
  CHECK(booking::when_text(tuesday, "fr") == "mardi 10 mars à 10:30");
  CHECK(booking::when_text(tuesday, "de") == "Dienstag, 10. März um 10:30");
  CHECK(booking::date_text(tuesday, "pt") == "terça-feira, 10 de março");
  CHECK(booking::date_text(tuesday, "it") == "martedì 10 marzo");
  CHECK(booking::when_text(tuesday, "ja") == "Tuesday, March 10 at 10:30 AM");  // unknown: English
}
