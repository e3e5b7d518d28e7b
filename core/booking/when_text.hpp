#pragma once
// An appointment's date and time written as a person in the caller's language says them, on the
// business's wall clock: "Tuesday, March 10" and "10:30 AM" in English, "martes 10 de marzo" and
// "10:30" in Spanish. Languages: en, es, fr, de, it, pt (by ISO-639-1 code, region ignored);
// others are written in English. Pure functions.

#include <string>
#include <string_view>

#include "core/org/schedule.hpp"

namespace sonoria::booking {

std::string date_text(const org::LocalDateTime& when, std::string_view language);
std::string time_text(const org::LocalDateTime& when, std::string_view language);
// "Tuesday, March 10 at 10:30 AM".
std::string when_text(const org::LocalDateTime& when, std::string_view language);

}  // namespace sonoria::booking
