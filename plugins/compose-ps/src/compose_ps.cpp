// compose-ps: what `docker-compose ps` shows, read straight from the Engine API by Compose's labels.
#include "compose.hpp"

#include "engine_access.hpp"

#include <concierge/docker/client.hpp>
#include <concierge/sdk/sdk.hpp>

#include <ctime>

namespace {

using namespace concierge;

std::string iso_utc(std::int64_t seconds) {
    const std::time_t time = static_cast<std::time_t>(seconds);
    std::tm tm{};
    gmtime_r(&time, &tm);
    char text[32];
    std::strftime(text, sizeof text, "%Y-%m-%dT%H:%M:%SZ", &tm);
    return text;
}

class ComposePs final : public sdk::Action {
public:
    std::vector<sdk::OptionSpec> options() const override {
        std::vector<sdk::OptionSpec> options{
            {.name = "component", .help = "the service to list; every service of the project when absent", .positional = true},
            compose::project_option()};
        for (auto& spec : engine_access::options()) options.push_back(std::move(spec));
        return options;
    }

    std::string description() const override {
        return "Lists the containers of a Compose project (or of one service) as `docker-compose ps` does: those "
               "labelled com.docker.compose.project=P and .service=S, one-off containers excluded, stopped ones "
               "included. --output json prints an array of objects with the keys name, service, replica, state, "
               "status, image, created (ISO 8601 UTC), ports and id.";
    }

    void run(sdk::Context& ctx) override {
        const std::string project = compose::project_from(ctx);
        std::optional<std::string> service = ctx.option("component");
        engine_access::Engine access(ctx, service.value_or(""));
        docker::Client& engine = access.client();
        const auto containers = compose::list(engine, project, service);

        sdk::Table table{{{"name", "NAME"},
                          {"service", "SERVICE"},
                          {"replica", "REPLICA"},
                          {"state", "STATE"},
                          {"status", "STATUS"},
                          {"image", "IMAGE"},
                          {"created", "CREATED"},
                          {"ports", "PORTS"},
                          {"id", "ID"}},
                         {}};
        std::size_t running = 0;
        for (const auto& c : containers) {
            table.rows.push_back({c.name, c.service, c.number, c.state, c.status, c.image, iso_utc(c.created), c.ports,
                                  c.id.substr(0, 12)});
            running += c.state == "running";
        }
        ctx.table(table);
        ctx.set_summary(std::to_string(containers.size()) + " containers of " + project + (service ? "/" + *service : "") +
                        ", " + std::to_string(running) + " running");
    }
};

}  // namespace

CONCIERGE_PLUGIN(ComposePs, "compose-ps", "1.0.0", "Lists the containers of a Compose project's services")
