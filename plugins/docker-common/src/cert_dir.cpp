#include "cert_dir.hpp"

#include <concierge/sdk/status.hpp>

#include <openssl/bio.h>
#include <openssl/err.h>
#include <openssl/evp.h>
#include <openssl/pem.h>
#include <openssl/x509.h>

#include <cerrno>
#include <csignal>
#include <cstdlib>
#include <system_error>

#include <fcntl.h>
#include <unistd.h>

namespace concierge::certs {
namespace {

namespace fs = std::filesystem;
using sdk::Error;
using sdk::ExitCode;

[[noreturn]] void fail_io(const std::string& what, const fs::path& path, int error) {
    throw Error(ExitCode::Failure, "cannot " + what + " " + path.string() + ": " + std::system_category().message(error));
}

/// No passphrase: OpenSSL's default would prompt on the terminal, and an alert script has none.
int no_passphrase(char*, int, int, void*) { return 0; }

/// Counts the PEM objects `read` accepts in `text`; OpenSSL's error queue is left empty.
template <class Read, class Free>
int count_pem(const std::string& text, Read read, Free free) {
    BIO* bio = BIO_new_mem_buf(text.data(), static_cast<int>(text.size()));
    if (!bio) throw Error(ExitCode::Failure, "out of memory reading PEM");
    int count = 0;
    while (auto* object = read(bio, nullptr, no_passphrase, nullptr)) {
        free(object);
        ++count;
    }
    BIO_free(bio);
    ERR_clear_error();
    return count;
}

void write_private(const fs::path& file, const std::string& content) {
    const int fd = ::open(file.c_str(), O_WRONLY | O_CREAT | O_EXCL | O_NOFOLLOW | O_CLOEXEC, 0600);
    if (fd < 0) fail_io("create", file, errno);
    std::size_t done = 0;
    while (done < content.size()) {
        const ssize_t n = ::write(fd, content.data() + done, content.size() - done);
        if (n < 0 && errno == EINTR) continue;
        if (n < 0) {
            const int error = errno;
            ::close(fd);
            fail_io("write", file, error);
        }
        done += static_cast<std::size_t>(n);
    }
    if (::close(fd) != 0) fail_io("write", file, errno);
}

bool pid_alive(const std::string& text) {
    char* end = nullptr;
    const long pid = std::strtol(text.c_str(), &end, 10);
    if (end == text.c_str() || *end != '\0' || pid <= 0) return true;  // not ours to judge: keep it
    return ::kill(static_cast<pid_t>(pid), 0) == 0 || errno == EPERM;
}

}  // namespace

void require_pem_key(const std::string& text, const std::string& what) {
    if (count_pem(text, PEM_read_bio_PrivateKey, EVP_PKEY_free) != 1)
        throw Error(ExitCode::InvalidInput, what + " does not hold one PEM private key; put the client key there as "
                                                   "-----BEGIN PRIVATE KEY----- ... text");
}

void require_pem_certificate(const std::string& text, const std::string& what) {
    if (count_pem(text, PEM_read_bio_X509, X509_free) < 1)
        throw Error(ExitCode::InvalidInput, what + " does not hold a PEM certificate; put it there as "
                                                   "-----BEGIN CERTIFICATE----- ... text");
}

PrivateCertDir::PrivateCertDir(const fs::path& base, const PemSet& pems) {
    std::error_code error;
    fs::create_directories(base, error);
    if (error) fail_io("create", base, error.value());
    remove_stale(base);
    std::string templ = (base / ("certs-" + std::to_string(::getpid()) + "-XXXXXX")).string();
    if (!::mkdtemp(templ.data())) fail_io("create a directory in", base, errno);  // mkdtemp makes it 0700
    path_ = templ;
    try {
        write_private(path_ / "key.pem", pems.key);
        write_private(path_ / "ca.pem", pems.ca);
        write_private(path_ / "cert.pem", pems.cert);
    } catch (...) {
        fs::remove_all(path_, error);
        throw;
    }
}

PrivateCertDir::~PrivateCertDir() {
    std::error_code ignored;
    fs::remove_all(path_, ignored);
}

void PrivateCertDir::remove_stale(const fs::path& base) {
    std::error_code error;
    for (const auto& entry : fs::directory_iterator(base, error)) {
        const std::string name = entry.path().filename().string();
        if (name.rfind("certs-", 0) != 0) continue;
        const auto dash = name.find('-', 6);
        if (dash == std::string::npos || pid_alive(name.substr(6, dash - 6))) continue;
        std::error_code ignored;
        fs::remove_all(entry.path(), ignored);
    }
}

}  // namespace concierge::certs
