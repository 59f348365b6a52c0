// Keeps secrets out of everything concierge prints or records: arguments in history, log lines,
// error messages and summaries.
#pragma once

#include <concierge/sdk/options.hpp>

#include <string>
#include <string_view>
#include <vector>

namespace concierge::runtime {

inline constexpr std::string_view kMask = "***";
/// Secrets at least this long are masked wherever they appear; shorter ones (a default password
/// such as "zabbix") only where they stand alone, so paths and host names that merely contain
/// them stay readable.
inline constexpr std::size_t kMinSubstringSecret = 8;

/// Names like password, passwd, pass, token, secret, key, credential (any case, any separator).
bool is_secret_name(std::string_view name);

class Redactor {
public:
    /// Collects the values of environment variables whose names look secret, so that a value
    /// copied from ZBX_PASS onto the command line is masked too.
    static Redactor from_environment(char** environ_block);

    /// Remembers a value to mask; values shorter than 3 characters are ignored (too common).
    void add_secret(std::string_view value);
    /// Whether any secret is known.
    bool holds_secrets() const noexcept { return !secrets_.empty(); }
    /// Replaces every occurrence of every known secret with kMask (short ones: see kMinSubstringSecret).
    std::string mask(std::string_view text) const;

    /// The arguments as they may be stored: values of secret options (declared secret or named
    /// like one) and known secret values replaced by kMask. `specs` may be empty when the plugin
    /// is not known yet; the name heuristic still applies.
    std::vector<std::string> redact_arguments(const std::vector<std::string>& arguments,
                                              const std::vector<sdk::OptionSpec>& specs) const;

private:
    std::vector<std::string> secrets_;
};

}  // namespace concierge::runtime
