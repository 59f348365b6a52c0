// The config file parser over any text: a malformed line is a ConfigError naming the origin,
// never a crash; what parses can be read back by every key it holds.
#include "fuzz_support.hpp"

#include "config/config_file.hpp"

#include <algorithm>

using concierge::config::ConfigError;
using concierge::config::ConfigFile;

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
    const std::string text(concierge::fuzz::text_of(data, size));
    const std::string origin = "fuzz.conf";
    try {
        const ConfigFile config = ConfigFile::parse(text, origin);
        for (const auto& [key, value] : config.entries()) FUZZ_CHECK(config.get(key) == value);
        for (const auto& key : config.secret_keys()) FUZZ_CHECK(config.entries().count(key) == 1);
    } catch (const ConfigError& e) {
        FUZZ_CHECK(std::string_view(e.what()).find(origin) != std::string_view::npos);
    }
    return 0;
}
