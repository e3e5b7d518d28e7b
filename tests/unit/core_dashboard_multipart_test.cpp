#include "core/dashboard/multipart.hpp"

#include <doctest/doctest.h>

using namespace sonoria::dashboard;

TEST_CASE("a browser's upload form: text fields and a file, with CRLF and dashes inside the file") {
  const std::string boundary = "----WebKitFormBoundary7MA4YWxkTrZu0gW";
  CHECK(multipart_boundary("multipart/form-data; boundary=" + boundary) == boundary);
  CHECK(multipart_boundary("Multipart/Form-Data; boundary=\"" + boundary + "\"") == boundary);
  CHECK_FALSE(multipart_boundary("application/x-www-form-urlencoded").has_value());
  CHECK_FALSE(multipart_boundary("multipart/form-data").has_value());

  const std::string body = "--" + boundary + "\r\n"
                           "Content-Disposition: form-data; name=\"csrf\"\r\n\r\n"
                           "abc123\r\n"
                           "--" + boundary + "\r\n"
                           "Content-Disposition: form-data; name=\"document\"; filename=\"prices \\\"2026\\\".md\"\r\n"
                           "Content-Type: text/markdown\r\n\r\n"
                           "# Prices\r\n\r\n--not a boundary\r\nA class is $25.\r\n"
                           "--" + boundary + "--\r\n";
  auto parts = parse_multipart(body, boundary);
  REQUIRE(parts);
  REQUIRE(parts->size() == 2);
  CHECK((*parts)[0].name == "csrf");
  CHECK_FALSE((*parts)[0].filename.has_value());
  CHECK((*parts)[0].data == "abc123");
  CHECK((*parts)[1].name == "document");
  CHECK((*parts)[1].filename == "prices \"2026\".md");
  CHECK((*parts)[1].content_type == "text/markdown");
  CHECK((*parts)[1].data == "# Prices\r\n\r\n--not a boundary\r\nA class is $25.");
}

TEST_CASE("a body that is not what it says is refused whole") {
  const std::string b = "XyZ";
  CHECK_FALSE(parse_multipart("", b));
  CHECK_FALSE(parse_multipart("--XyZ\r\nContent-Disposition: form-data; name=\"a\"\r\n\r\nno end", b));
  CHECK_FALSE(parse_multipart("--XyZ\r\nContent-Type: text/plain\r\n\r\nx\r\n--XyZ--", b));        // no name
  CHECK_FALSE(parse_multipart("--XyZ\r\nContent-Disposition: attachment; name=\"a\"\r\n\r\nx\r\n--XyZ--", b));
  CHECK_FALSE(parse_multipart("--XyZ\r\nno header line\r\n\r\nx\r\n--XyZ--", b));
  auto empty_file = parse_multipart("--XyZ\r\nContent-Disposition: form-data; name=\"f\"; filename=\"\"\r\n\r\n\r\n--XyZ--", b);
  REQUIRE(empty_file);
  CHECK((*empty_file)[0].filename == "");
  CHECK((*empty_file)[0].data.empty());
}
