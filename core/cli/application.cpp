#include "cli/application.hpp"

#include "cli/commands.hpp"
#include "cli/option_resolver.hpp"
#include "cli/scheduler_compat.hpp"
#include "cli/session.hpp"
#include "history/history_store.hpp"
#include "plugin_loader/plugin_catalog.hpp"
#include "plugin_loader/plugin_loader.hpp"
#include "process/process_info.hpp"
#include "runtime/cancellation.hpp"
#include "runtime/exception_detail.hpp"
#include "runtime/redaction.hpp"
#include "runtime/run_context.hpp"

#include <concierge/sdk/exit_code.hpp>
#include <concierge/sdk/printable.hpp>

#include <fmt/format.h>

#include <unistd.h>

namespace concierge::cli {

namespace {

using sdk::ExitCode;

// Fails a command before its run could start, with the exit code and message to record.
struct EarlyFailure {
    ExitCode code;
    std::string message;
};

plugin_loader::CatalogSetup catalog_setup(const ProcessIo& io) { return {io.executable, plugin_loader::cache_file_from_environment()}; }

class PluginRun {
public:
    PluginRun(const std::string& name, std::vector<std::string> args, const GlobalOptions& leading, const ProcessIo& io)
        : name_(name), args_(std::move(args)), leading_(leading), io_(io),
          redactor_(runtime::Redactor::from_environment(io.environment)) {}

    int execute() {
        const auto search = plugin_loader::search_path(std::getenv("CONCIERGE_PLUGIN_PATH"), io_.executable);
        const auto path = plugin_loader::find(name_, search);
        if (!path) {
            std::string looked;
            for (const auto& directory : search) looked += (looked.empty() ? "" : ", ") + directory.string();
            return fail_early({ExitCode::PluginNotFound,
                               fmt::format("no plugin named '{}' (looked in {}); 'concierge plugins' lists what is installed", name_, looked)});
        }
        if (asks_for_help()) {
            // Help is read from the plugin's description, so asking for it runs none of its code here.
            const auto described = plugin_loader::describe(plugin_loader::PluginFile{name_, *path}, catalog_setup(io_));
            if (const auto* refusal = std::get_if<plugin_loader::Refusal>(&described)) return refused(*path, *refusal);
            const auto& plugin = std::get<plugin_loader::PluginDescription>(described);
            try {
                if (parse_command_line(plugin.options, args_, leading_).globals.help) {
                    print_plugin_help(io_.out, plugin);
                    return 0;
                }
            } catch (const UsageError&) {
                // reported below, where the run's own parse meets it again
            }
        }
        auto loaded = plugin_loader::load(*path, name_);
        if (const auto* refusal = std::get_if<plugin_loader::Refusal>(&loaded)) return refused(*path, *refusal);
        plugin_ = std::get<plugin_loader::LoadedPlugin>(std::move(loaded));

        std::map<std::string, std::string> values;
        try {
            const CommandLine line = parse_command_line(plugin_.options, args_, leading_);
            if (line.globals.help) {
                print_plugin_help(io_.out, plugin_);
                return 0;
            }
            session_ = Session::open(line.globals, io_.out, io_.err);
            settings_.format = session_->output_format();
            settings_.history_required = session_->history_required();
            values = resolve_options(plugin_.options, line, env_value, session_->config, name_);
        } catch (const UsageError& e) {
            return fail_early({ExitCode::Usage, fmt::format("{}: {} (see 'concierge {} --help')", name_, e.what(), name_)});
        } catch (const config::ConfigError& e) {
            return fail_early({ExitCode::InvalidInput, fmt::format("config: {}", e.what())});
        }
        for (const auto& spec : plugin_.options) {
            if (auto value = values.find(spec.name); value != values.end() && (spec.secret || runtime::is_secret_name(spec.name)))
                redactor_.add_secret(value->second);
        }
        settings_.options = std::move(values);
        settings_.log_threshold = session_->log_threshold();
        settings_.plugin = name_;
        return run_plugin();
    }

private:
    // A "--help" among the arguments may be an option's value: the plugin's options decide.
    bool asks_for_help() const {
        return leading_.help || std::any_of(args_.begin(), args_.end(), [](const std::string& arg) { return arg == "--help" || arg == "-h"; });
    }

    int refused(const std::filesystem::path& path, const plugin_loader::Refusal& refusal) {
        return fail_early({ExitCode::PluginRefused, fmt::format("plugin '{}' ({}) refused: {}", name_, path.string(), refusal.reason)});
    }

    int run_plugin() {
        const bool history_required = settings_.history_required;
        history::HistoryStore* store = nullptr;
        std::int64_t run_id = 0;
        try {
            store = &open_history();
            run_id = store->begin_run(new_run());
        } catch (const history::HistoryError& e) {
            if (history_required) throw;
            warn_unrecorded(e.what());
            store = nullptr;
        }
        runtime::Cancellation cancellation;
        const auto history_path = session_->history_path();
        if (store) {
            cancellation.on_force([history_path, run_id](int) {
                // The main thread may be inside a transaction on its own connection: use another.
                try {
                    history::HistoryStore(history_path).finish_run(run_id, {history::RunStatus::Interrupted, sdk::to_int(ExitCode::Interrupted),
                                                                            runtime::now_millis(), "", "stopped by a second signal"});
                } catch (...) {
                }
            });
        }
        runtime::RunContext context(std::move(settings_), session_->config, redactor_, cancellation, store, run_id, io_.out, io_.err);
        sdk::Status status = plugin_.instance->run(context);
        context.end_progress();

        // An error or a summary often quotes the remote service (an engine's message, Zabbix's
        // error data, a service name): no terminal control of it reaches the screen, or `history show`.
        history::RunOutcome outcome{history::RunStatus::Succeeded, 0, 0, sdk::printable(context.summary()),
                                    sdk::printable(redactor_.mask(status.message))};
        if (cancellation.cancelled() && (!status.ok() || status.code == ExitCode::Interrupted)) {
            outcome.status = history::RunStatus::Interrupted;
            outcome.exit_code = sdk::to_int(ExitCode::Interrupted);
            if (outcome.error.empty()) outcome.error = "interrupted";
        } else if (!status.ok()) {
            outcome.status = history::RunStatus::Failed;
            outcome.exit_code = sdk::to_int(status.code);
        }
        outcome.ended_at = runtime::now_millis();
        try {
            if (store) store->finish_run(run_id, outcome);
        } catch (const history::HistoryError& e) {
            if (history_required) throw;
            warn_unrecorded(e.what());
            store = nullptr;
        }

        if (outcome.status != history::RunStatus::Succeeded)
            fmt::print(io_.err, "concierge: {}: {}{}\n", name_, outcome.error, store ? fmt::format(" (run {})", run_id) : "");
        else if (!outcome.summary.empty() && context.output_format() == sdk::OutputFormat::Table)
            fmt::print(io_.out, "{}\n", outcome.summary);
        return outcome.exit_code;
    }

    history::HistoryStore& open_history() {
        // Without a usable config (a malformed file), history still goes where flags and env say.
        if (!session_) session_ = Session{leading_, {}, {}, io_.out, io_.err};
        if (!store_) store_ = session_->open_history();
        return *store_;
    }

    // history.required = false: the run goes on unrecorded, and says so where nobody can miss it.
    void warn_unrecorded(const std::string& reason) const {
        fmt::print(io_.err, "concierge: WARNING: this {} run is NOT recorded in history (history.required is false): {}\n",
                   name_, reason);
    }

    history::NewRun new_run() const {
        const pid_t pid = getpid();
        return {name_, plugin_.version, redactor_.redact_arguments(args_, plugin_.options), runtime::now_millis(),
                runtime::host_name(), runtime::user_name(), pid, runtime::process_start_time(pid)};
    }

    // Prints the one-line error and still records the attempt, so history shows what failed.
    int fail_early(const EarlyFailure& failure) {
        const std::string message = redactor_.mask(failure.message);
        fmt::print(io_.err, "concierge: {}\n", message);
        try {
            auto& store = open_history();
            const auto id = store.begin_run(new_run());
            store.finish_run(id, {history::RunStatus::Failed, sdk::to_int(failure.code), runtime::now_millis(), "", message});
        } catch (const std::exception& e) {
            fmt::print(io_.err, "concierge: could not record the run in history: {}\n", e.what());
        }
        return sdk::to_int(failure.code);
    }

    std::string name_;
    std::vector<std::string> args_;
    GlobalOptions leading_;
    const ProcessIo& io_;
    runtime::Redactor redactor_;
    plugin_loader::LoadedPlugin plugin_;
    std::optional<Session> session_;
    runtime::RunSettings settings_;
    std::unique_ptr<history::HistoryStore> store_;
};

int dispatch(const std::vector<std::string>& args, const ProcessIo& io) {
    const LeadingGlobals leading = parse_leading_globals(args);
    const bool has_command = leading.command_index < args.size();
    const std::string command = has_command ? args[leading.command_index] : "";
    const std::vector<std::string> rest(args.begin() + static_cast<std::ptrdiff_t>(std::min(leading.command_index + 1, args.size())), args.end());
    if (command == plugin_loader::kDescribeCommand) {
        if (rest.size() != 2) throw UsageError("usage: concierge __describe-plugin PATH NAME");
        return plugin_loader::describe_command(rest[0], rest[1]);
    }
    const auto search = [&] { return plugin_loader::search_path(std::getenv("CONCIERGE_PLUGIN_PATH"), io.executable); };
    const auto places = [&] { return PluginPlaces{search(), catalog_setup(io)}; };
    for (const auto& entry : plugin_loader::ignored_path_entries(std::getenv("CONCIERGE_PLUGIN_PATH")))
        fmt::print(io.err, "concierge: warning: CONCIERGE_PLUGIN_PATH entry '{}' is relative and ignored: it would load "
                           "whatever the working directory holds; give absolute directories\n",
                   entry);

    if (command == "--version" || command == "version") {
        fmt::print(io.out, "concierge {} (plugin SDK ABI {}.{}, {})\n", CONCIERGE_VERSION, CONCIERGE_SDK_ABI_MAJOR,
                   CONCIERGE_SDK_ABI_MINOR, CONCIERGE_SDK_TOOLCHAIN);
        return 0;
    }
    if (!has_command || (command == "help" && rest.empty())) {
        print_general_help(io.out, places());
        return has_command || leading.options.help ? 0 : sdk::to_int(ExitCode::Usage);
    }
    if (command == "help") {
        auto path = plugin_loader::find(rest.front(), search());
        if (!path) throw UsageError(fmt::format("no plugin named '{}'", rest.front()));
        const auto described = plugin_loader::describe(plugin_loader::PluginFile{rest.front(), *path}, catalog_setup(io));
        if (const auto* refusal = std::get_if<plugin_loader::Refusal>(&described))
            throw sdk::Error(ExitCode::PluginRefused, fmt::format("plugin '{}' refused: {}", rest.front(), refusal->reason));
        print_plugin_help(io.out, std::get<plugin_loader::PluginDescription>(described));
        return 0;
    }
    if (command == "history") return history_command(leading.options, rest, io.out, io.err);
    if (command == "completion") return completion_command(rest, io.out);
    if (command == "__complete") return complete_command(rest, places(), io.out);
    if (command == "man") return man_command(rest, places(), io.out);
    if (command == "plugin") return plugin_command(leading.options, rest, io.executable, io.out, io.err);
    if (command == "plugins") {
        const CommandLine line = parse_command_line({}, rest, leading.options);
        if (line.globals.help) {
            fmt::print(io.out, "Usage: concierge plugins [--output table|json]\n\nLists every plugin on the search path "
                               "($CONCIERGE_PLUGIN_PATH, then the installed directory) with its problems.\n");
            return 0;
        }
        return plugins_command(Session::open(line.globals, io.out, io.err), places());
    }
    return PluginRun(command, rest, leading.options, io).execute();
}

// The command `args` name, for a message about it: dispatch() got that far already.
std::string command_name(const std::vector<std::string>& args) {
    try {
        const auto index = parse_leading_globals(args).command_index;
        return index < args.size() ? args[index] : "the command";
    } catch (const UsageError&) {
        return "the command";
    }
}

}  // namespace

int run(const std::vector<std::string>& args, const ProcessIo& io) {
    try {
        return dispatch(args, io);
    } catch (const UsageError& e) {
        fmt::print(io.err, "concierge: {} (see 'concierge help')\n", e.what());
        return sdk::to_int(ExitCode::Usage);
    } catch (const config::ConfigError& e) {
        fmt::print(io.err, "concierge: config: {}\n", e.what());
        return sdk::to_int(ExitCode::InvalidInput);
    } catch (const history::HistoryError& e) {
        fmt::print(io.err, "concierge: history: {}\n", e.what());
        return sdk::to_int(ExitCode::HistoryError);
    } catch (const sdk::Error& e) {
        fmt::print(io.err, "concierge: {}\n", sdk::printable(e.what()));
        return sdk::to_int(e.code());
    } catch (...) {
        // Not one of ours: a library's text alone ("JSON Exception") would tell the user nothing.
        fmt::print(io.err, "concierge: {} stopped on an unexpected error (please report it): {}\n", command_name(args),
                   sdk::printable(runtime::current_exception_detail()));
        return sdk::to_int(ExitCode::Failure);
    }
}

int run_as_scheduler(const std::vector<std::string>& args, const ProcessIo& io) {
    if (args.empty() || args.front() == "help" || args.front() == "--help" || args.front() == "-h") {
        std::fputs(scheduler_usage().c_str(), args.empty() ? io.err : io.out);
        return args.empty() ? sdk::to_int(ExitCode::Usage) : 0;
    }
    std::vector<std::string> translated;
    try {
        translated = translate_scheduler_command(args, env_value, Session::open({}, io.out, io.err).config);
    } catch (const UsageError& e) {
        fmt::print(io.err, "{}: {} (see '{} --help')\n", scheduler_program_name, e.what(), scheduler_program_name);
        return sdk::to_int(ExitCode::Usage);
    } catch (const config::ConfigError& e) {
        fmt::print(io.err, "{}: config: {}\n", scheduler_program_name, e.what());
        return sdk::to_int(ExitCode::InvalidInput);
    }
    return run(translated, io);
}

}  // namespace concierge::cli
