#include "swarm.hpp"
#include "engine_json.hpp"

#include <concierge/sdk/printable.hpp>
#include <concierge/sdk/status.hpp>
#include <concierge/zabbix/json_scan.hpp>

#include <Poco/JSON/Array.h>
#include <Poco/JSON/Object.h>
#include <Poco/JSON/Parser.h>

#include <algorithm>
#include <charconv>
#include <optional>
#include <string_view>

namespace concierge::swarm {
namespace {

using Poco::JSON::Array;
using Poco::JSON::Object;

// The answer as a T (Object::Ptr or Array::Ptr); anything else is the engine's error.
template <class T>
T parse_as(const std::string& json, const char* what) {
    try {
        return Poco::JSON::Parser().parse(json).extract<T>();
    } catch (const Poco::Exception& e) {
        throw sdk::Error(sdk::ExitCode::RemoteError,
                         std::string("the Docker engine answered ") + what + " with something unexpected: " + engine_json::parse_failure(json, e));
    }
}

// Spec.Mode.Replicated.Replicas read from the answer's own text: Poco reads a count past 2^64 as 0.
std::int64_t replicas_in(std::string_view inspect) {
    namespace json = zabbix::json;
    std::optional<std::string_view> value = inspect;
    try {
        for (const char* key : {"Spec", "Mode", "Replicated", "Replicas"})
            if (value && json::kind_of(*value) == json::Kind::Object) value = json::member(*value, key);
            else value.reset();
    } catch (const json::ScanError& e) {  // text POCO let pass, such as bytes after the value
        throw sdk::Error(sdk::ExitCode::RemoteError, std::string("the Docker engine's service inspect is malformed: ") + e.what());
    }
    if (!value || *value == "null") return 1;  // the engine's default
    std::int64_t replicas = 0;
    const auto [end, error] = std::from_chars(value->data(), value->data() + value->size(), replicas);
    if (error != std::errc() || end != value->data() + value->size())
        throw sdk::Error(sdk::ExitCode::RemoteError, "the Docker engine's service inspect has Replicas " +
                                                         sdk::printable(std::string(value->substr(0, 40))) +
                                                         ", not a count from 0 to 2^63-1");
    return replicas;
}

}  // namespace

Service parse_service(const std::string& json) {
    const auto object = parse_as<Object::Ptr>(json, "a service inspect");
    const auto spec = object ? object->getObject("Spec") : Object::Ptr();
    const auto version = object ? object->getObject("Version") : Object::Ptr();
    if (!spec || !version) throw sdk::Error(sdk::ExitCode::RemoteError, "the Docker engine's service inspect has no Spec or Version");
    Service service;
    try {
        // The id goes into the update's path.
        service.id = engine_json::path_segment(object->optValue<std::string>("ID", ""), "service ID");
        service.name = spec->optValue<std::string>("Name", service.id);
        service.version = version->getValue<std::int64_t>("Index");
        const auto mode = spec->getObject("Mode");
        if (mode && mode->has("Replicated")) {
            service.mode = "replicated";
            const auto replicated = mode->getObject("Replicated");
            service.replicas = replicas_in(json);
        } else if (mode && mode->has("Global")) {
            service.mode = "global";
        } else if (mode && mode->has("ReplicatedJob")) {
            service.mode = "replicated-job";
        } else if (mode && mode->has("GlobalJob")) {
            service.mode = "global-job";
        } else {
            service.mode = "unknown";
        }
    } catch (const Poco::Exception&) {
        throw sdk::Error(sdk::ExitCode::RemoteError,
                         "the Docker engine's service inspect is malformed (a member missing, such as Version.Index, or of the wrong type)");
    }
    if (service.replicas && *service.replicas < 0)
        throw sdk::Error(sdk::ExitCode::RemoteError, "the Docker engine says service " + sdk::printable(service.name) + " has " +
                                                         std::to_string(*service.replicas) + " replicas, a negative count");
    service.spec = engine_json::text(spec);
    return service;
}

std::string with_replicas(const std::string& spec_json, std::int64_t replicas) {
    auto spec = parse_as<Object::Ptr>(spec_json, "a service spec");
    Object::Ptr replicated = new Object;
    replicated->set("Replicas", replicas);
    Object::Ptr mode = new Object;
    mode->set("Replicated", replicated);
    spec->set("Mode", mode);
    return engine_json::text(spec);
}

std::string tasks_path(const std::string& service_id) {
    Object::Ptr filters = new Object;
    Array::Ptr service = new Array;
    service->add(service_id);
    filters->set("service", service);
    return "/tasks?" + engine_json::filters_query(filters);
}

std::vector<Task> parse_tasks(const std::string& json) {
    const auto list = parse_as<Array::Ptr>(json, "a task list");
    std::vector<Task> tasks;
    for (std::size_t i = 0; i < list->size(); ++i) {
        const auto item = list->getObject(static_cast<unsigned>(i));
        if (!item)
            throw sdk::Error(sdk::ExitCode::RemoteError, "the Docker engine's task list holds something other than a task at index " +
                                                             std::to_string(i));
        Task task;
        try {
            task.id = item->optValue<std::string>("ID", "");
            task.slot = item->optValue<std::int64_t>("Slot", 0);
            task.desired = item->optValue<std::string>("DesiredState", "");
            if (auto status = item->getObject("Status")) {
                task.state = status->optValue<std::string>("State", "");
                task.message = status->optValue<std::string>("Err", "");
                if (task.message.empty()) task.message = status->optValue<std::string>("Message", "");
            }
        } catch (const Poco::Exception&) {
            throw sdk::Error(sdk::ExitCode::RemoteError, "the Docker engine's task list has a malformed task at index " +
                                                             std::to_string(i) + " (a member of the wrong type)");
        }
        tasks.push_back(std::move(task));
    }
    std::sort(tasks.begin(), tasks.end(), [](const Task& a, const Task& b) { return a.slot < b.slot; });
    return tasks;
}

bool is_out_of_sequence(const std::string& engine_message) {
    return engine_message.find("out of sequence") != std::string::npos;
}

bool converged(const std::vector<Task>& tasks, std::int64_t replicas) {
    std::int64_t running = 0, wanted = 0;
    for (const auto& task : tasks) {
        running += task.state == "running";
        if (task.desired == "running") {
            if (task.state != "running") return false;
            ++wanted;
        }
    }
    return running == replicas && wanted == replicas;
}

}  // namespace concierge::swarm
