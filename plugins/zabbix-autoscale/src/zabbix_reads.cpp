#include "zabbix_reads.hpp"

#include <concierge/sdk/sdk.hpp>
#include <concierge/zabbix/json_scan.hpp>

#include <Poco/JSON/Array.h>
#include <Poco/JSON/Object.h>
#include <Poco/JSON/Parser.h>

#include <cstdlib>

namespace concierge::autoscale {

using sdk::Error;
using sdk::ExitCode;

namespace {

const char* value_type_name(const std::string& type) {
    static const char* names[] = {"float", "character", "log", "unsigned", "text"};
    const int index = std::atoi(type.c_str());
    return index >= 0 && index <= 4 ? names[index] : "unknown";
}

}  // namespace

std::vector<ItemRead> read_items(zabbix::Client& zabbix, const std::vector<ItemRef>& refs, TargetKind kind, double target,
                                 std::optional<Seconds> max_age) {
    std::vector<ItemRead> items;
    for (const auto& ref : refs) {
        const std::string answer = zabbix.call(
            "item.get", "{\"output\":[\"itemid\",\"lastvalue\",\"lastclock\",\"delay\",\"value_type\"],\"host\":" +
                            zabbix::json::quote(ref.host) + ",\"filter\":{\"key_\":" + zabbix::json::quote(ref.key) +
                            "},\"templated\":false,\"webitems\":true}");
        const auto found = Poco::JSON::Parser().parse(answer).extract<Poco::JSON::Array::Ptr>();
        if (!found || found->size() == 0)
            throw Error(ExitCode::NotFound, "no item " + ref.text() + ": host '" + ref.host + "' has no item with key '" + ref.key +
                                                "' (or there is no such host); --item takes the host's technical name and the exact key");
        const auto item = found->getObject(0);
        const auto type = item->optValue<std::string>("value_type", "");
        if (type != "0" && type != "3")
            throw Error(ExitCode::Usage, "item " + ref.text() + " holds " + value_type_name(type) +
                                             " values; the autoscaler needs a numeric item (float or unsigned)");
        Metric metric{ref.text(), kind, target, std::nullopt,
                      max_age_for(max_age, update_interval(item->optValue<std::string>("delay", "")))};
        const auto clock = std::atoll(item->optValue<std::string>("lastclock", "0").c_str());
        if (clock > 0)  // 0: the item has no value yet
            metric.sample = Sample{std::strtod(item->optValue<std::string>("lastvalue", "").c_str(), nullptr),
                                   TimePoint{std::chrono::seconds{clock}}};
        items.push_back({item->optValue<std::string>("itemid", ""), type, std::move(metric)});
    }
    return items;
}

std::vector<Sample> read_history(zabbix::Client& zabbix, const ItemRead& item, std::int64_t from, std::int64_t to) {
    const std::string answer = zabbix.call(
        "history.get", "{\"output\":[\"clock\",\"value\"],\"history\":" + item.value_type + ",\"itemids\":[" +
                           zabbix::json::quote(item.itemid) + "],\"time_from\":" + std::to_string(from) +
                           ",\"time_till\":" + std::to_string(to) + ",\"sortfield\":\"clock\",\"sortorder\":\"ASC\"}");
    std::vector<Sample> samples;
    const auto values = Poco::JSON::Parser().parse(answer).extract<Poco::JSON::Array::Ptr>();  // held: the parse's Var is a temporary
    for (const auto& value : *values) {
        const auto object = value.extract<Poco::JSON::Object::Ptr>();
        samples.push_back({std::strtod(object->getValue<std::string>("value").c_str(), nullptr),
                           TimePoint{std::chrono::seconds{std::atoll(object->getValue<std::string>("clock").c_str())}}});
    }
    return samples;
}

}  // namespace concierge::autoscale
