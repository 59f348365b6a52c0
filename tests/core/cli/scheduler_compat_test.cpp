#include "cli/scheduler_compat.hpp"

#include <gtest/gtest.h>

#include <map>
#include <string>
#include <vector>

namespace {

using concierge::cli::translate_scheduler_command;
using concierge::cli::UsageError;
using concierge::config::ConfigFile;
using Args = std::vector<std::string>;

// The environment an alert action sets, as a lookup.
struct Env {
    std::map<std::string, std::string> values;
    concierge::cli::EnvLookup lookup() const {
        return [this](const std::string& name) -> std::optional<std::string> {
            auto found = values.find(name);
            if (found == values.end()) return std::nullopt;
            return found->second;
        };
    }
};

Args translate(const Args& args, const Env& env = {}, const ConfigFile& config = {}) {
    return translate_scheduler_command(args, env.lookup(), config);
}

TEST(SchedulerCompat, EachEarlierActionMapsOntoThePluginWithTheSameMeaning) {
    EXPECT_EQ(translate({"service_ps", "consul"}), (Args{"compose-ps", "--", "consul"}));
    EXPECT_EQ(translate({"backup_app"}), (Args{"zabbix-backup"}));
    EXPECT_EQ(translate({"import_app"}), (Args{"zabbix-import"}));
    EXPECT_EQ(translate({"scale_up", "consul", "1", "1"}), (Args{"compose-scale", "up", "--", "consul", "1", "1"}));
    EXPECT_EQ(translate({"scale_down", "consul", "2", "1"}), (Args{"compose-scale", "down", "--", "consul", "2", "1"}));
}

TEST(SchedulerCompat, LaterActionNamesAreAliases) {
    EXPECT_EQ(translate({"list", "consul"}), (Args{"compose-ps", "--", "consul"}));
    EXPECT_EQ(translate({"backup_config"}), (Args{"zabbix-backup"}));
    EXPECT_EQ(translate({"restore_config"}), (Args{"zabbix-import"}));
}

TEST(SchedulerCompat, SwarmOrchestratorScalesSwarmServicesFromEnvOrConfig) {
    EXPECT_EQ(translate({"scale_up", "api", "1", "2"}, Env{{{"CONCIERGE_SCHEDULER_ORCHESTRATOR", "swarm"}}}),
              (Args{"swarm-scale", "up", "--", "api", "1", "2"}));
    const auto config = ConfigFile::parse("[scheduler]\norchestrator = swarm\n", "test");
    EXPECT_EQ(translate({"scale_down", "api", "3", "1"}, {}, config), (Args{"swarm-scale", "down", "--", "api", "3", "1"}));
    EXPECT_EQ(translate({"scale_down", "api", "3", "1"}, Env{{{"CONCIERGE_SCHEDULER_ORCHESTRATOR", "compose"}}}, config),
              (Args{"compose-scale", "down", "--", "api", "3", "1"}));
}

TEST(SchedulerCompat, CertificatesComeFromZabbixWhenDockerIsRemoteAndZabbixIsConfigured) {
    const Env seed_deployment{{{"DOCKER_HOST", "tcp://10.0.0.5:2376"}, {"ZBX_API_HOST", "zbxweb"}}};
    EXPECT_EQ(translate({"service_ps", "consul"}, seed_deployment), (Args{"compose-ps", "--certs-from-zabbix", "--", "consul"}));
    EXPECT_EQ(translate({"scale_up", "consul", "1", "1"}, seed_deployment),
              (Args{"compose-scale", "--certs-from-zabbix", "up", "--", "consul", "1", "1"}));
    EXPECT_EQ(translate({"backup_app"}, seed_deployment), (Args{"zabbix-backup"}));
}

TEST(SchedulerCompat, CertificatesStayLocalForAUnixSocketOrWhenTurnedOff) {
    EXPECT_EQ(translate({"service_ps", "consul"}, Env{{{"DOCKER_HOST", "unix:///run/docker.sock"}, {"ZBX_API_HOST", "zbx"}}}),
              (Args{"compose-ps", "--", "consul"}));
    const Env off{{{"DOCKER_HOST", "tcp://10.0.0.5:2376"}, {"ZBX_API_HOST", "zbx"}, {"CONCIERGE_SCHEDULER_CERTS_FROM_ZABBIX", "false"}}};
    EXPECT_EQ(translate({"service_ps", "consul"}, off), (Args{"compose-ps", "--", "consul"}));
    const Env forced{{{"CONCIERGE_SCHEDULER_CERTS_FROM_ZABBIX", "true"}}};
    EXPECT_EQ(translate({"service_ps", "consul"}, forced), (Args{"compose-ps", "--certs-from-zabbix", "--", "consul"}));
}

TEST(SchedulerCompat, AnAlertsArgumentsComeAfterDoubleDashSoNoneBecomesAnOption) {
    EXPECT_EQ(translate({"scale_up", "--help", "1", "--replicas=99"}),
              (Args{"compose-scale", "up", "--", "--help", "1", "--replicas=99"}));
}

TEST(SchedulerCompat, UnknownActionsWrongArgumentCountsAndBadSettingsAreUsageErrors) {
    EXPECT_THROW(translate({}), UsageError);
    EXPECT_THROW(translate({"upload"}), UsageError);
    EXPECT_THROW(translate({"service_ps"}), UsageError);
    EXPECT_THROW(translate({"scale_up", "consul", "1"}), UsageError);
    EXPECT_THROW(translate({"backup_app", "extra"}), UsageError);
    EXPECT_THROW(translate({"scale_up", "c", "1", "1"}, Env{{{"CONCIERGE_SCHEDULER_ORCHESTRATOR", "k8s"}}}), UsageError);
    EXPECT_THROW(translate({"service_ps", "c"}, Env{{{"CONCIERGE_SCHEDULER_CERTS_FROM_ZABBIX", "maybe"}}}), UsageError);
}

TEST(SchedulerCompat, UsageMessageNamesTheExpectedShape) {
    try {
        translate({"scale_down", "consul"});
        FAIL() << "expected a usage error";
    } catch (const UsageError& e) {
        EXPECT_STREQ(e.what(), "'scale_down' takes 3 arguments: scale_down COMPONENT CURRENT DECREMENT");
    }
}

}  // namespace
