// The config file: $XDG_CONFIG_HOME/concierge/config (or --config / CONCIERGE_CONFIG).
//
//     # comments start with # or ;
//     output = json                  # a top-level key: "output"
//     [zabbix]
//     api-host = https://zbx.example/   # a key in a section: "zabbix.api-host"
//     user = "Admin"                 # surrounding double quotes are removed
//
// Later lines override earlier ones. A malformed line is an error naming the file and line; so is
// a control character (a binary file). The file must be a regular file of at most 1 MiB.
#pragma once

#include <cstdint>
#include <filesystem>
#include <map>
#include <optional>
#include <stdexcept>
#include <string>
#include <vector>

namespace concierge::config {

class ConfigError : public std::runtime_error {
public:
    using std::runtime_error::runtime_error;
};

class ConfigFile {
public:
    /// The largest config file read: a real one is a few hundred bytes.
    static constexpr std::uint64_t max_bytes = std::uint64_t{1} << 20;

    ConfigFile() = default;
    static ConfigFile parse(const std::string& text, const std::string& origin);
    /// A missing file gives an empty config; an unreadable, malformed, binary or too large one, or
    /// one that is not a regular file, throws ConfigError naming the file (and line).
    static ConfigFile load(const std::filesystem::path& path);

    std::optional<std::string> get(const std::string& key) const;
    const std::map<std::string, std::string>& entries() const { return entries_; }
    /// The keys that name a secret ("zabbix.password", "zabbix.token", "x.api-secret"...): their
    /// last part is, or ends in, password, pass, token or secret.
    std::vector<std::string> secret_keys() const;

private:
    std::map<std::string, std::string> entries_;
};

}  // namespace concierge::config
