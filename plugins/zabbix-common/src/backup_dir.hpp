// The backup directory: files are written into "<dir>.partial-<pid>" beside the target and the
// directory is swapped into place only when complete (renameat2 RENAME_EXCHANGE, one atomic
// step), then the old one removed, so at every instant the target is either the old complete
// backup or the new one. A StagingDir that is destroyed without commit() removes what it wrote.
// Backups to one target take turns: each holds an flock on "<parent>/.<dir>.lock" from start to
// end, so the ".partial-*" and ".old-*" directories found beside the target by the lock's holder
// were left by killed runs (each a full copy, keys included) and are removed first.
#pragma once

#include "digest.hpp"

#include <cstdint>
#include <filesystem>
#include <functional>
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

using digest::sha256_hex;

/// The names a backup directory may hold: ours and the earlier tool's. An existing target
/// holding anything else is refused rather than replaced, so a mistyped --config-dir such as
/// a home directory is never renamed aside and removed.
bool is_backup_file_name(const std::string& name);
/// Those names, every one.
const std::set<std::string>& backup_file_names();

class StagingDir {
public:
    /// Called every 100 ms while another backup holds the target's lock, with a line saying so;
    /// it may throw to stop waiting (Ctrl-C).
    using Waiting = std::function<void(const std::string& message)>;

    /// Checks the target (its parent must exist and be a writable directory; an existing target
    /// must be a directory holding only backup files), takes its lock, removes what killed runs
    /// left beside it and creates the partial directory.
    /// Throws sdk::Error(InvalidInput) with one line saying what to do.
    explicit StagingDir(std::filesystem::path target, const Waiting& waiting = {});
    ~StagingDir();
    StagingDir(const StagingDir&) = delete;
    StagingDir& operator=(const StagingDir&) = delete;

    const std::filesystem::path& target() const noexcept { return target_; }
    const std::filesystem::path& partial() const noexcept { return partial_; }

    /// Writes a file into the partial directory (fsync'ed) and records it for the manifest.
    const FileRecord& write(const std::string& name, std::string_view content, std::uint64_t count);
    const std::map<std::string, FileRecord>& records() const noexcept { return records_; }

    /// Swaps the partial directory into place, then removes the old backup.
    void commit();

private:
    void lock(const Waiting& waiting);
    void sweep() const;

    std::filesystem::path target_;
    std::filesystem::path partial_;
    std::map<std::string, FileRecord> records_;
    bool committed_ = false;
    int lock_fd_ = -1;
};

/// manifest.json: {"format":2,"zabbix_version":...,"created_at":...,"files":{name:{sha256,size,count}}}.
std::string manifest_json(const std::string& zabbix_version, const std::string& created_at,
                          const std::map<std::string, FileRecord>& records);

}  // namespace concierge::zabbix_format
