#include <doctest/doctest.h>

#include "daemon/cluster_lease.hpp"

using namespace sonoria;

TEST_CASE("a daemon is named by cluster.instance, else by its host and port") {
  config::Settings s;
  s.server.listen = "0.0.0.0:8443";
  CHECK(daemon::instance_name(s, "voice-1") == "voice-1:8443");
  s.server.listen = "[::]:8080";
  CHECK(daemon::instance_name(s, "voice-1") == "voice-1:8080");
  s.cluster.instance = "blue";
  CHECK(daemon::instance_name(s, "voice-1") == "blue");
  // An ephemeral port names no later run: each daemon on one gets a name of its own.
  s.cluster.instance = "";
  s.server.listen = "127.0.0.1:0";
  const auto one = daemon::instance_name(s, "voice-1");
  CHECK(one.rfind("voice-1:", 0) == 0);
  CHECK(one != "voice-1:0");
  CHECK_FALSE(daemon::host_name().empty());
}
