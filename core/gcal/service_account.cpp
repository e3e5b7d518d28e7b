#include "core/gcal/service_account.hpp"

#include <nlohmann/json.hpp>
#include <openssl/bio.h>
#include <openssl/evp.h>
#include <openssl/pem.h>

#include <memory>

#include "core/error.hpp"
#include "core/twilio/base64.hpp"

namespace sonoria::gcal {
namespace {

using nlohmann::json;

std::string field(const json& j, const char* name, const std::string& source) {
  auto it = j.find(name);
  if (it == j.end() || !it->is_string() || it->get<std::string>().empty())
    throw DataError(source + ": \"" + name + "\" is missing (expected a Google service account key: " +
                    "IAM → Service accounts → Keys → Add key → JSON)");
  return it->get<std::string>();
}

}  // namespace

std::string base64url(std::string_view bytes) {
  std::string text = twilio::base64_encode(bytes);
  while (!text.empty() && text.back() == '=') text.pop_back();
  for (char& c : text) {
    if (c == '+') c = '-';
    else if (c == '/') c = '_';
  }
  return text;
}

ServiceAccount read_service_account(std::string_view json_text, const std::string& source) {
  const json j = json::parse(json_text, nullptr, /*allow_exceptions=*/false);
  if (j.is_discarded() || !j.is_object()) throw DataError(source + ": is not JSON (expected a service account key file)");
  if (auto type = j.find("type"); type != j.end() && *type != "service_account")
    throw DataError(source + ": \"type\" is " + type->dump() + " (expected \"service_account\")");
  ServiceAccount account;
  account.client_email = field(j, "client_email", source);
  account.private_key_pem = field(j, "private_key", source);
  if (auto id = j.find("private_key_id"); id != j.end() && id->is_string()) account.private_key_id = *id;
  if (auto uri = j.find("token_uri"); uri != j.end() && uri->is_string() && !uri->get<std::string>().empty())
    account.token_uri = *uri;
  return account;
}

std::string jwt_assertion(const ServiceAccount& account, std::string_view scope, std::string_view audience,
                          int64_t now) {
  json header = {{"alg", "RS256"}, {"typ", "JWT"}};
  if (!account.private_key_id.empty()) header["kid"] = account.private_key_id;
  const json claims = {{"iss", account.client_email}, {"scope", scope}, {"aud", audience}, {"iat", now},
                       {"exp", now + 3600}};
  const std::string signing_input = base64url(header.dump()) + "." + base64url(claims.dump());

  std::unique_ptr<BIO, decltype(&BIO_free)> bio(
      BIO_new_mem_buf(account.private_key_pem.data(), static_cast<int>(account.private_key_pem.size())), BIO_free);
  std::unique_ptr<EVP_PKEY, decltype(&EVP_PKEY_free)> key(
      bio ? PEM_read_bio_PrivateKey(bio.get(), nullptr, nullptr, nullptr) : nullptr, EVP_PKEY_free);
  if (!key) throw DataError("the service account's private_key is not a PEM private key");
  std::unique_ptr<EVP_MD_CTX, decltype(&EVP_MD_CTX_free)> ctx(EVP_MD_CTX_new(), EVP_MD_CTX_free);
  std::size_t size = 0;
  if (!ctx || EVP_DigestSignInit(ctx.get(), nullptr, EVP_sha256(), nullptr, key.get()) != 1 ||
      EVP_DigestSign(ctx.get(), nullptr, &size, reinterpret_cast<const unsigned char*>(signing_input.data()),
                     signing_input.size()) != 1)
    throw DataError("the service account's private_key cannot sign (expected an RSA key)");
  std::string signature(size, '\0');
  if (EVP_DigestSign(ctx.get(), reinterpret_cast<unsigned char*>(signature.data()), &size,
                     reinterpret_cast<const unsigned char*>(signing_input.data()), signing_input.size()) != 1)
    throw DataError("the service account's private_key cannot sign (expected an RSA key)");
  signature.resize(size);
  return signing_input + "." + base64url(signature);
}

std::string token_request_body(std::string_view assertion) {
  // The assertion is base64url with dots: nothing in it needs percent-encoding.
  return "grant_type=urn%3Aietf%3Aparams%3Aoauth%3Agrant-type%3Ajwt-bearer&assertion=" + std::string(assertion);
}

std::optional<AccessToken> read_token_answer(std::string_view body, int64_t now) {
  const json j = json::parse(body, nullptr, false);
  if (j.is_discarded() || !j.is_object()) return std::nullopt;
  auto token = j.find("access_token");
  if (token == j.end() || !token->is_string() || token->get<std::string>().empty()) return std::nullopt;
  int64_t expires_in = 3600;
  if (auto e = j.find("expires_in"); e != j.end() && e->is_number_integer()) expires_in = e->get<int64_t>();
  return AccessToken{token->get<std::string>(), now + expires_in};
}

}  // namespace sonoria::gcal
