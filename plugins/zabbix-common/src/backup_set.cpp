#include "backup_set.hpp"

#include "backup_dir.hpp"
#include "export_plan.hpp"
#include "object_kinds.hpp"

#include <concierge/sdk/status.hpp>
#include <concierge/zabbix/json_scan.hpp>

#include <Poco/JSON/Object.h>
#include <Poco/JSON/Parser.h>

#include <cerrno>
#include <cstring>
#include <set>

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

namespace concierge::zabbix_format {
namespace fs = std::filesystem;
namespace json = concierge::zabbix::json;

namespace {

[[noreturn]] void invalid(const std::string& message) { throw sdk::Error(sdk::ExitCode::InvalidInput, message); }

const char* const export_files[] = {files::hostgroups, files::templates, files::hosts};
const char* const get_files[] = {files::reg_actions, files::trigger_actions};

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

bool is_export(std::string_view value) {
    if (json::kind_of(value) != json::Kind::Object) return false;
    const auto inner = json::member(value, "zabbix_export");
    return inner && json::kind_of(*inner) == json::Kind::Object;
}

void check_export(const std::string& name, const std::string& text, const std::string& origin) {
    if (!is_export(checked_json(name, text, origin)))
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

/// An action file holds the actions of its one event source: an action in another file would be
/// restored as something it is not.
void check_event_source(const ObjectKind& kind, const std::string& text, const std::string& origin) {
    for (const auto element : json::elements(json::value_of(text))) {
        const auto source = json::kind_of(element) == json::Kind::Object ? json::member(element, "eventsource") : std::nullopt;
        const std::string value = source ? (json::kind_of(*source) == json::Kind::String ? json::unescape(*source)
                                                                                           : std::string(*source))
                                         : std::string("none");
        if (value == std::to_string(kind.eventsource)) continue;
        const auto name = json::kind_of(element) == json::Kind::Object ? json::member(element, "name") : std::nullopt;
        invalid(kind.file + " in " + origin + " holds " +
                (name && json::kind_of(*name) == json::Kind::String ? "the action '" + json::unescape(*name) + "'"
                                                                     : std::string("an action")) + " of event source " + value +
                ", but it may hold only " + kind.label + "s (event source " + std::to_string(kind.eventsource) +
                "); the backup was changed after it was taken: take it again or restore it from history");
    }
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

/// A name the manifest may use: a backup file's own name, never a path.
bool plain_file_name(const std::string& name) {
    return !name.empty() && name != "." && name != ".." && name.find('/') == std::string::npos &&
           name.find('\0') == std::string::npos;
}

std::string mib(std::uint64_t bytes) { return std::to_string(bytes >> 20) + " MiB"; }

}  // namespace

BackupSet::BackupSet(const Reader& read, std::string origin, std::uint64_t max_file_bytes) : origin_(std::move(origin)) {
    // Every file as read, before any check: the manifest's sums are of these bytes.
    std::map<std::string, std::string> raw;
    std::set<std::string> absent;
    auto fetch = [&](const std::string& name) -> std::string* {
        if (const auto found = raw.find(name); found != raw.end()) return &found->second;
        if (absent.count(name)) return nullptr;
        auto content = read(name);
        if (!content) {
            absent.insert(name);
            return nullptr;
        }
        if (content->size() > max_file_bytes)
            invalid(name + " in " + origin_ + " is larger than the " + mib(max_file_bytes) +
                    " a backup file may be (--max-file-size); is it a backup file?");
        return &(raw[name] = std::move(*content));
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
            if (!plain_file_name(name) || !is_backup_file_name(name) || name == files::manifest)
                invalid(std::string(files::manifest) + " in " + origin_ + " names \"" + name +
                        "\", which is not a backup file; a manifest lists only the backup's own files by name: the "
                        "backup was changed after it was taken");
            const std::string* content = fetch(name);
            if (!content) invalid(origin_ + " lacks " + name + ", which its manifest.json lists; the backup is incomplete");
            if (sha256_hex(*content) != manifest_string(listed->getObject(name), "sha256"))
                invalid(name + " in " + origin_ + " does not match its sha256 in manifest.json: it was truncated or "
                        "changed after the backup; take the backup again or restore it from history");
        }
        // Every file read must be one the manifest vouches for.
        for (const auto& name : backup_file_names())
            if (name != files::manifest && !listed->has(name) && fetch(name))
                invalid(origin_ + " holds " + name + ", which its manifest.json does not list: the backup was changed "
                        "after it was taken; take it again or restore it from history");
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
    // Media types: our mediatype.get list, or the earlier tool's configuration.export document.
    auto& mediatypes = require(files::mediatypes);
    mediatypes_exported_ = is_export(checked_json(files::mediatypes, mediatypes, origin_));
    if (!mediatypes_exported_) check_get(files::mediatypes, mediatypes, origin_);
    // The earlier tool's first versions wrote only actions_data_orig.json (templates and host groups).
    if (!fetch(files::id_map) && fetch(files::actions_data)) raw[files::id_map] = std::move(raw[files::actions_data]);
    check_id_map(files::id_map, require(files::id_map), origin_);

    // Format 2: the other kinds, each when the backup has it.
    for (const char* name : {files::images, files::maps})
        if (fetch(name)) check_export(name, require(name), origin_);
    for (const auto& kind : every_object_kind()) {
        if (!files_.count(kind.file) && fetch(kind.file)) check_get(kind.file, require(kind.file), origin_);
        if (kind.eventsource >= 0 && files_.count(kind.file)) check_event_source(kind, files_[kind.file], origin_);
    }

    if (source_version_.empty()) {
        const auto inner = json::member(json::value_of(files_[files::templates]), "zabbix_export");
        const auto version = inner ? json::member(*inner, "version") : std::nullopt;
        source_version_ = version && json::kind_of(*version) == json::Kind::String ? json::unescape(*version) : "unknown";
    }
}

BackupSet BackupSet::from_directory(const fs::path& dir, std::uint64_t max_file_bytes) {
    const int dir_fd = ::open(dir.c_str(), O_RDONLY | O_DIRECTORY | O_CLOEXEC);
    if (dir_fd < 0)
        invalid("the backup directory " + dir.string() + " does not exist or is not a directory; give --config-dir "
                "(ZBX_CONFIG_DIR) or --from-run ID");
    const std::string origin = "directory " + dir.string();
    struct Closer {
        int fd;
        ~Closer() { ::close(fd); }
    } closer{dir_fd};
    return BackupSet(
        [dir_fd, &origin, max_file_bytes](const std::string& name) -> std::optional<std::string> {
            // No symlink is followed, and nothing but a regular file is read (a FIFO would block).
            const int fd = ::openat(dir_fd, name.c_str(), O_RDONLY | O_NOFOLLOW | O_NONBLOCK | O_CLOEXEC);
            if (fd < 0 && errno == ENOENT) return std::nullopt;
            if (fd < 0 && errno == ELOOP)
                invalid(name + " in " + origin + " is a symbolic link; a backup's files are read only as the files themselves");
            if (fd < 0) invalid("cannot read " + name + " in " + origin + ": " + std::strerror(errno));
            Closer file{fd};
            struct stat info {};
            if (::fstat(fd, &info) != 0 || !S_ISREG(info.st_mode))
                invalid(name + " in " + origin + " is not a regular file; a backup holds only files");
            if (static_cast<std::uint64_t>(info.st_size) > max_file_bytes)
                invalid(name + " in " + origin + " is " + std::to_string(info.st_size) + " bytes, more than the " +
                        mib(max_file_bytes) + " a backup file may be (--max-file-size); is it a backup file?");
            std::string content(static_cast<std::size_t>(info.st_size), '\0');
            std::size_t done = 0;
            while (done < content.size()) {
                const ssize_t n = ::read(fd, content.data() + done, content.size() - done);
                if (n < 0 && errno == EINTR) continue;
                if (n < 0) invalid("cannot read " + name + " in " + origin + ": " + std::strerror(errno));
                if (n == 0) break;  // shrank while read: the sums will say so
                done += static_cast<std::size_t>(n);
            }
            content.resize(done);
            return content;
        },
        origin, max_file_bytes);
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

}  // namespace concierge::zabbix_format
