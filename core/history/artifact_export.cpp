#include "history/artifact_export.hpp"

#include "history/history_store.hpp"

#include <concierge/sdk/status.hpp>

#include <fmt/format.h>

#include <cerrno>
#include <cstring>

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

namespace concierge::history {

namespace fs = std::filesystem;

namespace {

[[noreturn]] void refuse(const std::string& message) { throw sdk::Error(sdk::ExitCode::InvalidInput, message); }
[[noreturn]] void failed(const std::string& what, const fs::path& path, int error) {
    throw sdk::Error(sdk::ExitCode::Failure, fmt::format("cannot {} {}: {}", what, path.string(), std::strerror(error)));
}

void write_all(int fd, const std::string& content, const fs::path& path) {
    std::size_t done = 0;
    while (done < content.size()) {
        const ssize_t n = ::write(fd, content.data() + done, content.size() - done);
        if (n < 0 && errno == EINTR) continue;
        if (n < 0) failed("write", path, errno);
        done += static_cast<std::size_t>(n);
    }
    if (::fsync(fd) != 0) failed("write", path, errno);
}

std::string read_back(int fd, const fs::path& path) {
    std::string content;
    char buffer[65536];
    off_t offset = 0;
    for (;;) {
        const ssize_t n = ::pread(fd, buffer, sizeof buffer, offset);
        if (n < 0 && errno == EINTR) continue;
        if (n < 0) failed("read back", path, errno);
        if (n == 0) return content;
        content.append(buffer, static_cast<std::size_t>(n));
        offset += n;
    }
}

}  // namespace

std::string artifact_file_name(const std::string& artifact_name) {
    std::string out;
    for (std::size_t i = 0; i < artifact_name.size(); ++i) {
        const char c = artifact_name[i];
        if (c == '%') out += "%25";
        else if (c == '/') out += "%2F";
        else if (c == '.' && i == 0) out += "%2E";
        else out += c;
    }
    return out;
}

ExportDirectory::ExportDirectory(const fs::path& path, bool force) : path_(path), force_(force) {
    std::error_code error;
    if (path.has_parent_path() && !path.parent_path().empty()) fs::create_directories(path.parent_path(), error);
    if (::mkdir(path.c_str(), 0700) != 0 && errno != EEXIST) failed("create", path, errno);
    // The directory itself is not followed either: a link planted at D could point anywhere.
    fd_ = ::open(path.c_str(), O_RDONLY | O_DIRECTORY | O_CLOEXEC | (force ? 0 : O_NOFOLLOW));
    if (fd_ < 0 && (errno == ELOOP || errno == ENOTDIR))
        refuse(fmt::format("{} is not a directory of its own (a symbolic link or a file); give another --dir, or --force",
                           path.string()));
    if (fd_ < 0) failed("open", path, errno);
    struct stat info {};
    if (::fstat(fd_, &info) != 0) failed("open", path, errno);
    if (force) return;
    if (info.st_uid != ::geteuid())
        refuse(fmt::format("{} belongs to another user, who could read or replace what is exported; give a directory "
                           "of your own, or --force",
                           path.string()));
    if ((info.st_mode & (S_IWGRP | S_IWOTH)) != 0)
        refuse(fmt::format("{} is writable by others, who could read or replace what is exported; chmod go-w it, give "
                           "another --dir, or --force",
                           path.string()));
}

ExportDirectory::~ExportDirectory() {
    if (fd_ >= 0) ::close(fd_);
}

fs::path ExportDirectory::write(const std::string& file_name, const std::string& content, const std::string& sha256) {
    const fs::path target = path_ / file_name;
    struct stat existing {};
    if (::fstatat(fd_, file_name.c_str(), &existing, AT_SYMLINK_NOFOLLOW) == 0 && !force_)
        refuse(fmt::format("{} exists; it is not overwritten unless you give --force", target.string()));
    const std::string partial = "." + file_name + ".partial";
    if (force_) ::unlinkat(fd_, partial.c_str(), 0);
    const int fd = ::openat(fd_, partial.c_str(), O_RDWR | O_CREAT | O_EXCL | O_NOFOLLOW | O_CLOEXEC, 0600);
    if (fd < 0 && errno == EEXIST)
        refuse(fmt::format("{} exists (a planted file or link, or a crashed export); remove it, or give --force",
                           (path_ / partial).string()));
    if (fd < 0) failed("create", path_ / partial, errno);
    try {
        write_all(fd, content, path_ / partial);
        // Read back what reached the disk: an export is only as good as the file left behind.
        if (sha256_hex(read_back(fd, path_ / partial)) != sha256)
            throw sdk::Error(sdk::ExitCode::Failure, fmt::format("{} does not match its sha256 after writing", target.string()));
    } catch (...) {
        ::close(fd);
        ::unlinkat(fd_, partial.c_str(), 0);
        throw;
    }
    ::close(fd);
    // renameat replaces the entry: a link at the final name is replaced, never followed.
    if (::renameat(fd_, partial.c_str(), fd_, file_name.c_str()) != 0) failed("rename into", target, errno);
    return target;
}

}  // namespace concierge::history
