#include "tests/support/postgresql_cluster.hpp"

#include <sys/wait.h>
#include <unistd.h>

#include <array>
#include <cstdio>
#include <cstdlib>
#include <mutex>
#include <random>
#include <stdexcept>

#include "core/db/postgresql.hpp"
#include "tests/support/temp_dir.hpp"

namespace sonoria::test {
namespace {

std::string cluster_dir() {
  if (const char* dir = std::getenv("SONORIA_TEST_POSTGRESQL_DIR"); dir && *dir) return dir;
  return "/tmp/sonoria-test-postgresql-" + std::to_string(::getuid());
}

std::string run_script(const std::string& action, const std::string& dir) {
  const std::string command = (source_dir() / "scripts/test-postgresql").string() + " " + action + " '" + dir + "' 2>&1";
  FILE* pipe = ::popen(command.c_str(), "r");
  if (!pipe) throw std::runtime_error("cannot run " + command);
  std::string out;
  std::array<char, 4096> buffer{};
  while (size_t n = std::fread(buffer.data(), 1, buffer.size(), pipe)) out.append(buffer.data(), n);
  const int status = ::pclose(pipe);
  if (status != 0) throw std::runtime_error("scripts/test-postgresql " + action + " failed:\n" + out);
  while (!out.empty() && (out.back() == '\n' || out.back() == ' ')) out.pop_back();
  if (const auto line = out.rfind('\n'); line != std::string::npos) out = out.substr(line + 1);
  return out;
}

}  // namespace

std::string postgresql_cluster_url() {
  static std::once_flag once;
  static std::string url;
  std::call_once(once, [] { url = run_script("start", cluster_dir()); });
  return url;
}

PostgresqlSchema::PostgresqlSchema() {
  std::random_device random;
  std::uniform_int_distribution<uint64_t> any;
  char suffix[17];
  std::snprintf(suffix, sizeof suffix, "%016llx", static_cast<unsigned long long>(any(random)));
  name_ = std::string("test_") + suffix;
  const std::string cluster = postgresql_cluster_url();
  db::PostgresqlConnection admin(cluster);
  admin.exec("CREATE SCHEMA " + name_);
  url_ = cluster + "&options=-csearch_path%3D" + name_;
}

PostgresqlSchema::~PostgresqlSchema() {
  try {
    db::PostgresqlConnection admin(postgresql_cluster_url());
    admin.exec("DROP SCHEMA IF EXISTS " + name_ + " CASCADE");
  } catch (...) {
    // The cluster is thrown away at the end anyway.
  }
}

}  // namespace sonoria::test

namespace sonoria::test {

OwnPostgresqlCluster::OwnPostgresqlCluster() {
  std::random_device random;
  dir_ = cluster_dir() + "-own-" + std::to_string(random());
  url_ = run_script("start", dir_);
}

OwnPostgresqlCluster::~OwnPostgresqlCluster() {
  try {
    run_script("stop", dir_);
  } catch (...) {
  }
}

void OwnPostgresqlCluster::halt() { run_script("halt", dir_); }
void OwnPostgresqlCluster::resume() { run_script("start", dir_); }

}  // namespace sonoria::test
