#include "core/net/tls_client_context.hpp"

#include <boost/asio/ssl/context.hpp>
#include <map>
#include <mutex>

#include "core/error.hpp"

namespace sonoria::net {

namespace {

std::shared_ptr<boost::asio::ssl::context> make_context(const std::string& ca_file) {
  namespace ssl = boost::asio::ssl;
  auto context = std::make_shared<ssl::context>(ssl::context::tls_client);
  context->set_options(ssl::context::default_workarounds | ssl::context::no_sslv2 | ssl::context::no_sslv3 |
                       ssl::context::no_tlsv1 | ssl::context::no_tlsv1_1);
  context->set_verify_mode(ssl::verify_peer);
  boost::system::error_code ec;
  // Hosts without a system store still work when a CA file is given, so this one is not fatal.
  context->set_default_verify_paths(ec);
  if (!ca_file.empty()) {
    context->load_verify_file(ca_file, ec);
    if (ec) {
      throw DataError("TLS CA file \"" + ca_file + "\" cannot be used: " + ec.message() +
                      " (expected a readable file of PEM certificates)");
    }
  }
  return context;
}

}  // namespace

std::shared_ptr<boost::asio::ssl::context> client_tls_context(const std::string& ca_file) {
  static std::mutex mutex;
  static std::map<std::string, std::shared_ptr<boost::asio::ssl::context>> contexts;
  std::lock_guard lock(mutex);
  auto& slot = contexts[ca_file];
  if (!slot) slot = make_context(ca_file);
  return slot;
}

std::string tls_handshake_failure(ssl_st* ssl, const std::string& error_message) {
  const long result = ssl ? SSL_get_verify_result(ssl) : X509_V_OK;
  if (result == X509_V_OK) return error_message;
  return error_message + ": " + X509_verify_cert_error_string(result);
}

}  // namespace sonoria::net
