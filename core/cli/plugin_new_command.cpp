#include "cli/commands.hpp"

#include <embedded/text.hpp>

#include <concierge/sdk/exit_code.hpp>
#include <concierge/sdk/status.hpp>

#include <boost/program_options.hpp>
#include <fmt/format.h>

#include <cctype>
#include <fstream>
#include <map>
#include <regex>

namespace po = boost::program_options;
namespace fs = std::filesystem;

namespace concierge::cli {

namespace {

// NAME becomes the command, the library's file name concierge-NAME.so and a CMake target.
void check_plugin_name(const std::string& name) {
    static const std::regex valid("[a-z0-9][a-z0-9-]{0,62}");
    if (!std::regex_match(name, valid))
        throw UsageError(fmt::format("'{}' is not a plugin name: use 1 to 63 lower-case letters, digits and '-', "
                                     "starting with a letter or a digit",
                                     name));
    if (is_builtin_command(name)) throw UsageError(fmt::format("'{}' is a built-in command: choose another plugin name", name));
}

// "disk-report" -> "DiskReport" (for the class), or "DISK_REPORT" (for environment variables);
// both get a leading letter when the name starts with a digit.
std::string identifier(const std::string& name, bool upper) {
    std::string out = std::isdigit(static_cast<unsigned char>(name.front())) ? (upper ? "P_" : "Plugin") : "";
    bool word_start = true;
    for (const char c : name) {
        if (c == '-') {
            if (upper) out += '_';
            word_start = true;
            continue;
        }
        out += upper || word_start ? static_cast<char>(std::toupper(static_cast<unsigned char>(c))) : c;
        word_start = false;
    }
    return out;
}

std::string fill(std::string_view text, const std::map<std::string, std::string>& values) {
    std::string out(text);
    for (const auto& [key, value] : values) {
        const std::string placeholder = "@" + key + "@";
        for (auto at = out.find(placeholder); at != std::string::npos; at = out.find(placeholder, at + value.size()))
            out.replace(at, placeholder.size(), value);
    }
    return out;
}

void write_file(const fs::path& path, const std::string& content) {
    fs::create_directories(path.parent_path());
    std::ofstream file(path, std::ios::binary | std::ios::trunc);
    file << content;
    file.close();
    if (!file) throw sdk::Error(sdk::ExitCode::Failure, fmt::format("cannot write {}: check the directory's permissions and free space", path.string()));
}

int new_plugin(const GlobalOptions& leading, const std::vector<std::string>& args, const fs::path& executable, std::FILE* out,
               std::FILE* err) {
    po::options_description own = plugin_new_options();
    po::positional_options_description positional;
    positional.add("name", 1);
    po::variables_map map;
    const auto session = parse_subcommand(leading, own, positional, args, "concierge plugin new NAME [--dir DIR]", map, out, err);
    if (!session) return 0;
    const std::string name = map["name"].as<std::string>();
    check_plugin_name(name);
    const fs::path dir = fs::absolute(map.count("dir") ? fs::path(map["dir"].as<std::string>()) : fs::path(name)).lexically_normal();
    std::error_code error;
    if (fs::exists(dir, error) && !(fs::is_directory(dir, error) && fs::is_empty(dir, error)))
        throw sdk::Error(sdk::ExitCode::Conflict, fmt::format("{} exists and is not an empty directory: choose another --dir", dir.string()));

    const std::string version = CONCIERGE_VERSION;
    const fs::path prefix = executable.parent_path().parent_path();
    const std::map<std::string, std::string> values{{"NAME", name},
                                                    {"CLASS", identifier(name, false)},
                                                    {"ENV", identifier(name, true)},
                                                    {"SDK_VERSION", version.substr(0, version.rfind('.'))},
                                                    {"PREFIX", prefix.string()}};
    const std::vector<std::pair<fs::path, std::string_view>> files{{"CMakeLists.txt", embedded::plugin_cmakelists},
                                                                   {fs::path("src") / (name + ".cpp"), embedded::plugin_source},
                                                                   {"README.md", embedded::plugin_readme}};
    sdk::Table table{{{"file", "CREATED"}}, {}};
    for (const auto& [file, text] : files) {
        write_file(dir / file, fill(text, values));
        table.rows.push_back({(dir / file).string()});
    }
    session->print(table);
    if (session->output_format() == sdk::OutputFormat::Table) {
        fmt::print(session->out,
                   "\nBuild it and run it:\n"
                   "  cmake -S {0} -B {0}/build -DCMAKE_PREFIX_PATH={1}\n"
                   "  cmake --build {0}/build\n"
                   "  CONCIERGE_PLUGIN_PATH={0}/build concierge {2}\n",
                   fs::absolute(dir).lexically_normal().string(), prefix.string(), name);
    }
    return 0;
}

}  // namespace

po::options_description plugin_new_options() {
    po::options_description own("Options");
    own.add_options()("name", po::value<std::string>()->value_name("NAME")->required(), "the plugin's name: lower-case letters, digits and '-'")(
        "dir", po::value<std::string>()->value_name("DIR"), "the project directory to create (default: ./NAME); it must not exist or be empty");
    return own;
}

int plugin_command(const GlobalOptions& leading, const std::vector<std::string>& args, const fs::path& executable, std::FILE* out,
                   std::FILE* err) {
    if (!args.empty() && args.front() == "new") return new_plugin(leading, {args.begin() + 1, args.end()}, executable, out, err);
    if (args.empty() || args.front() == "--help" || args.front() == "-h" || leading.help) {
        fmt::print(out, "Usage: concierge plugin new NAME [--dir DIR]\n\n"
                        "Writes a plugin project (CMakeLists.txt, src/NAME.cpp, README.md) that builds against the\n"
                        "installed SDK as generated. 'concierge plugin new --help' lists its options.\n");
        return args.empty() && !leading.help ? sdk::to_int(sdk::ExitCode::Usage) : 0;
    }
    throw UsageError(fmt::format("unknown 'plugin' subcommand '{}': the only one is 'new'", args.front()));
}

}  // namespace concierge::cli
