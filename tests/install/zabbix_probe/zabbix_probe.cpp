// Asks a Zabbix for its version through the shared client: proves that a plugin linking
// Concierge::zabbix loads from concierge's plugin folder and that the client's errors reach the
// core as exit codes.
#include <concierge/sdk/sdk.hpp>
#include <concierge/zabbix/client.hpp>

namespace {

class ZabbixProbe final : public concierge::sdk::Action {
public:
    std::vector<concierge::sdk::OptionSpec> options() const override { return concierge::zabbix::connection_options(); }
    std::string description() const override { return "Prints the Zabbix API endpoint and its version."; }
    void run(concierge::sdk::Context& ctx) override {
        concierge::zabbix::Client zabbix(concierge::zabbix::settings_from(ctx));
        ctx.emit_text(zabbix.settings().url + " " + zabbix.version().text);
    }
};

}  // namespace

CONCIERGE_PLUGIN(ZabbixProbe, "zabbix-probe", "1.0.0", "Asks a Zabbix for its version (install test)")
