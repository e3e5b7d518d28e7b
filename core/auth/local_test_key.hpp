#pragma once
// The local test key: a secret of this installation with which `sonoria simulate` on the same
// machine signs its webhooks when there is no Twilio auth token to sign with (a fresh install).
// The daemon accepts it from loopback addresses only, so a first test call works with nothing
// configured while every request from elsewhere still needs Twilio's own signature.
//
// It lives beside the database (readable by whoever can read the database anyway), 0600.

#include <filesystem>
#include <optional>
#include <string>

namespace sonoria::auth {

// <folder of the database>/local-test-key.
std::filesystem::path local_test_key_path(const std::filesystem::path& database_path);

// The key at `path`, made (32 random bytes as hex, file mode 0600) when there is none. Throws
// sonoria::UserError naming the file when it can be neither read nor written.
std::string ensure_local_test_key(const std::filesystem::path& path);

// The key at `path`; nullopt when there is none (or it cannot be read).
std::optional<std::string> read_local_test_key(const std::filesystem::path& path);

// 127.0.0.0/8, ::1 and ::ffff:127.x.x.x.
bool is_loopback_address(const std::string& address);

}  // namespace sonoria::auth
