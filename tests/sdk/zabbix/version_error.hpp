// Shared by the Zabbix client's unit and sandbox tests.
#pragma once

#include <concierge/zabbix/client.hpp>

#include <gtest/gtest.h>

#include <optional>

// The error that asking for the server's version raises; nothing (and a test failure) if none.
inline std::optional<concierge::sdk::Error> version_error(concierge::zabbix::Client& client) {
    try {
        ADD_FAILURE() << "no error; the server said version " << client.version().text;
    } catch (const concierge::sdk::Error& e) {
        return e;
    }
    return std::nullopt;
}
