#include "daemon/request_framing.hpp"

#include <doctest/doctest.h>

namespace request_framing_test {

using sonoria::daemon::has_obsolete_fold;
using sonoria::daemon::refuse_head;
using sonoria::daemon::RequestHead;

RequestHead head_with(std::vector<std::string> transfer_encodings) {
  RequestHead head;
  head.host_fields = 1;
  head.transfer_encodings = std::move(transfer_encodings);
  return head;
}

TEST_CASE("an ordinary head, with or without chunked, is accepted") {
  CHECK_FALSE(refuse_head(head_with({})));
  CHECK_FALSE(refuse_head(head_with({"chunked"})));
  CHECK_FALSE(refuse_head(head_with({" Chunked "})));
}

TEST_CASE("an unknown method is 501; an HTTP/1.1 request without exactly one Host is 400") {
  RequestHead unknown = head_with({});
  unknown.method_known = false;
  CHECK(refuse_head(unknown)->status == 501);
  RequestHead no_host = head_with({});
  no_host.host_fields = 0;
  CHECK(refuse_head(no_host)->status == 400);
  CHECK(refuse_head(no_host)->reason == "an HTTP/1.1 request needs a Host header");
  RequestHead two_hosts = head_with({});
  two_hosts.host_fields = 2;
  CHECK(refuse_head(two_hosts)->status == 400);
  RequestHead old = head_with({});
  old.version = 10;
  old.host_fields = 0;
  CHECK_FALSE(refuse_head(old));
}

TEST_CASE("a Transfer-Encoding whose length cannot be known is 400; one we do not implement is 501") {
  CHECK(refuse_head(head_with({"xchunked"}))->status == 400);
  CHECK(refuse_head(head_with({"chunked, gzip"}))->status == 400);
  CHECK(refuse_head(head_with({""}))->status == 400);
  CHECK(refuse_head(head_with({"chunked, chunked"}))->status == 400);
  const auto gzip = refuse_head(head_with({"gzip", "chunked"}));
  REQUIRE(gzip);
  CHECK(gzip->status == 501);
  CHECK(gzip->reason.find("\"gzip\"") != std::string::npos);
}

TEST_CASE("obsolete line folding is found in the head only") {
  CHECK(has_obsolete_fold("GET / HTTP/1.1\r\nHost: a\r\nX-A: 1\r\n 2\r\n\r\n"));
  CHECK(has_obsolete_fold("GET / HTTP/1.1\r\nHost: a\r\nX-A: 1\r\n\t2\r\n\r\n"));
  CHECK(has_obsolete_fold("GET / HTTP/1.1\r\n Host: a\r\n\r\n"));
  CHECK_FALSE(has_obsolete_fold("GET / HTTP/1.1\r\nHost: a\r\nX-A: 1 2\r\n\r\n"));
  CHECK_FALSE(has_obsolete_fold("POST / HTTP/1.1\r\nHost: a\r\n\r\n body\r\n continues"));
}

TEST_CASE("more header fields than allowed: 431, counted before anything else") {
  RequestHead head;
  head.host_fields = 1;
  head.fields = 101;
  const auto refusal = refuse_head(head);
  REQUIRE(refusal);
  CHECK(refusal->status == 431);
  CHECK(refusal->reason.find("101 header fields (at most 100") != std::string::npos);
  CHECK_FALSE(refuse_head(head, 101));
  head.fields = 100;
  CHECK_FALSE(refuse_head(head));
}

}  // namespace request_framing_test
