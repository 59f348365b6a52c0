// A backup to restore, read whole and checked before anything is sent to Zabbix: from a
// directory (ours, format 1 or 2, or the earlier Python tool's) or from a zabbix-backup run kept
// in history. The earlier tool's seven files must be present; format 2's files per object kind are
// read when there. Every file read must be valid UTF-8 JSON of its kind's shape, nested at most 128
// levels (what POCO parses later), no larger than the limit, and an action file may hold only
// actions of its own event source. A failure in a file's content names its line and column. When manifest.json is
// there, it may name only backup files, every backup file present must be listed in it, and each
// must match its sha256. Files in a directory are opened without following symlinks. Any failure
// is sdk::Error(InvalidInput) naming the file and saying what to do.
#pragma once

#include <concierge/sdk/context.hpp>

#include <cstdint>
#include <filesystem>
#include <functional>
#include <map>
#include <optional>
#include <string>

namespace concierge::zabbix_format {

class BackupSet {
public:
    /// Gives a file's content, or nothing when the backup has no such file.
    using Reader = std::function<std::optional<std::string>(const std::string& name)>;

    /// The largest file read by default: 1 GiB (a full 7.0 template export is ~21 MB).
    static constexpr std::uint64_t default_max_file_bytes = std::uint64_t{1} << 30;

    /// Reads and checks every file through `read`. `origin` names the backup in messages
    /// ("directory /var/backups/zabbix", "run 12").
    BackupSet(const Reader& read, std::string origin, std::uint64_t max_file_bytes = default_max_file_bytes);

    /// A directory; a missing or unreadable directory is InvalidInput.
    static BackupSet from_directory(const std::filesystem::path& dir, std::uint64_t max_file_bytes = default_max_file_bytes);
    /// The artifacts of a run in history. A run that does not exist is NotFound; a run without
    /// manifest.json (not a complete backup) is InvalidInput.
    static BackupSet from_run(const sdk::Context& ctx, std::int64_t run_id);

    const std::string& origin() const noexcept { return origin_; }
    /// The file's text: the earlier tool's files are guaranteed present after construction.
    const std::string& file(const std::string& name) const;
    /// Whether the backup has this file (format 2's files per kind, images.json, maps.json).
    bool has(const std::string& name) const { return files_.count(name) > 0; }
    /// Whether mediatypes.json is a configuration.export document (the earlier tool's) rather
    /// than a mediatype.get list (ours).
    bool mediatypes_exported() const noexcept { return mediatypes_exported_; }
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
    bool mediatypes_exported_ = false;
    std::string source_version_;
};

}  // namespace concierge::zabbix_format
