// An option in a shared config section ("<section>.<name>"), as the client library declares them.
#pragma once

#include <concierge/sdk/options.hpp>

#include <string>

namespace concierge::zabbix {

/// `env`: the environment variables that supply it, comma-separated, none by default.
inline sdk::OptionSpec declared_option(const std::string& section, std::string name, std::string help,
                                       std::string env = {}) {
    sdk::OptionSpec spec;
    spec.config_key = section + "." + name;
    spec.name = std::move(name);
    spec.help = std::move(help);
    spec.env = std::move(env);
    return spec;
}

}  // namespace concierge::zabbix
