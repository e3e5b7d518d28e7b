#include "cli/version_text.hpp"

#include <CLI/Version.hpp>
#include <boost/version.hpp>
#include <espeak-ng/speak_lib.h>
#include <expat.h>
#include <nlohmann/json_fwd.hpp>
#include <openssl/crypto.h>
#include <openssl/opensslv.h>
#include <sqlite3.h>
#include <toml++/impl/version.h>

#include <sstream>

#include "core/phone/phone_number.hpp"

namespace sonoria::cli {

std::string version_text(bool verbose) {
  std::ostringstream out;
  out << "sonoria " << SONORIA_VERSION;
  if (!verbose) return out.str();
  out << "\n";
  out << "licence: GPL-3.0-or-later (LICENSE; the libraries' licences: THIRD_PARTY_NOTICES.md)\n"
      << "Boost " << BOOST_VERSION / 100000 << "." << BOOST_VERSION / 100 % 1000 << "." << BOOST_VERSION % 100
      << " (Asio, Beast, URL)\n"
      << "OpenSSL " << OpenSSL_version(OPENSSL_VERSION_STRING) << " (built with " << OPENSSL_VERSION_STR << ")\n"
      << "SQLite " << sqlite3_libversion() << " (built with " << SQLITE_VERSION << ")\n"
      << "Expat " << XML_ExpatVersionInfo().major << "." << XML_ExpatVersionInfo().minor << "."
      << XML_ExpatVersionInfo().micro << "\n"
      << phone::library_versions() << "\n"
      << "espeak-ng " << espeak_Info(nullptr) << "\n"
      << "PocketSphinx 0.8 API (libpocketsphinx3)\n"
      << "nlohmann/json " << NLOHMANN_JSON_VERSION_MAJOR << "." << NLOHMANN_JSON_VERSION_MINOR << "."
      << NLOHMANN_JSON_VERSION_PATCH << "\n"
      << "toml++ " << TOML_LIB_MAJOR << "." << TOML_LIB_MINOR << "." << TOML_LIB_PATCH << "\n"
      << "CLI11 " << CLI11_VERSION << "\n"
      << "date/tz (Howard Hinnant), libsystemd";
  return out.str();
}

}  // namespace sonoria::cli
