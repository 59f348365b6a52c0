#include "compose.hpp"
#include "engine_json.hpp"

#include <Poco/JSON/Array.h>
#include <Poco/JSON/Object.h>
#include <Poco/JSON/Parser.h>

#include <algorithm>
#include <charconv>
#include <cstdint>
#include <set>

namespace concierge::compose {
namespace {

using Poco::JSON::Array;
using Poco::JSON::Object;
using sdk::Error;
using sdk::ExitCode;

Object::Ptr parse_object(const std::string& json, const char* what) {
    try {
        return Poco::JSON::Parser().parse(json).extract<Object::Ptr>();
    } catch (const Poco::Exception& e) {
        throw Error(ExitCode::RemoteError,
                    std::string("the Docker engine answered ") + what + " with something unexpected: " + engine_json::parse_failure(json, e));
    }
}

std::string text(const Object::Ptr& object, const std::string& key) {
    return object && object->has(key) && !object->isNull(key) ? object->getValue<std::string>(key) : std::string();
}

std::string ports_text(const Array::Ptr& ports) {
    std::vector<std::string> items;
    if (ports)
        for (std::size_t i = 0; i < ports->size(); ++i) {
            auto port = ports->getObject(static_cast<unsigned>(i));
            std::string item;
            if (port->has("PublicPort"))
                item = text(port, "IP") + ":" + text(port, "PublicPort") + "->";
            item += text(port, "PrivatePort") + "/" + text(port, "Type");
            items.push_back(item);
        }
    std::sort(items.begin(), items.end());
    items.erase(std::unique(items.begin(), items.end()), items.end());  // IPv4 and IPv6 bindings alike
    std::string joined;
    for (const auto& item : items) joined += (joined.empty() ? "" : ", ") + item;
    return joined;
}

// Compose numbers replicas from 1 with an int; anything else would clone a replica under a wrong
// name. An absent label is 0, as before: such a container is listed, not scaled from.
std::int64_t number_of(const std::string& value, const std::string& container) {
    if (value.empty()) return 0;
    std::int64_t number = 0;
    const auto [end, error] = std::from_chars(value.data(), value.data() + value.size(), number);
    if (error != std::errc() || end != value.data() + value.size() || number < 1 || number > INT32_MAX) {
        std::string message = "the Docker engine listed container ";
        message.append(sdk::printable(container)).append(" with ").append(label::number).append(" '");
        message.append(sdk::printable(value)).append("', not a replica number from 1 to 2147483647");
        throw Error(ExitCode::RemoteError, message);
    }
    return number;
}

Container container_of(const Object::Ptr& item) {
    Container c;
    c.id = text(item, "Id");
    auto names = item->getArray("Names");
    if (names && names->size() > 0) c.name = names->getElement<std::string>(0);
    if (!c.name.empty() && c.name.front() == '/') c.name.erase(0, 1);
    if (c.id.empty())
        throw Error(ExitCode::RemoteError, "the Docker engine listed a container without an Id (" + sdk::printable(c.name) + ")");
    auto labels = item->getObject("Labels");
    c.service = text(labels, label::service);
    c.number = number_of(text(labels, label::number), c.name);
    c.state = text(item, "State");
    c.status = text(item, "Status");
    c.image = text(item, "Image");
    c.created = item->optValue<std::int64_t>("Created", 0);
    c.ports = ports_text(item->getArray("Ports"));
    return c;
}

}  // namespace

sdk::OptionSpec project_option() {
    return {.name = "project",
            .short_name = 'p',
            .help = "the Compose project name",
            .env = "COMPOSE_PROJECT_NAME",
            .config_key = "compose.project"};
}

std::string project_from(const sdk::Context& ctx) {
    auto project = ctx.option("project");
    if (!project || project->empty())
        throw Error(ExitCode::Usage, "no Compose project: give --project, set COMPOSE_PROJECT_NAME, or `project` in the "
                                     "config file's [compose] section");
    return *project;
}

std::string list_path(const std::string& project, const std::optional<std::string>& service) {
    auto labels = new Array;
    labels->add(std::string(label::project) + "=" + project);
    labels->add(std::string(label::oneoff) + "=False");
    if (service) labels->add(std::string(label::service) + "=" + *service);
    Object::Ptr filters = new Object;
    filters->set("label", Array::Ptr(labels));
    return "/containers/json?all=1&" + engine_json::filters_query(filters);
}

std::vector<Container> parse_containers(const std::string& json) {
    std::vector<Container> containers;
    Array::Ptr list;
    try {
        list = Poco::JSON::Parser().parse(json).extract<Array::Ptr>();
    } catch (const Poco::Exception& e) {
        throw Error(ExitCode::RemoteError, "the Docker engine's container list is not a JSON array: " + engine_json::parse_failure(json, e));
    }
    for (std::size_t i = 0; i < list->size(); ++i) {
        auto item = list->getObject(static_cast<unsigned>(i));
        if (!item)
            throw Error(ExitCode::RemoteError, "the Docker engine's container list holds something other than a container at index " +
                                                   std::to_string(i));
        try {
            containers.push_back(container_of(item));
        } catch (const Poco::Exception&) {
            throw Error(ExitCode::RemoteError, "the Docker engine's container list has a malformed container at index " +
                                                   std::to_string(i) + " (a member of the wrong type)");
        }
    }
    std::sort(containers.begin(), containers.end(), [](const Container& a, const Container& b) {
        return std::tie(a.service, a.number, a.name) < std::tie(b.service, b.number, b.name);
    });
    return containers;
}

std::vector<Container> list(docker::Client& engine, const std::string& project, const std::optional<std::string>& service) {
    auto containers = parse_containers(engine.get(list_path(project, service)));
    if (!containers.empty()) return containers;
    if (!service)
        throw Error(ExitCode::NotFound, "no containers of Compose project '" + project + "' on " + engine.endpoint() +
                                            "; check --project (COMPOSE_PROJECT_NAME), or create it with `docker-compose up -d`");
    std::set<std::string> services;
    for (const auto& c : parse_containers(engine.get(list_path(project, std::nullopt)))) services.insert(c.service);
    if (services.empty())
        throw Error(ExitCode::NotFound, "no containers of Compose project '" + project + "' on " + engine.endpoint() +
                                            "; check --project (COMPOSE_PROJECT_NAME), or create it with `docker-compose up -d`");
    std::string known;
    for (const auto& s : services) known += (known.empty() ? "" : ", ") + s;
    throw Error(ExitCode::NotFound, "Compose project '" + project + "' has no service '" + *service + "' (it has: " + known +
                                        "); to create it run `docker-compose up -d " + *service + "`");
}

std::string name_separator(const std::string& name, const std::string& project, const std::string& service) {
    for (const std::string separator : {"_", "-"}) {
        const std::string prefix = project + separator + service + separator;
        if (name.rfind(prefix, 0) == 0 && name.size() > prefix.size() &&
            std::all_of(name.begin() + static_cast<std::ptrdiff_t>(prefix.size()), name.end(), [](unsigned char c) { return std::isdigit(c); }))
            return separator;
    }
    throw Error(ExitCode::Conflict, "container '" + name + "' of service " + service +
                                        " is not named as Compose names replicas (container_name set?); such a service "
                                        "cannot be scaled, by Compose either");
}

std::string replica_name(const std::string& project, const std::string& service, const std::string& separator,
                         std::int64_t number) {
    return project + separator + service + separator + std::to_string(number);
}

// The whole body in one try: any member of the wrong type, nested anywhere, is the engine's error.
CreateSpec clone_spec(const std::string& inspect_json, std::int64_t number) try {
    const auto inspected = parse_object(inspect_json, "a container inspect");
    const std::string short_id = text(inspected, "Id").substr(0, 12);
    auto config = inspected->getObject("Config");
    if (!config) throw Error(ExitCode::RemoteError, "the Docker engine's container inspect has no Config");
    // A Compose replica always has labels: without them the clone would not be the service's.
    const auto old_labels = config->getObject("Labels");
    if (!old_labels) throw Error(ExitCode::RemoteError, "the Docker engine's container inspect has no Config.Labels object");

    Object body;
    for (const auto& [key, value] : *config) body.set(key, value);
    // The engine made the host name from the old container's id; the clone gets its own.
    if (text(config, "Hostname") == short_id) body.remove("Hostname");
    auto labels = Object::Ptr(new Object(*old_labels));
    labels->set(label::number, std::to_string(number));
    body.set("Labels", labels);
    body.set("HostConfig", inspected->get("HostConfig"));

    CreateSpec spec;
    auto settings = inspected->getObject("NetworkSettings");
    auto networks = settings ? settings->getObject("Networks") : Object::Ptr();
    const std::string mode = text(inspected->getObject("HostConfig"), "NetworkMode");
    Object::Ptr endpoints = new Object;
    if (networks) {
        // The network mode's network first: the API attaches one at creation, the rest after.
        std::vector<std::string> names;
        for (const auto& [name, value] : *networks) names.push_back(name);
        std::stable_partition(names.begin(), names.end(), [&](const std::string& n) { return n == mode; });
        for (const auto& name : names) {
            auto from = networks->getObject(name);
            Array::Ptr aliases = new Array;
            if (auto old = from->getArray("Aliases"))
                for (std::size_t i = 0; i < old->size(); ++i) {
                    const std::string alias = old->getElement<std::string>(static_cast<unsigned>(i));
                    if (alias != short_id) aliases->add(alias);
                }
            Object::Ptr endpoint = new Object;
            endpoint->set("Aliases", aliases);
            if (from->has("Links") && !from->isNull("Links")) endpoint->set("Links", from->get("Links"));
            if (endpoints->size() == 0)
                endpoints->set(name, endpoint);
            else
                spec.more_networks.push_back({name, engine_json::text(endpoint)});
        }
    }
    Object::Ptr networking = new Object;
    networking->set("EndpointsConfig", endpoints);
    body.set("NetworkingConfig", networking);
    spec.body = engine_json::text(body);
    return spec;
} catch (const Poco::Exception&) {
    throw Error(ExitCode::RemoteError, "the Docker engine's container inspect is malformed (a member missing, such as "
                                       "Config.Labels, or of the wrong type)");
}

std::vector<Container> to_remove(std::vector<Container> containers, std::size_t count) {
    std::sort(containers.begin(), containers.end(), [](const Container& a, const Container& b) { return a.number > b.number; });
    if (containers.size() > count) containers.resize(count);
    return containers;
}

}  // namespace concierge::compose
