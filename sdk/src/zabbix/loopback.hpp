// Whether a URL's host is this machine: what crosses no network, so plain http to it exposes
// nothing on the way. Internal to the Zabbix client library.
#pragma once

#include <string>

namespace concierge::zabbix {

inline bool is_loopback(const std::string& host) {
    return host == "localhost" || host == "::1" || host.rfind("127.", 0) == 0;
}

}  // namespace concierge::zabbix
