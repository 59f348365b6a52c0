#include "swarm.hpp"
#include "engine_json.hpp"

#include <concierge/sdk/status.hpp>

#include <Poco/JSON/Array.h>
#include <Poco/JSON/Object.h>
#include <Poco/JSON/Parser.h>

#include <algorithm>

namespace concierge::swarm {
namespace {

using Poco::JSON::Array;
using Poco::JSON::Object;

Poco::Dynamic::Var parse(const std::string& json, const char* what) {
    try {
        return Poco::JSON::Parser().parse(json);
    } catch (const Poco::Exception& e) {
        throw sdk::Error(sdk::ExitCode::RemoteError,
                         std::string("the Docker engine answered ") + what + " with something that is not JSON: " + e.displayText());
    }
}

}  // namespace

Service parse_service(const std::string& json) {
    auto object = parse(json, "a service inspect").extract<Object::Ptr>();
    auto spec = object->getObject("Spec");
    auto version = object->getObject("Version");
    if (!spec || !version) throw sdk::Error(sdk::ExitCode::RemoteError, "the Docker engine's service inspect has no Spec or Version");
    Service service;
    service.id = object->getValue<std::string>("ID");
    service.name = spec->optValue<std::string>("Name", service.id);
    service.version = version->getValue<std::int64_t>("Index");
    service.spec = engine_json::text(spec);
    auto mode = spec->getObject("Mode");
    if (mode && mode->has("Replicated")) {
        service.mode = "replicated";
        service.replicas = mode->getObject("Replicated")->optValue<std::int64_t>("Replicas", 1);
    } else if (mode && mode->has("Global")) {
        service.mode = "global";
    } else if (mode && mode->has("ReplicatedJob")) {
        service.mode = "replicated-job";
    } else if (mode && mode->has("GlobalJob")) {
        service.mode = "global-job";
    } else {
        service.mode = "unknown";
    }
    return service;
}

std::string with_replicas(const std::string& spec_json, std::int64_t replicas) {
    auto spec = parse(spec_json, "a service spec").extract<Object::Ptr>();
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
    auto list = parse(json, "a task list").extract<Array::Ptr>();
    std::vector<Task> tasks;
    for (std::size_t i = 0; i < list->size(); ++i) {
        auto item = list->getObject(static_cast<unsigned>(i));
        Task task;
        task.id = item->optValue<std::string>("ID", "");
        task.slot = item->optValue<std::int64_t>("Slot", 0);
        task.desired = item->optValue<std::string>("DesiredState", "");
        if (auto status = item->getObject("Status")) {
            task.state = status->optValue<std::string>("State", "");
            task.message = status->optValue<std::string>("Err", "");
            if (task.message.empty()) task.message = status->optValue<std::string>("Message", "");
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
