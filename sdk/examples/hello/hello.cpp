// The smallest useful plugin: greets, honours --output, and keeps its greeting as an artifact.
// Build it out of tree against an installed SDK (see CMakeLists.txt beside it) or in this repo.
#include <concierge/sdk/sdk.hpp>

#include <string>

namespace {

using namespace concierge::sdk;

class Hello final : public Action {
public:
    std::vector<OptionSpec> options() const override {
        return {
            {.name = "who", .help = "whom to greet", .default_value = "world", .positional = true},
            {.name = "greeting", .short_name = 'g', .help = "the word to greet with", .default_value = "hello", .env = "HELLO_GREETING"},
            {.name = "times", .short_name = 'n', .help = "how many greetings", .type = OptionType::Integer, .default_value = "1"},
        };
    }

    std::string description() const override {
        return "Prints a table of greetings and saves them as the artifact greetings.json of the run.";
    }

    void run(Context& ctx) override {
        const auto times = *ctx.get_int("times");
        if (times < 0) throw Error(ExitCode::Usage, "--times must not be negative");
        const std::string line = ctx.get("greeting") + ", " + ctx.get("who") + "!";
        Table table{{{"number", "#"}, {"greeting", "GREETING"}}, {}};
        for (std::int64_t i = 1; i <= times; ++i) table.rows.push_back({i, line});
        ctx.table(table);
        ctx.artifact("greetings.json", ctx.table_json(table));
        ctx.set_summary("greeted " + ctx.get("who") + " " + std::to_string(times) + " time(s)");
    }
};

}  // namespace

CONCIERGE_PLUGIN(Hello, "hello", "1.0.0", "Greets someone (the SDK's example plugin)")
