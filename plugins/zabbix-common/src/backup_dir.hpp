// The backup directory: files are written into "<dir>.partial-<pid>" beside the target and the
// directory is renamed into place only when complete. An old backup is renamed aside first and
// removed after, so at every instant the target is either the old complete backup or the new
// one. A StagingDir that is destroyed without commit() removes what it wrote.
#pragma once

#include <cstdint>
#include <filesystem>
#include <map>
#include <set>
#include <string>
#include <string_view>

namespace concierge::zabbix_format {

/// What the manifest says about one file.
struct FileRecord {
    std::string sha256;  ///< lower-case hex
    std::uint64_t size = 0;
    std::uint64_t count = 0;  ///< objects the file holds
};

std::string sha256_hex(std::string_view content);

/// The names a backup directory may hold: ours and the earlier tool's. An existing target
/// holding anything else is refused rather than replaced, so a mistyped --config-dir such as
/// a home directory is never renamed aside and removed.
bool is_backup_file_name(const std::string& name);
/// Those names, every one.
const std::set<std::string>& backup_file_names();

class StagingDir {
public:
    /// Checks the target (its parent must exist and be a writable directory; an existing target
    /// must be a directory holding only backup files) and creates the partial directory.
    /// Throws sdk::Error(InvalidInput) with one line saying what to do.
    explicit StagingDir(std::filesystem::path target);
    ~StagingDir();
    StagingDir(const StagingDir&) = delete;
    StagingDir& operator=(const StagingDir&) = delete;

    const std::filesystem::path& target() const noexcept { return target_; }
    const std::filesystem::path& partial() const noexcept { return partial_; }

    /// Writes a file into the partial directory (fsync'ed) and records it for the manifest.
    const FileRecord& write(const std::string& name, std::string_view content, std::uint64_t count);
    const std::map<std::string, FileRecord>& records() const noexcept { return records_; }

    /// Renames the partial directory into place (the old one aside, then removed).
    void commit();

private:
    std::filesystem::path target_;
    std::filesystem::path partial_;
    std::map<std::string, FileRecord> records_;
    bool committed_ = false;
};

/// manifest.json: {"format":2,"zabbix_version":...,"created_at":...,"files":{name:{sha256,size,count}}}.
std::string manifest_json(const std::string& zabbix_version, const std::string& created_at,
                          const std::map<std::string, FileRecord>& records);

}  // namespace concierge::zabbix_format
