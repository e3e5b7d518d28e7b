#pragma once
// The TLS client configuration shared by every outgoing connection: peer verification against the
// system trust store (set_default_verify_paths) plus, optionally, one extra CA file. Built once
// per CA file and reused for the life of the process.

#include <memory>
#include <string>

namespace boost::asio::ssl {
class context;
}

struct ssl_st;

namespace sonoria::net {

// The shared client context for `ca_file` ("" = system store only), created on first use.
// Thread-safe. Throws sonoria::DataError naming the file when it cannot be read as PEM
// certificates; the context is not cached in that case.
std::shared_ptr<boost::asio::ssl::context> client_tls_context(const std::string& ca_file = {});

// Why a TLS handshake failed, for a person: the error's message, and when the peer's certificate
// did not verify, why ("certificate verify failed (SSL routines): certificate has expired") —
// OpenSSL's error alone does not say whether it expired, is self-signed or names another host.
std::string tls_handshake_failure(ssl_st* ssl, const std::string& error_message);

}  // namespace sonoria::net
