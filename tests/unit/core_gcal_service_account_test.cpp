// A service account's key file, the RS256 assertion it signs in with (verified here with the
// public key, as Google does), and the token answer.
#include <doctest/doctest.h>
#include <nlohmann/json.hpp>
#include <openssl/bio.h>
#include <openssl/evp.h>
#include <openssl/pem.h>
#include <openssl/rsa.h>

#include "core/error.hpp"
#include "core/gcal/service_account.hpp"
#include "core/twilio/base64.hpp"
#include "tests/support/error_of.hpp"

using namespace sonoria;

namespace {

struct Key {
  EVP_PKEY* key = EVP_RSA_gen(2048);
  ~Key() { EVP_PKEY_free(key); }
  std::string pem() const {
    BIO* bio = BIO_new(BIO_s_mem());
    PEM_write_bio_PrivateKey(bio, key, nullptr, nullptr, 0, nullptr, nullptr);
    char* data = nullptr;
    const long size = BIO_get_mem_data(bio, &data);
    std::string out(data, static_cast<std::size_t>(size));
    BIO_free(bio);
    return out;
  }
};

std::string unbase64url(std::string text) {
  for (char& c : text) c = c == '-' ? '+' : c == '_' ? '/' : c;
  while (text.size() % 4) text += '=';
  return twilio::base64_decode(text).value_or("");
}

}  // namespace

TEST_CASE("the key file is read, and what is wrong with one is named without the key") {
  Key key;
  const std::string file = nlohmann::json{{"type", "service_account"},
                                          {"client_email", "book@p.iam.gserviceaccount.com"},
                                          {"private_key", key.pem()},
                                          {"private_key_id", "k1"},
                                          {"token_uri", "https://oauth2.example/token"}}
                               .dump();
  const auto account = gcal::read_service_account(file, "key.json");
  CHECK(account.client_email == "book@p.iam.gserviceaccount.com");
  CHECK(account.token_uri == "https://oauth2.example/token");
  CHECK(test::error_of([&] { gcal::read_service_account("{", "key.json"); }).find("key.json: is not JSON") != std::string::npos);
  const std::string no_key = R"({"type":"service_account","client_email":"a@b"})";
  CHECK(test::error_of([&] { gcal::read_service_account(no_key, "key.json"); }) ==
        "key.json: \"private_key\" is missing (expected a Google service account key: IAM → Service accounts → Keys → "
        "Add key → JSON)");
  CHECK(test::error_of([&] { gcal::read_service_account(R"({"type":"authorized_user"})", "k.json"); })
            .find("(expected \"service_account\")") != std::string::npos);
}

TEST_CASE("the assertion is an RS256 JWT Google can verify, with the claims it checks") {
  Key key;
  gcal::ServiceAccount account{"book@p.iam.gserviceaccount.com", key.pem(), "k1", "https://oauth2.googleapis.com/token"};
  const std::string jwt = gcal::jwt_assertion(account, gcal::k_calendar_scope, account.token_uri, 1'800'000'000);
  const auto first = jwt.find('.');
  const auto second = jwt.find('.', first + 1);
  REQUIRE(second != std::string::npos);
  CHECK(jwt.find('=') == std::string::npos);
  const auto header = nlohmann::json::parse(unbase64url(jwt.substr(0, first)));
  CHECK(header["alg"] == "RS256");
  CHECK(header["kid"] == "k1");
  const auto claims = nlohmann::json::parse(unbase64url(jwt.substr(first + 1, second - first - 1)));
  CHECK(claims["iss"] == "book@p.iam.gserviceaccount.com");
  CHECK(claims["aud"] == "https://oauth2.googleapis.com/token");
  CHECK(claims["scope"] == "https://www.googleapis.com/auth/calendar");
  CHECK(claims["iat"] == 1'800'000'000);
  CHECK(claims["exp"] == 1'800'003'600);

  const std::string signature = unbase64url(jwt.substr(second + 1));
  const std::string input = jwt.substr(0, second);
  EVP_MD_CTX* ctx = EVP_MD_CTX_new();
  REQUIRE(EVP_DigestVerifyInit(ctx, nullptr, EVP_sha256(), nullptr, key.key) == 1);
  CHECK(EVP_DigestVerify(ctx, reinterpret_cast<const unsigned char*>(signature.data()), signature.size(),
                         reinterpret_cast<const unsigned char*>(input.data()), input.size()) == 1);
  EVP_MD_CTX_free(ctx);

  account.private_key_pem = "-----BEGIN PRIVATE KEY-----\nnot a key\n-----END PRIVATE KEY-----\n";
  CHECK_THROWS_AS(gcal::jwt_assertion(account, gcal::k_calendar_scope, account.token_uri, 0), DataError);
  CHECK(gcal::token_request_body("a.b.c") ==
        "grant_type=urn%3Aietf%3Aparams%3Aoauth%3Agrant-type%3Ajwt-bearer&assertion=a.b.c");
}

TEST_CASE("the token answer") {
  const auto token = gcal::read_token_answer(R"({"access_token":"ya29.x","expires_in":3599,"token_type":"Bearer"})", 100);
  REQUIRE(token);
  CHECK(token->value == "ya29.x");
  CHECK(token->expires_at == 3699);
  CHECK(!gcal::read_token_answer(R"({"error":"invalid_grant"})", 100));
  CHECK(!gcal::read_token_answer("<html>", 100));
}
