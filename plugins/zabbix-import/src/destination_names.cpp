#include "destination_names.hpp"

#include "export_merge.hpp"
#include "export_plan.hpp"

#include <Poco/JSON/Array.h>
#include <Poco/JSON/Parser.h>

namespace concierge::zabbix_import {

using namespace zabbix_format;

namespace {

bool prototypes(const std::string& kind) { return kind == "item_prototypes" || kind == "graph_prototypes"; }
std::string base(const std::string& kind) {
    if (kind == "item_prototypes") return "items";
    if (kind == "graph_prototypes") return "graphs";
    return kind;
}

}  // namespace

DestinationNames::DestinationNames(zabbix::Client& client, std::vector<ObjectKind> kinds)
    : client_(client), kinds_(std::move(kinds)) {}

bool DestinationNames::composite(const std::string& kind) {
    return base(kind) == "triggers" || base(kind) == "items" || base(kind) == "graphs";
}

const NameMap& DestinationNames::with(const std::set<std::string>& kinds) {
    for (const auto& kind : kinds)
        if (!composite(kind) && !fresh_.count(kind)) read(kind);
    return names_;
}

void DestinationNames::invalidate(const std::string& kind) {
    fresh_.erase(kind);
    if (kind == "drules") fresh_.erase("dchecks");
}

void DestinationNames::read(const std::string& kind) {
    names_.clear(kind);
    fresh_.insert(kind);
    for (const auto& list : id_map_lists(client_.version()))
        if (list.key == kind) {
            names_.add_list(kind, client_.call(list.request.method, list.request.params));
            return;
        }
    if (kind == "dchecks") {
        const auto rules = Poco::JSON::Parser().parse(client_.call(
            "drule.get", R"({"output":["druleid","name"],"selectDChecks":["dcheckid","type","key_","ports"]})"));
        for (const auto& rule_var : *rules.extract<Poco::JSON::Array::Ptr>()) {
            const auto rule = rule_var.extract<Poco::JSON::Object::Ptr>();
            const auto checks = rule->getArray("dchecks");
            for (std::size_t i = 0; checks && i < checks->size(); ++i) {
                const auto check = checks->getObject(static_cast<unsigned>(i));
                names_.add(kind, check->getValue<std::string>("dcheckid"),
                           dcheck_name(rule->getValue<std::string>("name"), check->optValue<std::string>("type", ""),
                                       check->optValue<std::string>("key_", ""), check->optValue<std::string>("ports", "")));
            }
        }
        return;
    }
    if (const auto* object_kind = find_kind(kinds_, kind)) {
        std::string params = R"({"output":[")" + object_kind->id_field + R"(",")" + object_kind->name_field + R"("])";
        if (object_kind->eventsource >= 0) params += R"(,"filter":{"eventsource":)" + std::to_string(object_kind->eventsource) + "}";
        names_.add_list(kind, client_.call(object_kind->api + ".get", params + "}"), object_kind->id_field, object_kind->name_field);
    }
}

void DestinationNames::resolve_ids(const std::string& kind, const std::vector<std::string>& ids) { resolve(kind, ids, true); }

void DestinationNames::resolve_keys(const std::string& kind, const std::vector<std::string>& keys) { resolve(kind, keys, false); }

void DestinationNames::resolve(const std::string& kind, const std::vector<std::string>& values, bool by_id) {
    if (values.empty()) return;
    Request request;
    if (base(kind) == "triggers") request = by_id ? name_triggers(values) : find_triggers(values);
    else if (base(kind) == "items") request = by_id ? name_items(values, prototypes(kind)) : find_items(values, prototypes(kind));
    else request = by_id ? name_graphs(values, prototypes(kind)) : find_graphs(values, prototypes(kind));
    names_.add_list(kind, composite_name_list(base(kind), client_.call(request.method, request.params)), "id", "name");
}

}  // namespace concierge::zabbix_import
