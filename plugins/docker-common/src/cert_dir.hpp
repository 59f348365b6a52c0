// TLS material that must not outlive the run (the seed's pre_pem_file / generate_pem_file, done
// right): validated as PEM, written into a private directory as files only this user can read,
// created exclusively, and removed on every way out. What a killed process left behind is removed
// by the next run. The Zabbix inventory lookup that supplies the PEM text is the caller's.
#pragma once

#include <filesystem>
#include <string>

namespace concierge::certs {

struct PemSet {
    std::string key;   ///< the client's private key; never printed
    std::string ca;    ///< the CA certificate(s) that signed the daemon's certificate
    std::string cert;  ///< the client certificate
};

/// Throws sdk::Error(InvalidInput) naming `what` (an inventory field, say) when `text` holds no
/// parsable PEM private key / certificate. The message never quotes the text.
void require_pem_key(const std::string& text, const std::string& what);
void require_pem_certificate(const std::string& text, const std::string& what);

/// A directory `base/certs-PID-XXXXXX` (0700) holding ca.pem, cert.pem and key.pem (0600, created
/// with O_EXCL), usable as DOCKER_CERT_PATH; removed with its files when destroyed. Creating one
/// first removes the directories of processes that no longer run.
class PrivateCertDir {
public:
    PrivateCertDir(const std::filesystem::path& base, const PemSet& pems);
    ~PrivateCertDir();
    PrivateCertDir(const PrivateCertDir&) = delete;
    PrivateCertDir& operator=(const PrivateCertDir&) = delete;

    const std::filesystem::path& path() const noexcept { return path_; }

    /// Removes `base/certs-PID-*` whose PID is not a running process.
    static void remove_stale(const std::filesystem::path& base);

private:
    std::filesystem::path path_;
};

}  // namespace concierge::certs
