// Docker TLS material held in a Zabbix host's inventory, as deployments of the earlier scheduler
// keep it: the host whose inventory `alias` equals the component holds the client key, the CA and
// the client certificate in three inventory fields. A plugin that talks to a Docker engine over
// mutual TLS asks for them with one call and points its Docker client at the directory it gets:
//
//     auto certs = concierge::zabbix::certs_from_inventory(ctx, component);  // nullopt when not asked
//     if (certs) docker_settings.cert_path = certs->path();                   // ca.pem, cert.pem, key.pem
//     // leaving the scope deletes the files, on success, error and Ctrl-C alike
//
// The files live in a private directory (0700, files 0600 created exclusively) under
// $XDG_RUNTIME_DIR/concierge-certs, else /tmp/concierge-certs-<uid>, never in a shared place. A
// process killed before its destructor ran leaves a directory behind; the next call removes it.
#pragma once

#include <concierge/zabbix/client.hpp>

#include <filesystem>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace concierge::zabbix {

/// Which inventory fields hold what; the defaults are the earlier tool's.
struct InventoryCertFields {
    std::string key = "notes";
    std::string ca = "poc_1_notes";
    std::string cert = "poc_2_notes";
};

/// PEM texts read from the inventory. `key` is a secret.
struct TlsMaterial {
    std::string key;
    std::string ca;
    std::string cert;
};

/// The options a Docker plugin declares to offer this: certs-from-zabbix (flag, env
/// CONCIERGE_CERTS_FROM_ZABBIX, config docker.certs-from-zabbix), inventory-key-field,
/// inventory-ca-field, inventory-cert-field (config docker.<name>), and connection_options("zabbix-")
/// (--zabbix-api-host, --zabbix-user...; the usual ZBX_* variables and [zabbix] keys) with
/// api-host optional, since a plugin that does not use this needs no Zabbix.
CONCIERGE_ZABBIX_API std::vector<sdk::OptionSpec> inventory_cert_options();

/// A private directory holding ca.pem, cert.pem and key.pem (Docker's names). The destructor
/// deletes it and everything in it.
class CONCIERGE_ZABBIX_API CertDirectory {
public:
    CertDirectory(CertDirectory&& other) noexcept;
    CertDirectory& operator=(CertDirectory&&) = delete;
    CertDirectory(const CertDirectory&) = delete;
    CertDirectory& operator=(const CertDirectory&) = delete;
    ~CertDirectory();

    const std::filesystem::path& path() const noexcept { return path_; }

    /// Checks each text is PEM of the right kind (a private key; one or more CA certificates; a
    /// certificate that matches the key), removes directories left by dead processes under `base`,
    /// and writes the files into a new private directory there. Throws sdk::Error(InvalidInput)
    /// naming the field that is wrong, sdk::Error(Failure) when the directory is unsafe or unwritable.
    static CertDirectory write(const TlsMaterial& material, const InventoryCertFields& fields,
                               const std::filesystem::path& base);
    /// The default base: $XDG_RUNTIME_DIR/concierge-certs when that directory exists (cron jobs
    /// often have none), else /tmp/concierge-certs-<uid>.
    static std::filesystem::path default_base();

private:
    explicit CertDirectory(std::filesystem::path path) : path_(std::move(path)) {}
    std::filesystem::path path_;
};

/// The material of the one host whose inventory alias is `component`. Throws
/// sdk::Error(NotFound) when no host has it, sdk::Error(Conflict) naming them when several do,
/// sdk::Error(InvalidInput) when a field is empty. Uses a logged-in client.
CONCIERGE_ZABBIX_API TlsMaterial fetch_inventory_certs(Client& client, std::string_view component,
                                                       const InventoryCertFields& fields);

/// All of the above from a plugin's options: nullopt unless certs-from-zabbix is set; otherwise
/// logs in with settings_from(ctx, "zabbix-"), fetches, registers the key as a secret with the context and
/// writes the directory under default_base().
CONCIERGE_ZABBIX_API std::optional<CertDirectory> certs_from_inventory(sdk::Context& ctx, std::string_view component);

}  // namespace concierge::zabbix
