#pragma once
// What `sonoria --version` prints; with --verbose also every linked library's version (compiled
// against, and running, where the library can say), for bug reports and licence audits
// (THIRD_PARTY_NOTICES.md lists their licences).

#include <string>

namespace sonoria::cli {

std::string version_text(bool verbose);

}  // namespace sonoria::cli
