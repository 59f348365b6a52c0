#include "config/config_file.hpp"

#include <algorithm>
#include <cctype>
#include <cerrno>
#include <cstdint>
#include <cstring>
#include <sstream>

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

namespace concierge::config {

namespace {

std::string trim(const std::string& text) {
    const auto first = text.find_first_not_of(" \t\r");
    if (first == std::string::npos) return {};
    return text.substr(first, text.find_last_not_of(" \t\r") - first + 1);
}

bool valid_name(const std::string& name) {
    if (name.empty()) return false;
    for (unsigned char c : name)
        if (!std::isalnum(c) && c != '-' && c != '_' && c != '.') return false;
    return true;
}

// A value is either "quoted" (kept verbatim, # allowed) or bare (an inline # starts a comment).
std::string parse_value(const std::string& raw) {
    const std::string value = trim(raw);
    if (value.size() >= 2 && value.front() == '"') {
        const auto close = value.find('"', 1);
        if (close != std::string::npos) return value.substr(1, close - 1);
    }
    const auto comment = value.find(" #");
    return trim(comment == std::string::npos ? value : value.substr(0, comment));
}

}  // namespace

ConfigFile ConfigFile::parse(const std::string& text, const std::string& origin) {
    ConfigFile config;
    std::istringstream lines(text);
    std::string line;
    std::string section;
    for (int number = 1; std::getline(lines, line); ++number) {
        const auto fail = [&](const std::string& what) {
            return ConfigError(origin + ":" + std::to_string(number) + ": " + what);
        };
        // A binary file (a database, an archive named by mistake) is refused where it stops being text.
        if (const auto control = std::find_if(line.begin(), line.end(),
                                              [](unsigned char c) { return (c < 0x20 && c != '\t' && c != '\r') || c == 0x7f; });
            control != line.end())
            throw fail("column " + std::to_string(control - line.begin() + 1) +
                       ": a control character; is this a text file? (a config file holds 'key = value' lines)");
        const std::string content = trim(line);
        if (content.empty() || content[0] == '#' || content[0] == ';') continue;
        if (content.front() == '[') {
            if (content.back() != ']') throw fail("section header must end with ']'");
            section = trim(content.substr(1, content.size() - 2));
            if (!valid_name(section)) throw fail("invalid section name '" + section + "'");
            continue;
        }
        const auto equals = content.find('=');
        if (equals == std::string::npos) throw fail("expected 'key = value'");
        const std::string key = trim(content.substr(0, equals));
        if (!valid_name(key)) throw fail("invalid key '" + key + "'");
        config.entries_[section.empty() ? key : section + "." + key] = parse_value(content.substr(equals + 1));
    }
    return config;
}

ConfigFile ConfigFile::load(const std::filesystem::path& path) {
    // O_NONBLOCK: a FIFO named as the config file must not hang the command before it starts.
    const int fd = ::open(path.c_str(), O_RDONLY | O_NONBLOCK | O_CLOEXEC);
    if (fd < 0 && errno == ENOENT) return {};
    const auto fail = [&path](const std::string& what) { return ConfigError(path.string() + ": " + what); };
    if (fd < 0) throw fail(std::string("cannot read the config file: ") + std::strerror(errno));
    const struct Closer {
        int fd;
        ~Closer() { ::close(fd); }
    } closer{fd};
    struct stat info {};
    if (::fstat(fd, &info) != 0 || !S_ISREG(info.st_mode))
        throw fail(std::string("the config file is ") + (S_ISDIR(info.st_mode) ? "a directory" : "not a regular file") +
                   "; name a file with --config or CONCIERGE_CONFIG");
    if (static_cast<std::uint64_t>(info.st_size) > max_bytes)
        throw fail("the config file is " + std::to_string(info.st_size) + " bytes, more than the " +
                   std::to_string(max_bytes >> 10) + " KiB a config file may be; is it the config file?");
    std::string text;
    char buffer[65536];
    for (;;) {
        const ssize_t n = ::read(fd, buffer, sizeof buffer);
        if (n < 0 && errno == EINTR) continue;
        if (n < 0) throw fail(std::string("cannot read the config file: ") + std::strerror(errno));
        if (n == 0) break;
        text.append(buffer, static_cast<std::size_t>(n));
        if (text.size() > max_bytes) throw fail("the config file grew past " + std::to_string(max_bytes >> 10) + " KiB while read");
    }
    return parse(text, path.string());
}

std::vector<std::string> ConfigFile::secret_keys() const {
    std::vector<std::string> keys;
    for (const auto& [key, value] : entries_) {
        const auto dot = key.rfind('.');
        const std::string name = dot == std::string::npos ? key : key.substr(dot + 1);
        for (const char* secret : {"password", "pass", "token", "secret"})
            if (name.ends_with(secret)) {
                keys.push_back(key);
                break;
            }
    }
    return keys;
}

std::optional<std::string> ConfigFile::get(const std::string& key) const {
    const auto found = entries_.find(key);
    if (found == entries_.end()) return std::nullopt;
    return found->second;
}

}  // namespace concierge::config
