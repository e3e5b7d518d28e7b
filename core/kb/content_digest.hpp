#pragma once
// A document's identity by content: SHA-256 as lowercase hex (OpenSSL). Re-importing a file with
// the same digest changes nothing.

#include <string>
#include <string_view>

namespace sonoria::kb {

std::string sha256_hex(std::string_view bytes);

}  // namespace sonoria::kb
