#include "backup_dir.hpp"

#include "export_plan.hpp"
#include "object_kinds.hpp"

#include <concierge/sdk/status.hpp>


#include <cerrno>
#include <cstring>
#include <set>
#include <system_error>

#include <fcntl.h>
#include <stdio.h>
#include <sys/file.h>
#include <sys/stat.h>
#include <unistd.h>

namespace concierge::zabbix_format {
namespace fs = std::filesystem;
namespace {

[[noreturn]] void invalid(const std::string& message) { throw sdk::Error(sdk::ExitCode::InvalidInput, message); }

[[noreturn]] void io_failure(const std::string& what, const fs::path& path, int error) {
    throw sdk::Error(sdk::ExitCode::Failure, "cannot " + what + " " + path.string() + ": " + std::strerror(error));
}

void fsync_path(const fs::path& path) {
    const int fd = ::open(path.c_str(), O_RDONLY | O_CLOEXEC);
    if (fd < 0) return;  // durability is best effort for directories
    ::fsync(fd);
    ::close(fd);
}

std::string quote(const std::string& text) {
    std::string out = "\"";
    for (char c : text) {
        if (c == '"' || c == '\\') out += '\\';
        out += c;
    }
    return out + "\"";
}

}  // namespace

const std::set<std::string>& backup_file_names() {
    static const std::set<std::string> names = [] {
        std::set<std::string> all{files::templates, files::hostgroups, files::hosts, files::mediatypes, files::id_map,
                                  files::actions_data, files::manifest, files::images, files::maps};
        for (const auto& kind : every_object_kind()) all.insert(kind.file);
        return all;
    }();
    return names;
}

bool is_backup_file_name(const std::string& name) { return backup_file_names().count(name) > 0; }

StagingDir::StagingDir(fs::path target, const Waiting& waiting) {
    std::error_code error;
    target_ = fs::absolute(std::move(target), error).lexically_normal();
    if (error) invalid("cannot resolve the config directory: " + error.message());
    if (!target_.has_filename()) target_ = target_.parent_path();  // "dir/" -> "dir"
    if (target_.filename().empty() || target_ == target_.root_path())
        invalid("the config directory " + target_.string() + " cannot be a backup directory; choose a folder of its own");
    const fs::path parent = target_.parent_path();
    if (!fs::is_directory(parent, error))
        invalid("the config directory's parent " + parent.string() +
                " does not exist or is not a directory; create it or choose another --config-dir (ZBX_CONFIG_DIR)");
    if (fs::exists(fs::symlink_status(target_, error))) {
        if (!fs::is_directory(fs::symlink_status(target_, error)))
            invalid("the config directory " + target_.string() + " exists and is not a directory; choose another --config-dir");
        for (const auto& entry : fs::directory_iterator(target_, error)) {
            const std::string name = entry.path().filename().string();
            if (!entry.is_regular_file() || !is_backup_file_name(name))
                invalid("the config directory " + target_.string() + " holds " + name +
                        ", which is not a backup file; a backup replaces the whole directory, so choose an empty "
                        "or backup-only directory");
        }
        if (error) invalid("cannot read the config directory " + target_.string() + ": " + error.message());
    }
    lock(waiting);
    sweep();
    partial_ = target_;
    partial_ += ".partial-" + std::to_string(::getpid());
    if (::mkdir(partial_.c_str(), 0700) != 0) {
        const int code = errno;
        invalid("cannot write in " + parent.string() + " (" + std::strerror(code) +
                "); choose a writable --config-dir (ZBX_CONFIG_DIR)");
    }
}

void StagingDir::lock(const Waiting& waiting) {
    std::string lock_name = ".";
    lock_name += target_.filename().string();
    lock_name += ".lock";
    const fs::path path = target_.parent_path() / lock_name;
    lock_fd_ = ::open(path.c_str(), O_RDWR | O_CREAT | O_NOFOLLOW | O_CLOEXEC, 0600);
    if (lock_fd_ < 0) {
        const int code = errno;
        invalid("cannot create the lock " + path.string() + " (" + std::strerror(code) +
                "); choose a writable --config-dir (ZBX_CONFIG_DIR)");
    }
    while (::flock(lock_fd_, LOCK_EX | LOCK_NB) != 0) {
        if (errno != EWOULDBLOCK && errno != EINTR) io_failure("lock", path, errno);
        if (waiting) waiting("waiting for another backup to " + target_.string() + " to finish");
        ::usleep(100 * 1000);
    }
}

void StagingDir::sweep() const {
    // Holding the lock, every partial or old copy of this target belongs to a run that is gone.
    const std::string name = target_.filename().string();
    std::error_code ignored;
    for (const auto& entry : fs::directory_iterator(target_.parent_path(), ignored)) {
        const std::string other = entry.path().filename().string();
        for (const std::string suffix : {".partial-", ".old-"}) {
            const std::string prefix = name + suffix;
            if (other.size() > prefix.size() && other.starts_with(prefix) &&
                other.find_first_not_of("0123456789", prefix.size()) == std::string::npos)
                fs::remove_all(entry.path(), ignored);
        }
    }
}

StagingDir::~StagingDir() {
    std::error_code ignored;
    if (!committed_) fs::remove_all(partial_, ignored);
    if (lock_fd_ >= 0) ::close(lock_fd_);
}

const FileRecord& StagingDir::write(const std::string& name, std::string_view content, std::uint64_t count) {
    const fs::path path = partial_ / name;
    const int fd = ::open(path.c_str(), O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0600);
    if (fd < 0) io_failure("create", path, errno);
    const char* data = content.data();
    std::size_t left = content.size();
    while (left > 0) {
        const ssize_t n = ::write(fd, data, left);
        if (n < 0 && errno == EINTR) continue;
        if (n < 0) {
            const int code = errno;
            ::close(fd);
            io_failure("write", path, code);
        }
        data += n;
        left -= static_cast<std::size_t>(n);
    }
    if (::fsync(fd) != 0 || ::close(fd) != 0) io_failure("write", path, errno);
    auto& record = records_[name];
    record = {sha256_hex(content), content.size(), count};
    return record;
}

void StagingDir::commit() {
    fsync_path(partial_);
    std::error_code ignored;
    if (!fs::exists(fs::symlink_status(target_))) {
        if (::rename(partial_.c_str(), target_.c_str()) != 0) io_failure("move the new backup into place:", target_, errno);
    } else if (::renameat2(AT_FDCWD, partial_.c_str(), AT_FDCWD, target_.c_str(), RENAME_EXCHANGE) != 0) {
        io_failure("swap the new backup into place:", target_, errno);
    }
    committed_ = true;
    fsync_path(target_.parent_path());
    fs::remove_all(partial_, ignored);  // the old backup, after the exchange
}

std::string manifest_json(const std::string& zabbix_version, const std::string& created_at,
                          const std::map<std::string, FileRecord>& records) {
    std::string out = R"({"format":2,"zabbix_version":)" + quote(zabbix_version) + R"(,"created_at":)" +
                      quote(created_at) + R"(,"files":{)";
    bool first = true;
    for (const auto& [name, record] : records) {
        if (!first) out += ',';
        first = false;
        out += quote(name) + R"(:{"sha256":")" + record.sha256 + R"(","size":)" + std::to_string(record.size) +
               R"(,"count":)" + std::to_string(record.count) + "}";
    }
    return out + "}}";
}

}  // namespace concierge::zabbix_format
