// A backup to restore, read whole and checked before anything is sent to Zabbix: from a
// directory (ours or the earlier Python tool's) or from a zabbix-backup run kept in history.
// Every file must be present and valid JSON of the right shape; when manifest.json is there,
// every file it lists must match its sha256 and size. Any failure is sdk::Error(InvalidInput)
// naming the file and saying what to do.
#pragma once

#include <concierge/sdk/context.hpp>

#include <cstdint>
#include <filesystem>
#include <functional>
#include <map>
#include <optional>
#include <string>

namespace concierge::zabbix_import {

class BackupSet {
public:
    /// Gives a file's content, or nothing when the backup has no such file.
    using Reader = std::function<std::optional<std::string>(const std::string& name)>;

    /// Reads and checks every file through `read`. `origin` names the backup in messages
    /// ("directory /var/backups/zabbix", "run 12").
    BackupSet(const Reader& read, std::string origin);

    /// A directory; a missing or unreadable directory is InvalidInput.
    static BackupSet from_directory(const std::filesystem::path& dir);
    /// The artifacts of a run in history. A run that does not exist is NotFound; a run without
    /// manifest.json (not a complete backup) is InvalidInput.
    static BackupSet from_run(const sdk::Context& ctx, std::int64_t run_id);

    const std::string& origin() const noexcept { return origin_; }
    /// The file's text; every file below is guaranteed present after construction.
    const std::string& file(const std::string& name) const;
    /// Whether manifest.json was there and every file matched it.
    bool verified() const noexcept { return verified_; }
    /// The Zabbix version the backup came from ("6.0.14" from the manifest, else the export's "6.0").
    const std::string& source_version() const noexcept { return source_version_; }

    /// Releases a large file once its step is done.
    void release(const std::string& name);

private:
    std::string origin_;
    std::map<std::string, std::string> files_;
    bool verified_ = false;
    std::string source_version_;
};

}  // namespace concierge::zabbix_import
