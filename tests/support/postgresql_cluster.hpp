#pragma once
// The tests' PostgreSQL: a throwaway cluster (scripts/test-postgresql) in
// SONORIA_TEST_POSTGRESQL_DIR (CTest sets it and starts the cluster as the fixture `postgresql`;
// a test run by hand starts it on first use), and a schema of its own for each test.

#include <string>

namespace sonoria::test {

// The cluster's URL (its database `sonoria`), starting the cluster when it is not running.
// Throws with the script's output when it cannot start.
std::string postgresql_cluster_url();

// A schema in the cluster's database that only this test uses, dropped with everything in it when
// the test ends. `url()` connects into it (search_path), as a deployment sharing a database would.
class PostgresqlSchema {
 public:
  PostgresqlSchema();
  ~PostgresqlSchema();
  PostgresqlSchema(const PostgresqlSchema&) = delete;
  PostgresqlSchema& operator=(const PostgresqlSchema&) = delete;

  const std::string& name() const { return name_; }
  const std::string& url() const { return url_; }

 private:
  std::string name_;
  std::string url_;
};

// A cluster of the test's own, for what the shared one must not suffer: an outage. Beside the
// shared cluster's folder; deleted at the end.
class OwnPostgresqlCluster {
 public:
  OwnPostgresqlCluster();  // started
  ~OwnPostgresqlCluster();
  OwnPostgresqlCluster(const OwnPostgresqlCluster&) = delete;
  OwnPostgresqlCluster& operator=(const OwnPostgresqlCluster&) = delete;

  const std::string& url() const { return url_; }
  void halt();    // the server stops (data kept): connections fail
  void resume();  // and starts again

 private:
  std::string dir_;
  std::string url_;
};

}  // namespace sonoria::test
