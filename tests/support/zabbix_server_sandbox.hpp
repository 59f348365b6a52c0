// For tests that have the sandbox's real Zabbix server act (triggers, actions, trapper values):
// waiting for what it does a moment later, and making it see new configuration at once.
#pragma once

#include "../sandbox/docker_sandbox_env.hpp"

#include <Poco/JSON/Array.h>
#include <Poco/JSON/Object.h>
#include <Poco/JSON/Parser.h>

#include <chrono>
#include <functional>
#include <string>
#include <thread>

namespace concierge::test {

/// The first id of a create call's answer: first_id(answer, "hostids").
inline std::string first_id(const std::string& created, const std::string& member) {
    return Poco::JSON::Parser().parse(created).extract<Poco::JSON::Object::Ptr>()->getArray(member)->getElement<std::string>(0);
}

/// Polls `condition` until it holds or `limit` passes: the server acts a moment after a value
/// arrives, so tests never sleep a fixed time.
inline bool eventually(const std::function<bool()>& condition, std::chrono::seconds limit = std::chrono::seconds(90)) {
    const auto deadline = std::chrono::steady_clock::now() + limit;
    while (std::chrono::steady_clock::now() < deadline) {
        if (condition()) return true;
        std::this_thread::sleep_for(std::chrono::milliseconds(250));
    }
    return condition();
}

/// `scripts/sandbox/zabbix.sh reload`: the server's configuration cache takes new hosts, items and
/// actions now instead of at its next update. True when it did. Needs SOURCE_DIR and
/// ZBX_SANDBOX_SCRIPT_ENV compiled in.
inline bool reload_zabbix_server() {
    int status = -1;
    shell(ZBX_SANDBOX_SCRIPT_ENV " bash '" SOURCE_DIR "/scripts/sandbox/zabbix.sh' reload >/dev/null 2>&1", &status);
    return status == 0;
}

}  // namespace concierge::test
