// The real Zabbix versions of the sandbox (scripts/sandbox/zabbix.sh), for tests written once and
// run on each: 6.0 (the source instance) and 7.0 (v70). Their URLs are compiled in from the ports
// CMake was configured with, so a sandbox test never skips for want of an address.
#pragma once

#include <gtest/gtest.h>

#include <ostream>
#include <string>
#include <vector>

namespace concierge::test {

struct ZabbixInstance {
    std::string name;  // a test-name suffix: zabbix60, zabbix70
    std::string url;
    int major;
    int minor;

    std::string version() const { return std::to_string(major) + "." + std::to_string(minor); }  // "6.0"
    std::string version_prefix() const { return version() + "."; }                               // of "6.0.14"
    bool at_least(int at_major, int at_minor) const { return major != at_major ? major > at_major : minor >= at_minor; }
};

inline std::vector<ZabbixInstance> zabbix_instances() {
    return {{"zabbix60", ZBX_SANDBOX_SOURCE_URL, 6, 0}, {"zabbix70", ZBX_SANDBOX_V70_URL, 7, 0}};
}

inline void PrintTo(const ZabbixInstance& instance, std::ostream* out) { *out << instance.name << " " << instance.url; }

inline std::string instance_name(const testing::TestParamInfo<ZabbixInstance>& info) { return info.param.name; }

}  // namespace concierge::test
