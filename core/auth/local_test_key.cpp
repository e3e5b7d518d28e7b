#include "core/auth/local_test_key.hpp"

#include <fstream>
#include <sstream>

#include "core/auth/session_token.hpp"
#include "core/error.hpp"
#include "core/files/atomic_file.hpp"

namespace sonoria::auth {

std::filesystem::path local_test_key_path(const std::filesystem::path& database_path) {
  return database_path.parent_path() / "local-test-key";
}

std::optional<std::string> read_local_test_key(const std::filesystem::path& path) {
  std::ifstream in(path);
  std::string key;
  if (!in || !std::getline(in, key) || key.size() < 32) return std::nullopt;
  return key;
}

std::string ensure_local_test_key(const std::filesystem::path& path) {
  if (auto key = read_local_test_key(path)) return *key;
  const std::string key = new_csrf_token();  // 32 random bytes as hex
  try {
    files::write_file_atomically(path.string(), key + "\n", 0600);
  } catch (const std::exception& e) {
    throw UserError("cannot write the local test key " + path.string() + ": " + e.what());
  }
  return key;
}

bool is_loopback_address(const std::string& address) {
  return address.rfind("127.", 0) == 0 || address == "::1" || address.rfind("::ffff:127.", 0) == 0;
}

}  // namespace sonoria::auth
