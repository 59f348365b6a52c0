// How a plugin declares its command-line options. The core parses argv from these declarations,
// resolves each value from flag > environment variable > config file > default, generates
// `--help`, shell completion and the man page, and redacts secret values from history.
#pragma once

#include <string>

namespace concierge::sdk {

enum class OptionType {
    String,    ///< any text
    Integer,   ///< a signed 64-bit decimal integer
    Flag,      ///< present or absent; env/config accept 1/0, true/false, yes/no, on/off
    Duration,  ///< a number with unit ms, s, m or h ("90s", "5m"); read back in milliseconds
};

struct OptionSpec {
    std::string name{};           ///< long name without dashes: "replicas" for --replicas
    char short_name = '\0';     ///< one letter for -r, or '\0' for none
    std::string help{};           ///< one line for --help
    OptionType type = OptionType::String;
    std::string default_value{};  ///< empty: no default
    bool required = false;      ///< the run is refused when no source gives a value
    bool positional = false;    ///< taken from the bare arguments, in declaration order, and
                                ///< only from them: never from `env` or the config file
    bool secret = false;        ///< never shown, logged or recorded (names like *password*,
                                ///< *token*, *secret*, *key* are treated as secret anyway)
    bool from_command_line = true;  ///< false: only the environment or the config file may set it,
                                    ///< so a secret never shows in a process list
    std::string env{};            ///< environment variables that supply it, comma-separated, the
                                  ///< first one set wins: "ZBX_API_USER,ZBX_USER"
    std::string config_key{};     ///< config file key; empty means "<plugin>.<name>"
};

}  // namespace concierge::sdk
