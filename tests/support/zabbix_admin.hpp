// A client logged in as the sandbox's Admin, for tests that create objects on a real Zabbix.
#pragma once

#include <concierge/zabbix/client.hpp>

#include <memory>
#include <string>

namespace concierge::test {

inline std::unique_ptr<zabbix::Client> admin_client(const std::string& url) {
    zabbix::Settings settings;
    settings.url = url;
    settings.user = "Admin";
    settings.password = "zabbix";  // every pristine sandbox instance's
    auto client = std::make_unique<zabbix::Client>(settings);
    client->login();
    return client;
}

}  // namespace concierge::test
