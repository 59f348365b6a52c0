#include "backup_set.hpp"

#include "backup_dir.hpp"
#include "export_plan.hpp"

#include <concierge/sdk/status.hpp>
#include <concierge/zabbix/json_scan.hpp>

#include <Poco/JSON/Object.h>
#include <Poco/JSON/Parser.h>

#include <fstream>
#include <iterator>
#include <system_error>

namespace concierge::zabbix_import {
namespace fs = std::filesystem;
namespace json = concierge::zabbix::json;
namespace files = concierge::zabbix_backup::files;

namespace {

[[noreturn]] void invalid(const std::string& message) { throw sdk::Error(sdk::ExitCode::InvalidInput, message); }

const char* const export_files[] = {files::hostgroups, files::templates, files::hosts};
const char* const get_files[] = {files::mediatypes, files::reg_actions, files::trigger_actions};

/// The text of a valid JSON document, or InvalidInput saying where it breaks.
std::string_view checked_json(const std::string& name, const std::string& text, const std::string& origin) {
    try {
        return json::value_of(text);
    } catch (const json::ScanError& e) {
        invalid(name + " in " + origin + " is not valid JSON (" + e.what() +
                "): the file is truncated or damaged; take the backup again or restore it from history "
                "(concierge zabbix-import --from-run ID)");
    }
}

void check_export(const std::string& name, const std::string& text, const std::string& origin) {
    const auto value = checked_json(name, text, origin);
    if (json::kind_of(value) == json::Kind::Object) {
        const auto inner = json::member(value, "zabbix_export");
        if (inner && json::kind_of(*inner) == json::Kind::Object) return;
    }
    invalid(name + " in " + origin + " is not a Zabbix export (no \"zabbix_export\" object); is this a backup directory?");
}

/// A *.get file: an array, or the earlier tool's literal null for none (read as []).
void check_get(const std::string& name, std::string& text, const std::string& origin) {
    const auto value = checked_json(name, text, origin);
    const auto kind = json::kind_of(value);
    if (kind == json::Kind::Null) {
        text = "[]";
        return;
    }
    if (kind != json::Kind::Array) invalid(name + " in " + origin + " should hold a JSON array (a *.get result) or null");
}

void check_id_map(const std::string& name, const std::string& text, const std::string& origin) {
    const auto value = checked_json(name, text, origin);
    if (json::kind_of(value) != json::Kind::Object)
        invalid(name + " in " + origin + " should hold an object of name/id lists");
    for (const auto& member : json::members(value))
        if (json::kind_of(member.value) != json::Kind::Array && json::kind_of(member.value) != json::Kind::Null)
            invalid(name + " in " + origin + ": \"" + std::string(member.key) + "\" should be a list");
}

std::string manifest_string(const Poco::JSON::Object::Ptr& object, const std::string& key) {
    return object && object->has(key) ? object->getValue<std::string>(key) : std::string();
}

}  // namespace

BackupSet::BackupSet(const Reader& read, std::string origin) : origin_(std::move(origin)) {
    // Every file as read, before any check: the manifest's sums are of these bytes.
    std::map<std::string, std::string> raw;
    auto fetch = [&](const std::string& name) -> std::string* {
        if (const auto found = raw.find(name); found != raw.end()) return &found->second;
        auto content = read(name);
        return content ? &(raw[name] = std::move(*content)) : nullptr;
    };
    if (std::string* manifest_text = fetch(files::manifest)) {
        Poco::JSON::Object::Ptr listed;
        try {
            const auto manifest = Poco::JSON::Parser().parse(std::string(checked_json(files::manifest, *manifest_text, origin_)))
                                      .extract<Poco::JSON::Object::Ptr>();
            source_version_ = manifest_string(manifest, "zabbix_version");
            listed = manifest->getObject("files");
        } catch (const Poco::Exception&) {
            listed = nullptr;
        }
        if (!listed) invalid(std::string(files::manifest) + " in " + origin_ + " has no \"files\" object; is it damaged?");
        for (const auto& name : listed->getNames()) {
            const std::string* content = fetch(name);
            if (!content) invalid(origin_ + " lacks " + name + ", which its manifest.json lists; the backup is incomplete");
            if (zabbix_backup::sha256_hex(*content) != manifest_string(listed->getObject(name), "sha256"))
                invalid(name + " in " + origin_ + " does not match its sha256 in manifest.json: it was truncated or "
                        "changed after the backup; take the backup again or restore it from history");
        }
        verified_ = true;
    }

    auto require = [&](const std::string& name) -> std::string& {
        std::string* content = fetch(name);
        if (!content)
            invalid(origin_ + " has no " + name + "; a backup holds " + files::templates + ", " + files::hostgroups +
                    ", " + files::hosts + ", " + files::mediatypes + ", " + files::reg_actions + ", " +
                    files::trigger_actions + " and " + files::id_map + " (or the earlier tool's " +
                    files::actions_data + ")");
        return files_[name] = std::move(*content);
    };
    for (const char* name : export_files) check_export(name, require(name), origin_);
    for (const char* name : get_files) check_get(name, require(name), origin_);
    // The earlier tool's first versions wrote only actions_data_orig.json (templates and host groups).
    if (!fetch(files::id_map) && fetch(files::actions_data)) raw[files::id_map] = std::move(raw[files::actions_data]);
    check_id_map(files::id_map, require(files::id_map), origin_);

    if (source_version_.empty()) {
        const auto inner = json::member(json::value_of(files_[files::templates]), "zabbix_export");
        const auto version = inner ? json::member(*inner, "version") : std::nullopt;
        source_version_ = version && json::kind_of(*version) == json::Kind::String ? json::unescape(*version) : "unknown";
    }
}

BackupSet BackupSet::from_directory(const fs::path& dir) {
    std::error_code error;
    if (!fs::is_directory(dir, error))
        invalid("the backup directory " + dir.string() + " does not exist or is not a directory; give --config-dir "
                "(ZBX_CONFIG_DIR) or --from-run ID");
    return BackupSet(
        [&dir](const std::string& name) -> std::optional<std::string> {
            std::ifstream in(dir / name, std::ios::binary);
            if (!in) return std::nullopt;
            return std::string(std::istreambuf_iterator<char>(in), {});
        },
        "directory " + dir.string());
}

BackupSet BackupSet::from_run(const sdk::Context& ctx, std::int64_t run_id) {
    const std::string origin = "run " + std::to_string(run_id);
    std::string manifest;
    const auto status = ctx.read_run_artifact(run_id, files::manifest, manifest);
    if (status.code == sdk::ExitCode::NotFound && status.message.find("no run") != std::string::npos)
        throw sdk::Error(sdk::ExitCode::NotFound, status.message + "; list backups with: concierge history --plugin zabbix-backup");
    if (status.code == sdk::ExitCode::NotFound)
        invalid(origin + " holds no complete backup (no manifest.json); choose a succeeded run of "
                "concierge history --plugin zabbix-backup --status succeeded");
    sdk::throw_if_failed(status);
    return BackupSet(
        [&ctx, run_id](const std::string& name) -> std::optional<std::string> {
            std::string content;
            const auto read = ctx.read_run_artifact(run_id, name, content);
            if (read.code == sdk::ExitCode::NotFound) return std::nullopt;
            sdk::throw_if_failed(read);
            return content;
        },
        origin);
}

const std::string& BackupSet::file(const std::string& name) const {
    const auto found = files_.find(name);
    if (found == files_.end()) throw sdk::Error(sdk::ExitCode::Failure, "internal: " + name + " was not read");
    return found->second;
}

void BackupSet::release(const std::string& name) {
    const auto found = files_.find(name);
    if (found != files_.end()) std::string().swap(found->second);
}

}  // namespace concierge::zabbix_import
