#include "config/config_file.hpp"

#include <cctype>
#include <fstream>
#include <sstream>

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
        const std::string content = trim(line);
        if (content.empty() || content[0] == '#' || content[0] == ';') continue;
        const auto fail = [&](const std::string& what) {
            return ConfigError(origin + ":" + std::to_string(number) + ": " + what);
        };
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
    std::error_code error;
    if (!std::filesystem::exists(path, error)) return {};
    std::ifstream in(path);
    if (!in) throw ConfigError(path.string() + ": cannot read the config file");
    std::ostringstream text;
    text << in.rdbuf();
    return parse(text.str(), path.string());
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
