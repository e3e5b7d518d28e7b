#include "core/booking/when_text.hpp"

#include <array>
#include <cstdio>

namespace sonoria::booking {
namespace {

struct Words {
  std::string_view code;
  std::array<std::string_view, 7> weekdays;  // Monday first
  std::array<std::string_view, 12> months;
  std::string_view date_format;  // %W weekday, %D day, %M month
  std::string_view at;           // between date and time
  bool twelve_hour;
};

constexpr std::array<Words, 6> k_languages = {{
    {"en", {"Monday", "Tuesday", "Wednesday", "Thursday", "Friday", "Saturday", "Sunday"},
     {"January", "February", "March", "April", "May", "June", "July", "August", "September", "October", "November",
      "December"},
     "%W, %M %D", " at ", true},
    {"es", {"lunes", "martes", "miércoles", "jueves", "viernes", "sábado", "domingo"},
     {"enero", "febrero", "marzo", "abril", "mayo", "junio", "julio", "agosto", "septiembre", "octubre", "noviembre",
      "diciembre"},
     "%W %D de %M", " a las ", false},
    {"fr", {"lundi", "mardi", "mercredi", "jeudi", "vendredi", "samedi", "dimanche"},
     {"janvier", "février", "mars", "avril", "mai", "juin", "juillet", "août", "septembre", "octobre", "novembre",
      "décembre"},
     "%W %D %M", " à ", false},
    {"de", {"Montag", "Dienstag", "Mittwoch", "Donnerstag", "Freitag", "Samstag", "Sonntag"},
     {"Januar", "Februar", "März", "April", "Mai", "Juni", "Juli", "August", "September", "Oktober", "November",
      "Dezember"},
     "%W, %D. %M", " um ", false},
    {"it", {"lunedì", "martedì", "mercoledì", "giovedì", "venerdì", "sabato", "domenica"},
     {"gennaio", "febbraio", "marzo", "aprile", "maggio", "giugno", "luglio", "agosto", "settembre", "ottobre",
      "novembre", "dicembre"},
     "%W %D %M", " alle ", false},
    {"pt", {"segunda-feira", "terça-feira", "quarta-feira", "quinta-feira", "sexta-feira", "sábado", "domingo"},
     {"janeiro", "fevereiro", "março", "abril", "maio", "junho", "julho", "agosto", "setembro", "outubro", "novembro",
      "dezembro"},
     "%W, %D de %M", " às ", false},
}};

const Words& words_for(std::string_view language) {
  const std::string_view code = language.substr(0, 2);
  for (const Words& words : k_languages)
    if (words.code == code) return words;
  return k_languages.front();
}

}  // namespace

std::string date_text(const org::LocalDateTime& when, std::string_view language) {
  const Words& words = words_for(language);
  std::string out;
  const std::string_view format = words.date_format;
  for (std::size_t i = 0; i < format.size(); ++i) {
    if (format[i] != '%' || i + 1 == format.size()) {
      out += format[i];
      continue;
    }
    switch (format[++i]) {
      case 'W': out += words.weekdays[static_cast<std::size_t>(org::weekday_index(when.date))]; break;
      case 'D': out += std::to_string(static_cast<unsigned>(when.date.day())); break;
      case 'M': out += words.months[static_cast<unsigned>(when.date.month()) - 1]; break;
      default: out += format[i];
    }
  }
  return out;
}

std::string time_text(const org::LocalDateTime& when, std::string_view language) {
  const Words& words = words_for(language);
  const int hour = when.minute_of_day / 60 % 24;
  const int minute = when.minute_of_day % 60;
  char buffer[16];
  if (words.twelve_hour)
    std::snprintf(buffer, sizeof buffer, "%d:%02d %s", hour % 12 == 0 ? 12 : hour % 12, minute, hour < 12 ? "AM" : "PM");
  else
    std::snprintf(buffer, sizeof buffer, "%02d:%02d", hour, minute);
  return buffer;
}

std::string when_text(const org::LocalDateTime& when, std::string_view language) {
  return date_text(when, language) + std::string(words_for(language).at) + time_text(when, language);
}

}  // namespace sonoria::booking
