#include "cli/session.hpp"

#include "output/formatter.hpp"

#include <boost/program_options/parsers.hpp>
#include <fmt/format.h>

#include <cstdlib>
#include <sstream>

#include <sys/stat.h>

namespace concierge::cli {

namespace fs = std::filesystem;
namespace po = boost::program_options;

std::optional<std::string> env_value(const std::string& name) {
    const char* value = std::getenv(name.c_str());
    if (!value || !*value) return std::nullopt;
    return std::string(value);
}

namespace {

// $XDG_..._HOME, else ~/<fallback> (the XDG base directory rules).
fs::path xdg_dir(const char* variable, const char* fallback) {
    if (auto value = env_value(variable)) return *value;
    return fs::path(env_value("HOME").value_or("/")) / fallback;
}

// As ssh does for a private key: a config file holding a secret that others can read is named.
void warn_if_readable(const Session& session) {
    const auto secrets = session.config.secret_keys();
    struct stat info {};
    if (secrets.empty() || ::stat(session.config_path.c_str(), &info) != 0 || (info.st_mode & 077) == 0) return;
    std::string keys;
    for (const auto& key : secrets) keys += (keys.empty() ? "" : ", ") + key;
    fmt::print(session.err, "concierge: warning: {0} holds secrets ({1}) and others can read it; chmod 600 {0}\n",
               session.config_path.string(), keys);
}

}  // namespace

Session Session::open(GlobalOptions globals, std::FILE* out, std::FILE* err) {
    Session session{std::move(globals), {}, {}, out, err};
    const auto explicit_path = session.globals.config ? session.globals.config : env_value("CONCIERGE_CONFIG");
    session.config_path = explicit_path ? fs::path(*explicit_path) : xdg_dir("XDG_CONFIG_HOME", ".config") / "concierge" / "config";
    std::error_code error;
    if (explicit_path && !fs::exists(session.config_path, error))
        throw config::ConfigError(session.config_path.string() + ": no such config file");
    session.config = config::ConfigFile::load(session.config_path);
    warn_if_readable(session);
    return session;
}

sdk::OutputFormat Session::output_format() const {
    const std::string format =
        globals.output.value_or(env_value("CONCIERGE_OUTPUT").value_or(config.get("output").value_or("table")));
    if (format == "table") return sdk::OutputFormat::Table;
    if (format == "json") return sdk::OutputFormat::Json;
    throw UsageError("--output must be 'table' or 'json', not '" + format + "'");
}

fs::path Session::history_path() const {
    if (globals.history) return *globals.history;
    if (auto home = env_value("CONCIERGE_HOME")) return fs::path(*home) / "history.db";
    if (auto configured = config.get("history")) return *configured;
    return xdg_dir("XDG_STATE_HOME", ".local/state") / "concierge" / "history.db";
}

std::unique_ptr<history::HistoryStore> Session::open_history() const {
    return std::make_unique<history::HistoryStore>(
        history_path(), [this](const std::string& warning) { fmt::print(err, "concierge: warning: {}\n", warning); });
}

bool Session::history_required() const {
    const std::string text = globals.history_required.value_or(
        env_value("CONCIERGE_HISTORY_REQUIRED").value_or(config.get("history.required").value_or("true")));
    const auto required = parse_bool(text);
    if (!required) throw UsageError("history.required must be true or false, not '" + text + "'");
    return *required;
}

sdk::LogLevel Session::log_threshold() const {
    if (globals.verbose) return sdk::LogLevel::Debug;
    if (globals.quiet) return sdk::LogLevel::Error;
    return sdk::LogLevel::Info;
}

void Session::print(const sdk::Table& table) const {
    std::fputs(output::format_table(table, output_format(), out).c_str(), out);
}

std::optional<Session> parse_subcommand(const GlobalOptions& leading, po::options_description& own,
                                        const po::positional_options_description& positional, const std::vector<std::string>& args,
                                        const char* usage, po::variables_map& map, std::FILE* out, std::FILE* err) {
    GlobalOptions globals = leading;
    po::options_description all;
    all.add(own).add(global_options_description(globals));
    try {
        po::store(po::command_line_parser(args).options(all).positional(positional).run(), map);
        if (globals.help || (map.count("help") && map["help"].as<bool>())) {
            std::ostringstream text;
            text << own;
            fmt::print(out, "Usage: {}\n\n{}", usage, text.str());
            return std::nullopt;
        }
        po::notify(map);
    } catch (const po::error& e) {
        throw UsageError(e.what());
    }
    return Session::open(globals, out, err);
}

}  // namespace concierge::cli
