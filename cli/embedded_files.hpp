#pragma once
// Files the binary carries (generated from examples/ at build time by cmake/Embed.cmake).
#include <string_view>

namespace sonoria::cli {
std::string_view starter_config();   // examples/sonoria.toml
std::string_view example_profile();  // examples/yoga-studio.toml
}  // namespace sonoria::cli
