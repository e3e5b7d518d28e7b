#include "tests/support/test_certificates.hpp"

#include <openssl/evp.h>
#include <openssl/pem.h>
#include <openssl/x509.h>
#include <openssl/x509v3.h>

#include <cstdio>
#include <memory>
#include <stdexcept>
#include <string>

namespace sonoria::test {

namespace {

using Key = std::unique_ptr<EVP_PKEY, decltype(&EVP_PKEY_free)>;
using Cert = std::unique_ptr<X509, decltype(&X509_free)>;

Key new_key() {
  Key key(EVP_EC_gen("P-256"), &EVP_PKEY_free);
  if (!key) throw std::runtime_error("test certificates: cannot make a key");
  return key;
}

void add_extension(X509* cert, X509* issuer, int nid, const char* value) {
  X509V3_CTX ctx;
  X509V3_set_ctx_nodb(&ctx);
  X509V3_set_ctx(&ctx, issuer, cert, nullptr, nullptr, 0);
  X509_EXTENSION* ext = X509V3_EXT_conf_nid(nullptr, &ctx, nid, value);
  if (!ext) throw std::runtime_error(std::string("test certificates: bad extension ") + value);
  X509_add_ext(cert, ext, -1);
  X509_EXTENSION_free(ext);
}

Cert make_cert(EVP_PKEY* key, const char* common_name, X509* issuer, EVP_PKEY* issuer_key, long serial,
               std::chrono::seconds not_before, std::chrono::seconds not_after, bool ca) {
  Cert cert(X509_new(), &X509_free);
  X509_set_version(cert.get(), 2);
  ASN1_INTEGER_set(X509_get_serialNumber(cert.get()), serial);
  X509_gmtime_adj(X509_getm_notBefore(cert.get()), static_cast<long>(not_before.count()));
  X509_gmtime_adj(X509_getm_notAfter(cert.get()), static_cast<long>(not_after.count()));
  X509_set_pubkey(cert.get(), key);
  X509_NAME* name = X509_get_subject_name(cert.get());
  X509_NAME_add_entry_by_txt(name, "CN", MBSTRING_ASC, reinterpret_cast<const unsigned char*>(common_name), -1, -1, 0);
  X509_set_issuer_name(cert.get(), issuer ? X509_get_subject_name(issuer) : name);
  X509* signer = issuer ? issuer : cert.get();
  if (ca) {
    add_extension(cert.get(), signer, NID_basic_constraints, "critical,CA:TRUE");
    add_extension(cert.get(), signer, NID_key_usage, "critical,keyCertSign,cRLSign");
  } else {
    add_extension(cert.get(), signer, NID_basic_constraints, "CA:FALSE");
    add_extension(cert.get(), signer, NID_subject_alt_name, "IP:127.0.0.1,DNS:localhost");
    add_extension(cert.get(), signer, NID_ext_key_usage, "serverAuth");
  }
  if (X509_sign(cert.get(), issuer_key, EVP_sha256()) == 0) throw std::runtime_error("test certificates: cannot sign");
  return cert;
}

template <class Write>
void write_pem(const std::filesystem::path& path, Write write) {
  std::FILE* f = std::fopen(path.c_str(), "w");
  if (!f) throw std::runtime_error("test certificates: cannot write " + path.string());
  const bool ok = write(f) == 1;
  std::fclose(f);
  if (!ok) throw std::runtime_error("test certificates: cannot write " + path.string());
}

}  // namespace

TestCertificates make_test_certificates(const std::filesystem::path& dir, std::chrono::seconds not_before,
                                        std::chrono::seconds not_after) {
  const auto ca_key = new_key();
  const auto ca = make_cert(ca_key.get(), "sonoria test CA", nullptr, ca_key.get(), 1, std::chrono::hours(-48),
                            std::chrono::hours(24 * 365), true);
  const auto key = new_key();
  const auto cert = make_cert(key.get(), "127.0.0.1", ca.get(), ca_key.get(), 2, not_before, not_after, false);
  TestCertificates out{dir / "test-ca.pem", dir / "server.pem", dir / "server-key.pem"};
  write_pem(out.ca, [&](std::FILE* f) { return PEM_write_X509(f, ca.get()); });
  write_pem(out.cert, [&](std::FILE* f) { return PEM_write_X509(f, cert.get()); });
  write_pem(out.key, [&](std::FILE* f) { return PEM_write_PrivateKey(f, key.get(), nullptr, nullptr, 0, nullptr, nullptr); });
  return out;
}

}  // namespace sonoria::test
