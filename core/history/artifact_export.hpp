// Writing a run's artifacts back to files (`concierge history export ID --dir D`). They can hold
// production's keys (a backup's host inventory, media types' passwords), so the directory is
// private and nothing planted in it is followed or overwritten:
//   - D is created 0700; an existing D that others can write, that someone else owns, or that
//     is a symbolic link is refused unless forced;
//   - each file is written 0600 under a temporary name opened with O_CREAT|O_EXCL|O_NOFOLLOW,
//     checked against its sha256 as read back, then renamed into place;
//   - an existing file is never replaced unless forced (and then the entry is replaced, never
//     what a symbolic link there points at).
// An artifact name becomes its file name with '%' as %25, '/' as %2F and a leading '.' as %2E,
// as in URLs: a scale run's "compose/shop/web" is exported as "compose%2Fshop%2Fweb".
#pragma once

#include <filesystem>
#include <string>

namespace concierge::history {

/// The file name an artifact is exported as.
std::string artifact_file_name(const std::string& artifact_name);

class ExportDirectory {
public:
    /// Opens or creates the directory; sdk::Error(InvalidInput) says why one is refused.
    ExportDirectory(const std::filesystem::path& path, bool force);
    ~ExportDirectory();
    ExportDirectory(const ExportDirectory&) = delete;
    ExportDirectory& operator=(const ExportDirectory&) = delete;

    /// Writes one file (see above); returns its path. sdk::Error(InvalidInput) when it exists and
    /// the export is not forced; sdk::Error(Failure) when it cannot be written or read back.
    std::filesystem::path write(const std::string& file_name, const std::string& content, const std::string& sha256);

private:
    std::filesystem::path path_;
    bool force_;
    int fd_ = -1;
};

}  // namespace concierge::history
