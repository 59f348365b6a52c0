// Keeps secrets out of everything concierge prints or records: arguments in history, log lines,
// error messages and summaries.
#pragma once

#include <concierge/sdk/options.hpp>
#include <concierge/sdk/output.hpp>

#include <string>
#include <string_view>
#include <vector>

namespace concierge::runtime {

inline constexpr std::string_view kMask = "***";
/// Secrets at least this long are masked wherever they appear; shorter ones (a default password
/// such as "zabbix") only where they stand alone, so paths and host names that merely contain
/// them stay readable.
inline constexpr std::size_t kMinSubstringSecret = 8;
/// A secret-named environment variable counts only from this length: ZBX_TOKEN=1 or DEBUG_KEYS=on
/// would otherwise mask every "1" or "on".
inline constexpr std::size_t kMinEnvironmentSecret = kMinSubstringSecret;

/// Names like password, passwd, pass, token, secret, key, credential (any case, any separator).
bool is_secret_name(std::string_view name);

class Redactor {
public:
    /// Collects the values of environment variables whose names look secret, so that a value
    /// copied from ZBX_PASS onto the command line is masked too.
    static Redactor from_environment(char** environ_block);

    /// Remembers a value to mask; values shorter than 3 characters are ignored (too common). A
    /// value of several lines (a PEM private key) is also masked line by line, so that any line of
    /// it printed on its own is masked; lines shorter than kMinSubstringSecret are left out of that.
    void add_secret(std::string_view value);
    /// Whether any secret is known.
    bool holds_secrets() const noexcept { return !secrets_.empty(); }
    /// Replaces every occurrence of every known secret with kMask (short ones: see kMinSubstringSecret).
    std::string mask(std::string_view text) const;
    /// The table with every text cell masked. Mask before rendering: a cell cut to a column's
    /// width, or a secret escaped in JSON ("\/", "\u00e9"), no longer matches once rendered.
    sdk::Table mask(sdk::Table table) const;

    /// The arguments as they may be stored: values of secret options (declared secret or named
    /// like one) and known secret values replaced by kMask. `specs` may be empty when the plugin
    /// is not known yet; the name heuristic still applies.
    std::vector<std::string> redact_arguments(const std::vector<std::string>& arguments,
                                              const std::vector<sdk::OptionSpec>& specs) const;

private:
    std::vector<std::string> secrets_;
};

}  // namespace concierge::runtime
