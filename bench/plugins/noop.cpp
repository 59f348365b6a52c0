// A plugin that does nothing: what a run costs the core (load, record in history, finish) when the
// plugin itself costs nothing. Built five times under five names (bench/CMakeLists.txt); the
// descriptor's name must equal the file's, hence NOOP_NAME.
#include <concierge/sdk/sdk.hpp>

#ifndef NOOP_NAME
#error "NOOP_NAME must be defined to the plugin's name, e.g. \"noop-1\""
#endif

namespace {

using namespace concierge::sdk;

class Noop final : public Action {
public:
    std::vector<OptionSpec> options() const override { return {}; }

    std::string description() const override { return "Does nothing; used by the benchmarks in bench/."; }

    void run(Context& ctx) override { ctx.set_summary("nothing done"); }
};

}  // namespace

CONCIERGE_PLUGIN(Noop, NOOP_NAME, "1.0.0", "Does nothing (benchmark plugin)")
