// zabbix-report: tells Zabbix, through its trapper, how concierge's runs went: each plugin's last
// outcome and duration, the age of the last good backup, the replica counts concierge left and
// the scales it refused. Run it from cron every minute; the template in share/ holds the items
// and triggers. It reads only history, so the core and the other plugins know nothing of Zabbix.
#include "report.hpp"

#include <concierge/sdk/sdk.hpp>
#include <concierge/zabbix/sender.hpp>

#include <Poco/JSON/Object.h>
#include <Poco/JSON/Parser.h>

#include <chrono>

#include <unistd.h>

namespace {

using namespace concierge;
using sdk::Error;
using sdk::ExitCode;

constexpr const char* plugin_name = "zabbix-report";
constexpr const char* cursor_artifact = "report";
constexpr std::size_t backups_looked_at = 100;

std::string this_host() {
    char name[256] = {};
    if (::gethostname(name, sizeof name - 1) != 0) return {};
    return name;
}

std::optional<std::int64_t> previous_cursor(const sdk::Context& ctx) {
    std::int64_t run_id = 0;
    std::string content;
    sdk::throw_if_failed(ctx.read_latest_artifact(cursor_artifact, run_id, content));
    if (run_id == 0) return std::nullopt;
    try {
        return Poco::JSON::Parser().parse(content).extract<Poco::JSON::Object::Ptr>()->getValue<std::int64_t>("listed_at");
    } catch (const Poco::Exception&) {
        return std::nullopt;  // unreadable: report the whole window once, as the first report does
    }
}

class ZabbixReport final : public sdk::Action {
public:
    std::vector<sdk::OptionSpec> options() const override {
        auto options = zabbix::sender_options();
        options.push_back({.name = "host", .help = "the Zabbix host the template is linked to (default: this machine's host name)",
                           .env = "CONCIERGE_REPORT_HOST"});
        options.push_back({.name = "window", .help = "how far back to look for each plugin's last run and each service's count",
                           .type = sdk::OptionType::Duration, .default_value = "168h"});
        return options;
    }

    std::string description() const override {
        return "Sends Zabbix the state of concierge's runs from history, as trapper values for the template "
               "share/concierge/zabbix/concierge-template.yaml (\"Concierge by Zabbix trapper\"): per plugin the last "
               "finished run's exit code, status and duration (discovered as {#PLUGIN}), the age and outcome of the "
               "last zabbix-backup, the replica count and --max each scaled service was left at ({#SERVICE}), and "
               "the scales refused since the last report. Run it every minute from cron. Exit 9 when Zabbix accepted "
               "none of the values (the host is missing or the template is not linked).";
    }

    void run(sdk::Context& ctx) override {
        auto settings = zabbix::sender_settings_from(ctx);
        const std::string host = ctx.get("host", this_host());
        if (host.empty()) throw Error(ExitCode::Usage, "no Zabbix host name: give --host or set CONCIERGE_REPORT_HOST");
        const auto window = ctx.get_duration("window").value_or(std::chrono::hours(168));

        report::History history;
        history.now = std::chrono::duration_cast<std::chrono::milliseconds>(std::chrono::system_clock::now().time_since_epoch()).count();
        history.last_report = previous_cursor(ctx);
        sdk::throw_if_failed(ctx.list_runs("", history.now - window.count(), 0, history.runs));
        // Its own runs are not news: the template's "no report" trigger watches the reports.
        std::erase_if(history.runs, [](const sdk::RunRecord& run) { return run.plugin == plugin_name; });
        sdk::throw_if_failed(ctx.list_runs("zabbix-backup", 0, backups_looked_at, history.backups));
        history.artifact = [&ctx](std::int64_t run_id, const std::string& name) -> std::optional<std::string> {
            std::string content;
            if (!ctx.read_run_artifact(run_id, name, content).ok()) return std::nullopt;
            return content;
        };
        const auto values = report::values_for(host, history);

        zabbix::Sender sender(settings);
        const auto sent = sender.send(values);
        if (sent.processed == 0)
            throw Error(ExitCode::RemoteError, "the Zabbix server at " + sender.address() + " accepted none of the " +
                                                   std::to_string(values.size()) + " values for host '" + host +
                                                   "': is it a host there, with the template \"Concierge by Zabbix trapper\" linked?");
        if (sent.failed > 0)
            ctx.warn(std::to_string(sent.failed) + " of " + std::to_string(values.size()) +
                     " values were not accepted: items discovered just now are accepted once the Zabbix server has "
                     "created them (its next configuration cache update)");
        ctx.artifact(cursor_artifact, "{\"listed_at\":" + std::to_string(history.now) + ",\"processed\":" +
                                          std::to_string(sent.processed) + ",\"failed\":" + std::to_string(sent.failed) + "}");

        sdk::Table table{{{"key", "KEY"}, {"value", "VALUE"}}, {}};
        for (const auto& value : values) table.rows.push_back({value.key, value.value});
        ctx.table(table);
        ctx.set_summary("sent " + std::to_string(values.size()) + " values for host " + host + " to " + sender.address() + ": " +
                        std::to_string(sent.processed) + " processed, " + std::to_string(sent.failed) + " failed");
    }
};

}  // namespace

CONCIERGE_PLUGIN(ZabbixReport, "zabbix-report", "1.0.0", "Sends Zabbix the outcome of concierge's runs (trapper items)")
