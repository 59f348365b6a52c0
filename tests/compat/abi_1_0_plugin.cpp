// A plugin built against the frozen SDK 1.0 headers (sdk-1.0/include), calling every function
// Context had in ABI 1.0: the current core must keep serving each one from the same slot.
#include <concierge/sdk/sdk.hpp>

#include <string>

namespace {

using namespace concierge::sdk;

class Abi10 final : public Action {
public:
    std::vector<OptionSpec> options() const override {
        return {{.name = "word", .help = "a word to echo", .required = true, .positional = true},
                {.name = "times", .help = "how often", .type = OptionType::Integer, .default_value = "2"},
                {.name = "pause", .help = "a duration", .type = OptionType::Duration, .default_value = "1ms"},
                {.name = "token", .help = "a secret", .secret = true, .from_command_line = false, .env = "ABI10_TOKEN"}};
    }

    std::string description() const override { return "Built against SDK 1.0."; }

    void run(Context& ctx) override {
        ctx.add_secret(ctx.get("token"));
        ctx.debug("config says " + ctx.config("abi-1-0.note").value_or("nothing"));
        ctx.progress(1, 2, "halfway");
        if (ctx.wait_for_cancel(*ctx.get_duration("pause"))) throw Error(ExitCode::Interrupted, "interrupted");
        Table table{{{"word", "WORD"}, {"n", "N"}, {"path_set", "PATH_SET"}, {"json_format", "JSON_FORMAT"}}, {}};
        for (std::int64_t i = 1; i <= *ctx.get_int("times"); ++i)
            table.rows.push_back({ctx.require("word"), i, ctx.env("PATH").has_value(), ctx.output_format() == OutputFormat::Json});
        ctx.table(table);
        ctx.emit_text("text from 1.0");
        ctx.warn("token is " + ctx.get("token"));
        ctx.artifact("words.json", ctx.table_json(table));
        ctx.check_cancelled();
        ctx.set_summary("echoed " + ctx.get("word") + " in run " + std::to_string(ctx.run_id()));
    }
};

}  // namespace

CONCIERGE_PLUGIN(Abi10, "abi-1-0", "1.0.0", "A plugin built against SDK 1.0 (compatibility test)")
