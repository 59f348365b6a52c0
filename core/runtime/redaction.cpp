#include "runtime/redaction.hpp"

#include <algorithm>
#include <array>
#include <cctype>

namespace concierge::runtime {

bool is_secret_name(std::string_view name) {
    std::string lower(name);
    std::transform(lower.begin(), lower.end(), lower.begin(), [](unsigned char c) { return std::tolower(c); });
    static constexpr std::array<std::string_view, 6> markers{"pass", "token", "secret", "key", "credential", "auth"};
    return std::any_of(markers.begin(), markers.end(),
                       [&](std::string_view marker) { return lower.find(marker) != std::string::npos; });
}

Redactor Redactor::from_environment(char** environ_block) {
    Redactor redactor;
    for (char** entry = environ_block; entry && *entry; ++entry) {
        std::string_view pair(*entry);
        const auto equals = pair.find('=');
        if (equals != std::string_view::npos && is_secret_name(pair.substr(0, equals)) &&
            pair.size() - equals - 1 >= kMinEnvironmentSecret)
            redactor.add_secret(pair.substr(equals + 1));
    }
    return redactor;
}

void Redactor::add_secret(std::string_view value) {
    if (value.size() < 3) return;
    const auto remember = [this](std::string_view secret) {
        if (std::find(secrets_.begin(), secrets_.end(), secret) == secrets_.end()) secrets_.emplace_back(secret);
    };
    remember(value);
    // A PEM key is rarely printed whole: a log or an error quotes a line of it.
    if (value.find('\n') != std::string_view::npos) {
        for (std::size_t start = 0; start < value.size();) {
            const auto end = std::min(value.find('\n', start), value.size());
            std::string_view line = value.substr(start, end - start);
            if (line.ends_with('\r')) line.remove_suffix(1);
            if (line.size() >= kMinSubstringSecret) remember(line);
            start = end + 1;
        }
    }
    // Longest first, so a secret that contains another is masked whole.
    std::sort(secrets_.begin(), secrets_.end(), [](const auto& a, const auto& b) { return a.size() > b.size(); });
}

namespace {

// Characters that continue a word, a host name or a path: a short secret next to one of them is
// part of something else ("zabbix" in /srv/zabbix-backup or zabbix.example), not the secret.
bool continues_word(char c) {
    return std::isalnum(static_cast<unsigned char>(c)) || c == '-' || c == '_' || c == '.' || c == '/';
}

}  // namespace

std::string Redactor::mask(std::string_view text) const {
    std::string result(text);
    for (const auto& secret : secrets_) {
        for (auto at = result.find(secret); at != std::string::npos;) {
            const auto end = at + secret.size();
            const bool alone = (at == 0 || !continues_word(result[at - 1])) && (end == result.size() || !continues_word(result[end]));
            if (secret.size() >= kMinSubstringSecret || alone) {
                result.replace(at, secret.size(), kMask);
                at = result.find(secret, at + kMask.size());
            } else {
                at = result.find(secret, at + 1);
            }
        }
    }
    return result;
}

sdk::Table Redactor::mask(sdk::Table table) const {
    for (auto& row : table.rows)
        for (auto& cell : row)
            if (auto* text = std::get_if<std::string>(&cell)) *text = mask(*text);
    return table;
}

namespace {

const sdk::OptionSpec* find_spec(const std::vector<sdk::OptionSpec>& specs, std::string_view token) {
    for (const auto& spec : specs) {
        if (token == "--" + spec.name) return &spec;
        if (spec.short_name && token.size() == 2 && token[0] == '-' && token[1] == spec.short_name) return &spec;
    }
    return nullptr;
}

bool spec_is_secret(const sdk::OptionSpec* spec, std::string_view option_name) {
    return (spec && (spec->secret || is_secret_name(spec->name))) || is_secret_name(option_name);
}

bool takes_value(const sdk::OptionSpec* spec) { return !spec || spec->type != sdk::OptionType::Flag; }

// A cluster of short options, "-vp" or "-pSECRET": the masked token, and whether the next
// argument is the value of a secret option.
std::pair<std::string, bool> redact_short_cluster(const std::string& token, const std::vector<sdk::OptionSpec>& specs) {
    for (std::size_t i = 1; i < token.size(); ++i) {
        const auto* spec = find_spec(specs, std::string{'-', token[i]});
        if (!spec) break;
        if (!takes_value(spec)) continue;
        if (!spec_is_secret(spec, spec->name)) break;
        if (i + 1 < token.size()) return {token.substr(0, i + 1) + std::string(kMask), false};
        return {token, true};
    }
    return {token, false};
}

}  // namespace

std::vector<std::string> Redactor::redact_arguments(const std::vector<std::string>& arguments,
                                                    const std::vector<sdk::OptionSpec>& specs) const {
    std::vector<std::string> result;
    result.reserve(arguments.size());
    bool mask_next = false;
    for (const auto& argument : arguments) {
        if (mask_next) {
            result.emplace_back(kMask);
            mask_next = false;
            continue;
        }
        if (argument.size() > 2 && argument[0] == '-' && argument[1] != '-') {
            auto [token, secret_follows] = redact_short_cluster(argument, specs);
            result.push_back(mask(token));
            mask_next = secret_follows;
            continue;
        }
        if (argument.starts_with("-") && argument != "-" && argument != "--") {
            const auto equals = argument.find('=');
            const std::string option = argument.substr(0, equals);
            const auto* spec = find_spec(specs, option);
            const bool secret = spec_is_secret(spec, option.substr(option.find_first_not_of('-')));
            if (secret && equals != std::string::npos) {
                result.push_back(option + "=" + std::string(kMask));
                continue;
            }
            mask_next = secret && equals == std::string::npos && takes_value(spec);
        }
        result.push_back(mask(argument));
    }
    return result;
}

}  // namespace concierge::runtime
