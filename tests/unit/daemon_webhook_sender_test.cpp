#include <doctest/doctest.h>

#include "daemon/webhook_sender.hpp"

using sonoria::daemon::WebhookSender;
using namespace std::chrono_literals;

TEST_CASE("webhook retries wait twice as long each time, at most an hour") {
  CHECK(WebhookSender::backoff(30s, 1) == 30s);
  CHECK(WebhookSender::backoff(30s, 2) == 60s);
  CHECK(WebhookSender::backoff(30s, 4) == 240s);
  CHECK(WebhookSender::backoff(30s, 8) == 1h);
  CHECK(WebhookSender::backoff(30s, 60) == 1h);  // no overflow on a long day of attempts
}
