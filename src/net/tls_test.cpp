#include "net/tls.h"

#include <gtest/gtest.h>
#include <openssl/pem.h>
#include <openssl/x509v3.h>
#include <sys/stat.h>

#include <cstdio>
#include <filesystem>
#include <fstream>

#include <fmt/format.h>

#include "support/files.h"

namespace postamt::net {

using postamt::testing::read_file;
using postamt::testing::TempDir;
using postamt::testing::write_file;

namespace {

X509* read_cert(const std::string& path) {
  FILE* f = std::fopen(path.c_str(), "r");
  if (!f) return nullptr;
  X509* cert = PEM_read_X509(f, nullptr, nullptr, nullptr);
  std::fclose(f);
  return cert;
}

TEST(SelfSigned, CreatesKeyAndCertificateOnlyWhenBothAreMissing) {
  TempDir dir;
  std::string cert_path = dir.path("cert.pem");
  std::string key_path = dir.path("key.pem");
  auto made = ensure_self_signed(cert_path, key_path, "mail.example.test");
  ASSERT_TRUE(made) << made.error().message;
  EXPECT_EQ(*made, CertificateFiles::created);

  struct stat st {};
  ASSERT_EQ(::stat(key_path.c_str(), &st), 0);
  EXPECT_EQ(st.st_mode & 0777, 0600u);
  ASSERT_EQ(::stat(cert_path.c_str(), &st), 0);
  EXPECT_EQ(st.st_mode & 0777, 0644u);

  X509* cert = read_cert(cert_path);
  ASSERT_NE(cert, nullptr);
  EXPECT_EQ(X509_check_host(cert, "mail.example.test", 0, 0, nullptr), 1);
  EXPECT_EQ(X509_check_host(cert, "other.example.test", 0, 0, nullptr), 0);
  int days = 0;
  int seconds = 0;
  ASSERT_EQ(ASN1_TIME_diff(&days, &seconds, X509_get0_notBefore(cert), X509_get0_notAfter(cert)),
            1);
  EXPECT_EQ(days, 3653);
  EXPECT_EQ(seconds, 0);
  EVP_PKEY* key = X509_get0_pubkey(cert);
  ASSERT_NE(key, nullptr);
  EXPECT_TRUE(EVP_PKEY_is_a(key, "EC"));
  EXPECT_EQ(EVP_PKEY_get_bits(key), 256);
  X509_free(cert);

  std::string before = read_file(cert_path);
  auto again = ensure_self_signed(cert_path, key_path, "mail.example.test");
  ASSERT_TRUE(again);
  EXPECT_EQ(*again, CertificateFiles::existed);
  EXPECT_EQ(read_file(cert_path), before);
  EXPECT_TRUE(TlsContext::load(cert_path, key_path));
}

TEST(SelfSigned, IpLiteralGoesIntoAnIpSubjectAltName) {
  TempDir dir;
  ASSERT_TRUE(ensure_self_signed(dir.path("c.pem"), dir.path("k.pem"), "127.0.0.1"));
  X509* cert = read_cert(dir.path("c.pem"));
  ASSERT_NE(cert, nullptr);
  EXPECT_EQ(X509_check_ip_asc(cert, "127.0.0.1", 0), 1);
  X509_free(cert);
}

TEST(SelfSigned, RefusesWhenOnlyOneFileExists) {
  TempDir dir;
  write_file(dir.path("key.pem"), "precious");
  auto r = ensure_self_signed(dir.path("cert.pem"), dir.path("key.pem"), "mail.example.test");
  ASSERT_FALSE(r);
  EXPECT_EQ(r.error().kind, ErrorKind::invalid);
  EXPECT_EQ(read_file(dir.path("key.pem")), "precious");
  EXPECT_FALSE(std::filesystem::exists(dir.path("cert.pem")));
}

TEST(SelfSigned, RefusesNamesThatCouldInjectExtensions) {
  TempDir dir;
  auto r = ensure_self_signed(dir.path("c.pem"), dir.path("k.pem"), "a.test,DNS:evil.test");
  ASSERT_FALSE(r);
  EXPECT_EQ(r.error().kind, ErrorKind::invalid);
  EXPECT_TRUE(std::filesystem::is_empty(dir.root()));
}

TEST(TlsContext, LoadErrors) {
  TempDir dir;
  auto missing = TlsContext::load(dir.path("none.pem"), dir.path("none.key"));
  ASSERT_FALSE(missing);
  EXPECT_EQ(missing.error().kind, ErrorKind::io);

  write_file(dir.path("bad.pem"), "-----BEGIN CERTIFICATE-----\nnope\n-----END CERTIFICATE-----\n");
  write_file(dir.path("bad.key"), "garbage");
  auto garbage = TlsContext::load(dir.path("bad.pem"), dir.path("bad.key"));
  ASSERT_FALSE(garbage);
  EXPECT_EQ(garbage.error().kind, ErrorKind::invalid);

  // A valid certificate with someone else's key.
  ASSERT_TRUE(ensure_self_signed(dir.path("a.pem"), dir.path("a.key"), "a.test"));
  ASSERT_TRUE(ensure_self_signed(dir.path("b.pem"), dir.path("b.key"), "b.test"));
  auto mismatch = TlsContext::load(dir.path("a.pem"), dir.path("b.key"));
  ASSERT_FALSE(mismatch);
  EXPECT_EQ(mismatch.error().kind, ErrorKind::invalid);
}

TEST(TlsContext, ReloadKeepsTheOldPairWhenTheNewFilesAreBad) {
  TempDir dir;
  std::string cert = dir.path("cert.pem");
  std::string key = dir.path("key.pem");
  ASSERT_TRUE(ensure_self_signed(cert, key, "old.test"));
  auto context = TlsContext::load(cert, key);
  ASSERT_TRUE(context);
  auto original = (*context)->current();

  write_file(cert, "not a certificate");
  auto bad = (*context)->reload();
  ASSERT_FALSE(bad);
  EXPECT_EQ(bad.error().kind, ErrorKind::invalid);
  EXPECT_EQ((*context)->current(), original);

  std::filesystem::remove(cert);
  auto gone = (*context)->reload();
  ASSERT_FALSE(gone);
  EXPECT_EQ(gone.error().kind, ErrorKind::io);
  EXPECT_EQ((*context)->current(), original);

  std::filesystem::remove(key);
  ASSERT_TRUE(ensure_self_signed(cert, key, "new.test"));
  ASSERT_TRUE((*context)->reload());
  EXPECT_NE((*context)->current(), original);
}

TEST(Tlsa, SpkiSha256IsTheThreeOneOneRecordData) {
  // Digest from `openssl x509 -noout -pubkey | openssl pkey -pubin -outform DER |
  // openssl dgst -sha256`.
  const std::string pem =
      "-----BEGIN CERTIFICATE-----\n"
      "MIIBrDCCAVGgAwIBAgIUcxhMimgxwqVHVs81r9DsqTsYpUAwCgYIKoZIzj0EAwIw\n"
      "GjEYMBYGA1UEAwwPUG9zdGFtdCBUZXN0IENBMB4XDTI2MTIwNzA2NTQ0MVoXDTI2\n"
      "MTIwOTA2NTQ0MVowFDESMBAGA1UEAwwJbXgueC50ZXN0MFkwEwYHKoZIzj0CAQYI\n"
      "KoZIzj0DAQcDQgAE7sbaE8z9Rt5grY5eZoMSPqWNyc1yNwIw6PBZfHKID5RTGFBL\n"
      "PIBTHq8rHebhuvHvVCrAVVg5S+m8KxIwSLTV+6N7MHkwFAYDVR0RBA0wC4IJbXgu\n"
      "eC50ZXN0MAwGA1UdEwEB/wQCMAAwEwYDVR0lBAwwCgYIKwYBBQUHAwEwHQYDVR0O\n"
      "BBYEFECEUDGdjRxMLQCnyStK30+XLu5+MB8GA1UdIwQYMBaAFBevgr7lFrzD5RVD\n"
      "q8mOrThWX8D1MAoGCCqGSM49BAMCA0kAMEYCIQCEG/vZ02ETMrVaonrWy/ol8itm\n"
      "LFHwPW5aXd9dV/uc8wIhAK2V3nJc8+sjXVv/wUHRJq/qwDlqHg8ZKmW7R7XQivOd\n"
      "-----END CERTIFICATE-----\n";
  auto digest = spki_sha256(pem);
  ASSERT_TRUE(digest) << digest.error().message;
  std::string hex;
  for (unsigned char c : *digest) hex += fmt::format("{:02x}", c);
  EXPECT_EQ(hex, "c3555eac72008bf19f06764fed1d0cf01336028e56c5bb103b0bdfaef08c45f0");
  auto bad = spki_sha256("not a certificate");
  ASSERT_FALSE(bad);
  EXPECT_EQ(bad.error().kind, ErrorKind::invalid);
}

TEST(TlsClientContext, BadCaFile) {
  TempDir dir;
  write_file(dir.path("ca.pem"), "junk");
  auto r = TlsClientContext::create(TlsVerify::verify, dir.path("ca.pem"));
  ASSERT_FALSE(r);
  EXPECT_EQ(r.error().kind, ErrorKind::invalid);
  auto missing = TlsClientContext::create(TlsVerify::verify, dir.path("none.pem"));
  ASSERT_FALSE(missing);
  EXPECT_EQ(missing.error().kind, ErrorKind::io);
  EXPECT_TRUE(TlsClientContext::create(TlsVerify::opportunistic));
}

}  // namespace
}  // namespace postamt::net
