// Docker TLS material from a Zabbix host's inventory, checked as PEM and written to a private
// directory that never outlives the run (see inventory_certs.hpp).
#include <concierge/zabbix/inventory_certs.hpp>

#include "declared_option.hpp"
#include "loopback.hpp"

#include <Poco/JSON/Array.h>
#include <Poco/JSON/Object.h>
#include <Poco/JSON/Parser.h>
#include <Poco/JSON/Stringifier.h>

#include <Poco/URI.h>
#include <openssl/bio.h>
#include <openssl/err.h>
#include <openssl/evp.h>
#include <openssl/pem.h>
#include <openssl/x509.h>

#include <cerrno>
#include <cstdlib>
#include <cstring>
#include <fcntl.h>
#include <fstream>
#include <memory>
#include <sstream>
#include <sys/stat.h>
#include <unistd.h>

namespace concierge::zabbix {
namespace {

namespace fs = std::filesystem;
using sdk::Error;
using sdk::ExitCode;

constexpr std::string_view run_prefix = "run-";
constexpr std::string_view zabbix_option_prefix = "zabbix-";  // a Docker plugin has its own --timeout

sdk::OptionSpec docker_option(std::string name, std::string help, std::string default_value) {
    auto spec = declared_option("docker", std::move(name), std::move(help));
    spec.default_value = std::move(default_value);
    return spec;
}

sdk::OptionSpec docker_flag(std::string name, std::string help, std::string env) {
    auto spec = docker_option(std::move(name), std::move(help), "");
    spec.type = sdk::OptionType::Flag;
    spec.env = std::move(env);
    return spec;
}

// Identifies this process across pid reuse: the pid and its start time in clock ticks since boot.
std::string process_identity(pid_t pid) {
    std::ifstream in("/proc/" + std::to_string(pid) + "/stat");
    std::string stat((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
    const auto after_name = stat.rfind(')');  // the command name may hold spaces and parentheses
    if (after_name == std::string::npos) return {};
    std::istringstream fields(stat.substr(after_name + 2));
    std::string field;
    for (int index = 3; index <= 22 && fields >> field; ++index)  // field 22 is starttime
        if (index == 22) return std::to_string(pid) + "-" + field;
    return {};
}

// run-<pid>-<starttime>-XXXXXX: stale when that process is gone.
bool left_by_dead_process(const std::string& name) {
    if (!name.starts_with(run_prefix)) return false;
    const auto pid_end = name.find('-', run_prefix.size());
    const auto start_end = pid_end == std::string::npos ? pid_end : name.find('-', pid_end + 1);
    if (start_end == std::string::npos) return false;
    const pid_t pid = static_cast<pid_t>(std::atol(name.c_str() + run_prefix.size()));
    return pid > 0 && process_identity(pid) != name.substr(run_prefix.size(), start_end - run_prefix.size());
}

[[noreturn]] void unsafe(const fs::path& path, const std::string& why) {
    throw Error(ExitCode::Failure, "cannot keep certificates in " + path.string() + ": " + why);
}

// The base must be ours alone: a real directory, owned by us, closed to everyone else.
void prepare_base(const fs::path& base) {
    if (::mkdir(base.c_str(), 0700) != 0 && errno != EEXIST) unsafe(base, std::strerror(errno));
    struct stat info {};
    if (::lstat(base.c_str(), &info) != 0) unsafe(base, std::strerror(errno));
    if (!S_ISDIR(info.st_mode)) unsafe(base, "it is not a directory");
    if (info.st_uid != ::geteuid()) unsafe(base, "it belongs to another user");
    if ((info.st_mode & 077) != 0) unsafe(base, "others can read it; chmod 700 it");
    std::error_code ignored;
    for (const auto& entry : fs::directory_iterator(base, ignored))
        if (left_by_dead_process(entry.path().filename().string())) fs::remove_all(entry.path(), ignored);
}

void write_private_file(const fs::path& path, const std::string& content) {
    const int fd = ::open(path.c_str(), O_WRONLY | O_CREAT | O_EXCL | O_NOFOLLOW | O_CLOEXEC, 0600);
    if (fd < 0) unsafe(path.parent_path(), "cannot create " + path.filename().string() + ": " + std::strerror(errno));
    std::size_t written = 0;
    while (written < content.size()) {
        const ssize_t n = ::write(fd, content.data() + written, content.size() - written);
        if (n < 0 && errno == EINTR) continue;
        if (n <= 0) {
            ::close(fd);
            unsafe(path.parent_path(), "cannot write " + path.filename().string());
        }
        written += static_cast<std::size_t>(n);
    }
    ::close(fd);
}

using Bio = std::unique_ptr<BIO, decltype(&BIO_free)>;
using Key = std::unique_ptr<EVP_PKEY, decltype(&EVP_PKEY_free)>;
using Certificate = std::unique_ptr<X509, decltype(&X509_free)>;

Bio memory_bio(const std::string& text) { return {BIO_new_mem_buf(text.data(), static_cast<int>(text.size())), &BIO_free}; }

[[noreturn]] void not_pem(const std::string& field, const std::string& what) {
    ERR_clear_error();
    throw Error(ExitCode::InvalidInput,
                "inventory field '" + field + "' does not hold " + what + "; put the PEM text there, BEGIN and END lines included");
}

Certificate read_certificate(const std::string& text, const std::string& field, const std::string& what) {
    auto bio = memory_bio(text);
    Certificate certificate(PEM_read_bio_X509(bio.get(), nullptr, nullptr, nullptr), &X509_free);
    if (!certificate) not_pem(field, what);
    return certificate;
}

// Every block of a CA bundle must parse; a bundle that is partly garbage is a mistake worth seeing.
void check_ca_bundle(const std::string& text, const std::string& field) {
    auto bio = memory_bio(text);
    int certificates = 0;
    while (Certificate certificate{PEM_read_bio_X509(bio.get(), nullptr, nullptr, nullptr), &X509_free}) ++certificates;
    const bool clean_end = ERR_GET_REASON(ERR_peek_last_error()) == PEM_R_NO_START_LINE;
    ERR_clear_error();
    if (certificates == 0 || !clean_end) not_pem(field, "PEM CA certificates");
}

void check_material(const TlsMaterial& material, const InventoryCertFields& fields) {
    auto key_bio = memory_bio(material.key);
    Key key(PEM_read_bio_PrivateKey(key_bio.get(), nullptr, nullptr, nullptr), &EVP_PKEY_free);
    if (!key) not_pem(fields.key, "a PEM private key");
    check_ca_bundle(material.ca, fields.ca);
    const auto certificate = read_certificate(material.cert, fields.cert, "a PEM client certificate");
    if (X509_check_private_key(certificate.get(), key.get()) != 1) {
        ERR_clear_error();
        throw Error(ExitCode::InvalidInput, "the client certificate in inventory field '" + fields.cert +
                                                "' does not match the key in '" + fields.key + "'");
    }
}

std::string host_get_params(std::string_view component, const InventoryCertFields& fields) {
    Poco::JSON::Object params;
    Poco::JSON::Array output;
    output.add("host");
    Poco::JSON::Array inventory;
    for (const auto* field : {"alias", fields.key.c_str(), fields.ca.c_str(), fields.cert.c_str()}) inventory.add(std::string(field));
    Poco::JSON::Object search;
    search.set("alias", std::string(component));
    params.set("output", output);
    params.set("selectInventory", inventory);
    params.set("searchInventory", search);  // a substring match: the exact one is picked below
    std::ostringstream text;
    Poco::JSON::Stringifier::stringify(params, text);
    return text.str();
}

}  // namespace

std::vector<sdk::OptionSpec> inventory_cert_options() {
    const InventoryCertFields defaults;
    std::vector<sdk::OptionSpec> options{
        docker_flag("certs-from-zabbix",
                    "read the Docker TLS key, CA and certificate from the inventory of the Zabbix host whose inventory "
                    "alias is the component",
                    "CONCIERGE_CERTS_FROM_ZABBIX"),
        docker_flag("allow-insecure-cert-fetch",
                    "let --certs-from-zabbix fetch private keys over plain http or without verifying Zabbix's "
                    "certificate (anyone on the path can read or swap them)",
                    "CONCIERGE_ALLOW_INSECURE_CERT_FETCH"),
        docker_option("inventory-key-field", "inventory field holding the client key", defaults.key),
        docker_option("inventory-ca-field", "inventory field holding the CA certificate(s)", defaults.ca),
        docker_option("inventory-cert-field", "inventory field holding the client certificate", defaults.cert),
    };
    for (auto connection : connection_options(zabbix_option_prefix)) {
        connection.required = false;
        options.push_back(std::move(connection));
    }
    return options;
}

CertDirectory::CertDirectory(CertDirectory&& other) noexcept : path_(std::exchange(other.path_, {})) {}

CertDirectory::~CertDirectory() {
    if (path_.empty()) return;
    std::error_code ignored;
    fs::remove_all(path_, ignored);
}

fs::path CertDirectory::default_base() {
    std::error_code ignored;
    if (const char* runtime = std::getenv("XDG_RUNTIME_DIR"); runtime && *runtime && fs::is_directory(runtime, ignored))
        return fs::path(runtime) / "concierge-certs";
    return fs::temp_directory_path() / ("concierge-certs-" + std::to_string(::geteuid()));
}

CertDirectory CertDirectory::write(const TlsMaterial& material, const InventoryCertFields& fields, const fs::path& base) {
    check_material(material, fields);
    prepare_base(base);
    std::string pattern = (base / (std::string(run_prefix) + process_identity(::getpid()) + "-XXXXXX")).string();
    if (!::mkdtemp(pattern.data())) unsafe(base, std::strerror(errno));  // mkdtemp makes it 0700
    CertDirectory directory{fs::path(pattern)};
    write_private_file(directory.path() / "key.pem", material.key);
    write_private_file(directory.path() / "ca.pem", material.ca);
    write_private_file(directory.path() / "cert.pem", material.cert);
    return directory;
}

TlsMaterial fetch_inventory_certs(Client& client, std::string_view component, const InventoryCertFields& fields) {
    const std::string hosts_json = client.call("host.get", host_get_params(component, fields));
    const auto hosts = Poco::JSON::Parser().parse(hosts_json).extract<Poco::JSON::Array::Ptr>();
    std::vector<std::string> names;
    Poco::JSON::Object::Ptr found;
    for (std::size_t i = 0; i < hosts->size(); ++i) {
        const auto host = hosts->getObject(static_cast<unsigned>(i));
        // A host with inventory disabled answers [] here instead of an object.
        const auto inventory = host->getObject("inventory");
        if (!inventory || inventory->optValue<std::string>("alias", "") != component) continue;
        names.push_back(host->getValue<std::string>("host"));
        found = inventory;
    }
    std::string quoted = "'";  // appended, not concatenated: g++ 12's -Wrestrict misfires on "'" + s + "'"
    quoted.append(component).append("'");
    if (names.empty())
        throw Error(ExitCode::NotFound, "no Zabbix host has inventory alias " + quoted +
                                            "; set it on the host that holds the component's TLS material");
    if (names.size() > 1) {
        std::string list;
        for (const auto& name : names) list += (list.empty() ? "" : ", ") + name;
        throw Error(ExitCode::Conflict, "several Zabbix hosts have inventory alias " + quoted + " (" + list +
                                            "); keep it on exactly one");
    }
    TlsMaterial material;
    for (auto [field, value] : {std::pair{&fields.key, &material.key}, {&fields.ca, &material.ca}, {&fields.cert, &material.cert}}) {
        *value = found->optValue<std::string>(*field, "");
        if (value->find_first_not_of(" \t\r\n") == std::string::npos)
            throw Error(ExitCode::InvalidInput, "inventory field '" + *field + "' of Zabbix host '" + names.front() + "' is empty");
    }
    return material;
}

std::optional<CertDirectory> certs_from_inventory(sdk::Context& ctx, std::string_view component) {
    if (!ctx.flag("certs-from-zabbix")) return std::nullopt;
    if (component.empty())
        throw Error(ExitCode::Usage, "--certs-from-zabbix needs a component: its name is the inventory alias to look up");
    const InventoryCertFields fields{ctx.get("inventory-key-field", "notes"), ctx.get("inventory-ca-field", "poc_1_notes"),
                                     ctx.get("inventory-cert-field", "poc_2_notes")};
    const auto settings = settings_from(ctx, zabbix_option_prefix);
    // Private keys fetched over a channel anyone on the path can read or swap are not private.
    if (!ctx.flag("allow-insecure-cert-fetch")) {
        const Poco::URI uri(settings.url);
        if (uri.getScheme() == "http" && !is_loopback(uri.getHost()))
            throw Error(ExitCode::TlsFailed, "--certs-from-zabbix refuses to fetch TLS keys over plain http from " +
                                                 uri.getHost() + ": use an https ZBX_API_HOST, or --allow-insecure-cert-fetch");
        if (uri.getScheme() == "https" && !settings.tls_verify)
            throw Error(ExitCode::TlsFailed, "--certs-from-zabbix refuses to fetch TLS keys from " + uri.getHost() +
                                                 " without verifying its certificate: turn verification on (ZBX_CA_FILE "
                                                 "for a private CA), or --allow-insecure-cert-fetch");
    }
    Client client(settings);
    client.login();
    const TlsMaterial material = fetch_inventory_certs(client, component, fields);
    ctx.add_secret(material.key);
    auto directory = CertDirectory::write(material, fields, CertDirectory::default_base());
    ctx.remove_on_forced_exit(directory.path().string());  // a second Ctrl-C skips the destructor
    return directory;
}

}  // namespace concierge::zabbix
