// The floor of `concierge zabbix-autoscale` (bench/autoscale.sh), and the fixture it runs on.
//
//   zabbix-autoscale-floor evaluate URL DOCKER_HOST PROJECT SERVICE HOST:KEY TARGET MIN MAX
//     One evaluation as the plugin makes it, in-process and nothing else: apiinfo.version,
//     user.login, item.get (the plugin's own request, zabbix_reads.hpp), the engine's count (GET
//     /version, GET /containers/json with the Compose labels: docker-common's list_to_scale, as the
//     plugin), the decision (decide(), as a first run: no history), user.logout. No core, no plugin
//     loading, no lock, no history read or record. Prints the decision's summary.
//   zabbix-autoscale-floor replay URL HOST:KEY FROM TO TARGET_PER_REPLICA MIN MAX
//     The replay's read (item.get, history.get from FROM minus the max age, parsed: the plugin's
//     code) and its evaluation (replay(), 1-minute steps, default rules), timed apart. FROM and TO
//     in seconds since the epoch. Prints "read N values in X ms; evaluated S steps in Y ms".
//   zabbix-autoscale-floor setup URL HOST | cleanup URL HOST
//     Creates (deletes) the host HOST in its own group with two float trapper items: bench.load
//     (for the evaluation) and bench.history (history kept 31 days, for the replay).
//   zabbix-autoscale-floor send TRAPPER_PORT HOST KEY FIRST_CLOCK COUNT VALUE|curve
//     Sends COUNT values, one a minute from FIRST_CLOCK, to 127.0.0.1:TRAPPER_PORT: VALUE each, or
//     "curve", a daily wave of 100 to 800 with a deterministic ripple.
// Zabbix credentials from ZBX_USER and ZBX_PASS (default Admin / zabbix).
#include "hpa.hpp"
#include "item_spec.hpp"
#include "replay.hpp"
#include "zabbix_reads.hpp"

#include "compose_scaler.hpp"

#include <concierge/docker/client.hpp>
#include <concierge/zabbix/client.hpp>
#include <concierge/zabbix/json_scan.hpp>
#include <concierge/zabbix/sender.hpp>

#include <Poco/JSON/Array.h>
#include <Poco/JSON/Object.h>
#include <Poco/JSON/Parser.h>

#include <chrono>
#include <cmath>
#include <cstdio>
#include <cstdlib>
#include <exception>
#include <iostream>
#include <string>
#include <vector>

using namespace concierge;
using Clock = std::chrono::steady_clock;

namespace {

zabbix::Settings zabbix_settings(const std::string& url) {
    zabbix::Settings settings;
    settings.url = zabbix::normalise_api_url(url);
    settings.user = std::getenv("ZBX_USER") ? std::getenv("ZBX_USER") : "Admin";
    settings.password = std::getenv("ZBX_PASS") ? std::getenv("ZBX_PASS") : "zabbix";
    return settings;
}

std::string milliseconds(Clock::duration d) {
    char text[32];
    std::snprintf(text, sizeof text, "%.1f", std::chrono::duration<double, std::milli>(d).count());
    return text;
}

// The first id of a *.create answer's member ({"hostids":["10601"]}), or of a *.get answer's
// first object ([{"hostid":"10601"}]); empty when there is none.
std::string first_id(const std::string& answer, const std::string& member) {
    const auto parsed = Poco::JSON::Parser().parse(answer);
    if (parsed.type() == typeid(Poco::JSON::Object::Ptr))
        return parsed.extract<Poco::JSON::Object::Ptr>()->getArray(member)->getElement<std::string>(0);
    const auto found = parsed.extract<Poco::JSON::Array::Ptr>();
    return found->size() == 0 ? "" : found->getObject(0)->getValue<std::string>(member);
}

int evaluate(char** argv) {
    zabbix::Client client(zabbix_settings(argv[2]));
    client.login();  // apiinfo.version, user.login
    autoscale::Input input;
    input.min_replicas = std::stoi(argv[8]);
    input.max_replicas = std::stoi(argv[9]);
    for (auto& item : autoscale::read_items(client, autoscale::parse_items(argv[6]), autoscale::TargetKind::Average,
                                            std::stod(argv[7]), std::nullopt))
        input.metrics.push_back(std::move(item.metric));
    docker::Client engine(docker::make_settings(argv[3], "", true));
    input.current = static_cast<std::int32_t>(compose::list_to_scale(engine, argv[4], argv[5]).size());
    input.now = std::chrono::time_point_cast<std::chrono::milliseconds>(std::chrono::system_clock::now());
    const auto decision = autoscale::decide(input);
    client.logout();
    std::cout << autoscale::summary(decision) << "\n";
    return 0;
}

int replay(char** argv) {
    zabbix::Client client(zabbix_settings(argv[2]));
    client.login();
    const autoscale::TimePoint from{std::chrono::seconds{std::stoll(argv[4])}};
    const autoscale::TimePoint to{std::chrono::seconds{std::stoll(argv[5])}};
    const auto started = Clock::now();
    auto items = autoscale::read_items(client, autoscale::parse_items(argv[3]), autoscale::TargetKind::Total,
                                       std::stod(argv[6]), std::nullopt);
    autoscale::Input input;
    input.min_replicas = std::stoi(argv[7]);
    input.max_replicas = std::stoi(argv[8]);
    std::vector<std::vector<autoscale::Sample>> series;
    std::size_t values = 0;
    for (auto& item : items) {
        const auto first = std::chrono::duration_cast<autoscale::Seconds>((from - *item.metric.max_age).time_since_epoch());
        series.push_back(autoscale::read_history(client, item, first.count(), std::stoll(argv[5])));
        values += series.back().size();
        input.metrics.push_back(std::move(item.metric));
    }
    const auto read = Clock::now();
    const auto steps = autoscale::replay(input, series, from, to, std::chrono::minutes(1), input.min_replicas);
    const auto evaluated = Clock::now();
    std::cout << "read " << values << " values in " << milliseconds(read - started) << " ms; evaluated " << steps.size()
              << " steps in " << milliseconds(evaluated - read) << " ms\n";
    return 0;
}

int setup(char** argv) {
    zabbix::Client client(zabbix_settings(argv[2]));
    client.login();
    const std::string host = zabbix::json::quote(argv[3]);
    const auto group = first_id(client.call("hostgroup.create", "{\"name\":" + host + "}"), "groupids");
    const auto host_id = first_id(client.call("host.create", "{\"host\":" + host + ",\"groups\":[{\"groupid\":\"" + group + "\"}]}"),
                                  "hostids");
    for (const std::string key : {"bench.load", "bench.history"})
        client.call("item.create", "{\"hostid\":\"" + host_id + "\",\"name\":\"" + key + "\",\"key_\":\"" + key +
                                       "\",\"type\":2,\"value_type\":0,\"history\":\"31d\",\"trends\":\"0\"}");
    return 0;
}

int cleanup(char** argv) {
    zabbix::Client client(zabbix_settings(argv[2]));
    client.login();
    const std::string name = zabbix::json::quote(argv[3]);
    if (const auto host = first_id(client.call("host.get", "{\"output\":[\"hostid\"],\"filter\":{\"host\":[" + name + "]}}"), "hostid");
        !host.empty())
        client.call("host.delete", "[\"" + host + "\"]");
    if (const auto group = first_id(client.call("hostgroup.get", "{\"output\":[\"groupid\"],\"filter\":{\"name\":[" + name + "]}}"),
                                    "groupid");
        !group.empty())
        client.call("hostgroup.delete", "[\"" + group + "\"]");
    return 0;
}

int send(char** argv) {
    zabbix::SenderSettings settings;
    settings.server = "127.0.0.1";
    settings.port = static_cast<std::uint16_t>(std::stoi(argv[2]));
    settings.values_per_request = 1000;
    const std::int64_t first = std::stoll(argv[5]);
    const long count = std::stol(argv[6]);
    const std::string fixed = argv[7];
    std::vector<zabbix::TrapperValue> values;
    for (long i = 0; i < count; ++i) {
        const double wave = 450 - 350 * std::cos(2 * M_PI * static_cast<double>(i) / 1440) + 40 * std::sin(static_cast<double>(i) * 0.37);
        values.push_back({argv[3], argv[4], fixed == "curve" ? std::to_string(std::lround(wave)) : fixed, first + 60 * i, 0});
    }
    const auto sent = zabbix::Sender(settings).send(values);
    if (sent.processed != count) {
        std::cerr << "zabbix-autoscale-floor: the trapper took " << sent.processed << " of " << count << " values: " << sent.info << "\n";
        return 1;
    }
    return 0;
}

}  // namespace

int main(int argc, char** argv) try {
    const std::string mode = argc > 1 ? argv[1] : "";
    if (mode == "evaluate" && argc == 10) return evaluate(argv);
    if (mode == "replay" && argc == 9) return replay(argv);
    if ((mode == "setup" || mode == "cleanup") && argc == 4) return mode == "setup" ? setup(argv) : cleanup(argv);
    if (mode == "send" && argc == 8) return send(argv);
    std::cerr << "usage: zabbix-autoscale-floor evaluate URL DOCKER_HOST PROJECT SERVICE HOST:KEY TARGET MIN MAX\n"
                 "       zabbix-autoscale-floor replay URL HOST:KEY FROM TO TARGET_PER_REPLICA MIN MAX\n"
                 "       zabbix-autoscale-floor setup|cleanup URL HOST\n"
                 "       zabbix-autoscale-floor send TRAPPER_PORT HOST KEY FIRST_CLOCK COUNT VALUE|curve\n";
    return 2;
} catch (const std::exception& error) {
    std::cerr << "zabbix-autoscale-floor: " << error.what() << "\n";
    return 1;
}
