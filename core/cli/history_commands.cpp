#include "cli/commands.hpp"

#include "history/artifact_export.hpp"
#include "history/history_store.hpp"
#include "process/process_info.hpp"

#include <concierge/sdk/exit_code.hpp>
#include <concierge/sdk/printable.hpp>

#include <Poco/DateTimeFormat.h>
#include <Poco/DateTimeFormatter.h>
#include <Poco/DateTimeParser.h>
#include <Poco/JSON/Array.h>
#include <Poco/JSON/Object.h>
#include <Poco/Timestamp.h>
#include <boost/program_options.hpp>
#include <fmt/chrono.h>
#include <fmt/format.h>

#include <charconv>
#include <fstream>
#include <memory>
#include <regex>
#include <sstream>

namespace po = boost::program_options;
namespace fs = std::filesystem;

namespace concierge::cli {

namespace {

using history::Millis;

std::string iso_utc(Millis millis) {
    return Poco::DateTimeFormatter::format(Poco::Timestamp(millis * 1000), "%Y-%m-%dT%H:%M:%S.%iZ");
}

std::string local_time(Millis millis) {
    return fmt::format("{:%Y-%m-%d %H:%M:%S}", fmt::localtime(static_cast<std::time_t>(millis / 1000)));
}

// STARTED of the run list, dated as `ls -l` dates files so the summary keeps room on 80 columns:
// the time for today's runs, month, day and time for this year's, the date before.
std::string started_text(Millis millis) {
    const std::tm then = fmt::localtime(static_cast<std::time_t>(millis / 1000));
    const std::tm now = fmt::localtime(std::time(nullptr));
    if (then.tm_year != now.tm_year) return fmt::format("{:%Y-%m-%d}", then);
    if (then.tm_yday != now.tm_yday) return fmt::format("{:%m-%d %H:%M}", then);
    return fmt::format("{:%H:%M:%S}", then);
}

std::string duration_text(const history::Run& run) {
    if (!run.ended_at) return "-";
    const Millis took = *run.ended_at - run.started_at;
    if (took < 60'000) return fmt::format("{:.1f}s", static_cast<double>(took) / 1000.0);
    return fmt::format("{}m{:02}s", took / 60'000, took / 1000 % 60);
}

// "7d", "2h", "30m" ago, or an ISO 8601 date or time (UTC unless it carries an offset).
Millis parse_since(const std::string& text) {
    if (!text.empty() && text.back() == 'd') {
        std::int64_t days = 0;
        const auto [end, error] = std::from_chars(text.data(), text.data() + text.size() - 1, days);
        if (error == std::errc() && end == text.data() + text.size() - 1) return runtime::now_millis() - days * 86'400'000;
    }
    if (auto ago = parse_duration_millis(text); ago && text.find_first_not_of("0123456789") != std::string::npos)
        return runtime::now_millis() - *ago;
    // Poco's parser is lenient about what follows a match: check the shape first.
    static const std::regex iso_date(R"(\d{4}-\d{2}-\d{2}(T\d{2}:\d{2}(:\d{2}(\.\d+)?)?(Z|[+-]\d{2}:?\d{2})?)?)");
    Poco::DateTime parsed;
    int zone = 0;
    for (const std::string& format : {Poco::DateTimeFormat::ISO8601_FRAC_FORMAT, Poco::DateTimeFormat::ISO8601_FORMAT,
                                      std::string("%Y-%m-%dT%H:%M"), std::string("%Y-%m-%d")}) {
        if (std::regex_match(text, iso_date) && Poco::DateTimeParser::tryParse(format, text, parsed, zone)) {
            parsed.makeUTC(zone);
            return parsed.timestamp().epochMicroseconds() / 1000;
        }
    }
    throw UsageError(fmt::format("--since: '{}' is neither an age (30m, 2h, 7d) nor a date (2026-11-25, 2026-11-25T10:00)", text));
}

Poco::JSON::Object::Ptr run_json(const history::Run& run) {
    Poco::JSON::Object::Ptr object = new Poco::JSON::Object(Poco::JSON_PRESERVE_KEY_ORDER);
    Poco::JSON::Array::Ptr arguments = new Poco::JSON::Array;
    for (const auto& argument : run.arguments) arguments->add(argument);
    object->set("id", Poco::Int64(run.id));
    object->set("plugin", run.plugin);
    object->set("plugin_version", run.plugin_version);
    object->set("status", history::to_string(run.status));
    object->set("exit_code", run.exit_code ? Poco::Dynamic::Var(*run.exit_code) : Poco::Dynamic::Var());
    object->set("started_at", iso_utc(run.started_at));
    object->set("ended_at", run.ended_at ? Poco::Dynamic::Var(iso_utc(*run.ended_at)) : Poco::Dynamic::Var());
    object->set("duration_ms", run.ended_at ? Poco::Dynamic::Var(Poco::Int64(*run.ended_at - run.started_at)) : Poco::Dynamic::Var());
    object->set("arguments", arguments);
    object->set("summary", run.summary);
    object->set("error", run.error);
    object->set("host", run.host);
    object->set("user", run.user);
    object->set("pid", Poco::Int64(run.pid));
    return object;
}

template <class T>
void print_json(std::FILE* out, const T& value) {
    std::ostringstream text;
    value.stringify(text);
    fmt::print(out, "{}\n", text.str());
}

sdk::Cell exit_cell(const history::Run& run) { return run.exit_code ? sdk::Cell(std::int64_t{*run.exit_code}) : sdk::Cell(); }

std::int64_t parse_run_id(const std::string& text) {
    std::int64_t id = 0;
    const auto [end, error] = std::from_chars(text.data(), text.data() + text.size(), id);
    if (error != std::errc() || end != text.data() + text.size() || id <= 0) throw UsageError(fmt::format("'{}' is not a run id", text));
    return id;
}

int list_runs(const GlobalOptions& leading, const std::vector<std::string>& args, std::FILE* out, std::FILE* err) {
    po::options_description own = history_list_options();
    po::variables_map map;
    const auto session = parse_subcommand(leading, own, {}, args, "concierge history [--plugin P] [--status S] [--since WHEN] [--limit N]",
                                         map, out, err);
    if (!session) return 0;
    history::RunFilter filter;
    if (map.count("plugin")) filter.plugin = map["plugin"].as<std::string>();
    if (map.count("status")) {
        filter.status = history::parse_run_status(map["status"].as<std::string>());
        if (!filter.status) throw UsageError("--status must be running, succeeded, failed, interrupted or abandoned");
    }
    if (map.count("since")) filter.since = parse_since(map["since"].as<std::string>());
    filter.limit = map["limit"].as<int>();
    if (filter.limit <= 0) throw UsageError("--limit must be positive");

    const auto store = session->open_history();
    const auto runs = store->runs(filter);
    if (session->output_format() == sdk::OutputFormat::Json) {
        Poco::JSON::Array array;
        for (const auto& run : runs) array.add(run_json(run));
        print_json(session->out, array);
        return 0;
    }
    sdk::Table table{{{"id", "ID"}, {"plugin", "PLUGIN"}, {"status", "STATUS"}, {"exit", "EXIT"}, {"started", "STARTED"},
                      {"took", "TOOK"}, {"summary", "SUMMARY"}},
                     {}};
    for (const auto& run : runs) {
        table.rows.push_back({run.id, run.plugin, history::to_string(run.status), exit_cell(run), started_text(run.started_at),
                              duration_text(run), run.error.empty() ? run.summary : run.error});
    }
    session->print(table);
    return 0;
}

history::Run require_run(const history::HistoryStore& store, std::int64_t id) {
    auto run = store.run(id);
    if (!run) throw sdk::Error(sdk::ExitCode::NotFound, fmt::format("no run {} in history (see 'concierge history')", id));
    return *run;
}

// A subcommand about one run: "ID" plus `own` options. Nothing after --help.
struct OneRun {
    Session session;
    std::unique_ptr<history::HistoryStore> store;
    history::Run run;
};

std::optional<OneRun> open_run(const GlobalOptions& leading, po::options_description& own, const std::vector<std::string>& args,
                               const char* usage, po::variables_map& map, std::FILE* out, std::FILE* err) {
    own.add_options()("id", po::value<std::string>()->required(), "the run id");
    po::positional_options_description positional;
    positional.add("id", 1);
    auto session = parse_subcommand(leading, own, positional, args, usage, map, out, err);
    if (!session) return std::nullopt;
    auto store = session->open_history();
    auto run = require_run(*store, parse_run_id(map["id"].as<std::string>()));
    return OneRun{std::move(*session), std::move(store), std::move(run)};
}

int show_run(const GlobalOptions& leading, const std::vector<std::string>& args, std::FILE* out, std::FILE* err) {
    po::options_description own("Options");
    po::variables_map map;
    auto opened = open_run(leading, own, args, "concierge history show ID", map, out, err);
    if (!opened) return 0;
    const auto& [session, store, run] = *opened;
    const auto artifacts = store->artifacts(run.id);
    if (session.output_format() == sdk::OutputFormat::Json) {
        auto object = run_json(run);
        Poco::JSON::Array::Ptr list = new Poco::JSON::Array;
        for (const auto& artifact : artifacts) {
            Poco::JSON::Object::Ptr item = new Poco::JSON::Object(Poco::JSON_PRESERVE_KEY_ORDER);
            item->set("name", artifact.name);
            item->set("media_type", artifact.media_type);
            item->set("size", Poco::Int64(artifact.size));
            item->set("sha256", artifact.sha256);
            list->add(item);
        }
        object->set("artifacts", list);
        print_json(session.out, *object);
        return 0;
    }
    std::string arguments;
    for (const auto& argument : run.arguments) arguments += (arguments.empty() ? "" : " ") + argument;
    const std::vector<std::pair<std::string, std::string>> fields{
        {"Run", std::to_string(run.id)},
        {"Plugin", fmt::format("{} {}", run.plugin, run.plugin_version)},
        {"Arguments", arguments},
        {"Status", history::to_string(run.status)},
        {"Exit code", run.exit_code ? std::to_string(*run.exit_code) : "-"},
        {"Started", local_time(run.started_at)},
        {"Ended", run.ended_at ? local_time(*run.ended_at) : "-"},
        {"Took", duration_text(run)},
        {"Host", run.host},
        {"User", fmt::format("{} (pid {})", run.user, run.pid)},
        {"Summary", run.summary},
        {"Error", run.error}};
    for (const auto& [label, value] : fields)
        // Runs recorded before remote text was stripped may hold escape sequences.
        if (!value.empty()) fmt::print(session.out, "{:<11}{}\n", label + ":", sdk::printable(value));
    sdk::Table table{{{"name", "ARTIFACT"}, {"media_type", "TYPE"}, {"size", "SIZE"}, {"sha256", "SHA256"}}, {}};
    for (const auto& artifact : artifacts)
        table.rows.push_back({artifact.name, artifact.media_type, artifact.size, artifact.sha256.substr(0, 12)});
    if (!artifacts.empty()) {
        fmt::print(session.out, "\n");
        session.print(table);
    }
    return 0;
}

int export_run(const GlobalOptions& leading, const std::vector<std::string>& args, std::FILE* out, std::FILE* err) {
    po::options_description own("Options");
    own.add_options()("dir", po::value<std::string>()->required(),
                      "directory to write the artifacts into (created 0700 if missing)")(
        "force", "use a directory others can write or someone else owns, and overwrite files in it");
    po::variables_map map;
    auto opened = open_run(leading, own, args, "concierge history export ID --dir DIR [--force]", map, out, err);
    if (!opened) return 0;
    const auto& [session, store, run] = *opened;
    history::ExportDirectory directory(map["dir"].as<std::string>(), map.count("force") > 0);
    sdk::Table table{{{"name", "ARTIFACT"}, {"size", "SIZE"}, {"sha256", "SHA256"}, {"path", "PATH"}}, {}};
    for (const auto& artifact : store->artifacts(run.id)) {
        const std::string content = store->artifact_content(run.id, artifact.name);  // verified against its sha256
        const auto path = directory.write(history::artifact_file_name(artifact.name), content, artifact.sha256);
        table.rows.push_back({artifact.name, artifact.size, artifact.sha256, path.string()});
    }
    session.print(table);
    return 0;
}

}  // namespace

po::options_description history_list_options() {
    po::options_description own("Options");
    own.add_options()("plugin", po::value<std::string>()->value_name("PLUGIN"), "only runs of this plugin")(
        "status", po::value<std::string>()->value_name("STATUS"), "running, succeeded, failed, interrupted or abandoned")(
        "since", po::value<std::string>()->value_name("WHEN"), "only runs started since an age (30m, 2h, 7d) or a date (2026-11-25)")(
        "limit", po::value<int>()->value_name("N")->default_value(20), "at most this many runs, newest first");
    return own;
}

int history_command(const GlobalOptions& leading, const std::vector<std::string>& args, std::FILE* out, std::FILE* err) {
    if (!args.empty() && args.front() == "show") return show_run(leading, {args.begin() + 1, args.end()}, out, err);
    if (!args.empty() && args.front() == "export") return export_run(leading, {args.begin() + 1, args.end()}, out, err);
    return list_runs(leading, args, out, err);
}

}  // namespace concierge::cli
