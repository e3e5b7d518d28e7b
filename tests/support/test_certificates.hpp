#pragma once
// Certificates for tests that need TLS on loopback: a private CA and a certificate for
// 127.0.0.1 signed by it, valid over a chosen window (an expired one, for instance). Made with
// OpenSSL in the test, written as PEM files.

#include <chrono>
#include <filesystem>

namespace sonoria::test {

struct TestCertificates {
  std::filesystem::path ca;         // the CA's certificate: what a client trusts (--ca-file)
  std::filesystem::path cert;       // the server's certificate (server.tls_cert)
  std::filesystem::path key;        // its private key (server.tls_key)
};

// The server's certificate is valid from now + not_before to now + not_after (negative = past),
// for the IP address 127.0.0.1 and the name localhost. Throws std::runtime_error on failure.
TestCertificates make_test_certificates(const std::filesystem::path& dir, std::chrono::seconds not_before,
                                        std::chrono::seconds not_after);

}  // namespace sonoria::test
