#include "backup_set.hpp"

#include "backup_dir.hpp"
#include "export_plan.hpp"
#include "object_kinds.hpp"

#include <concierge/sdk/status.hpp>
#include <concierge/zabbix/json_scan.hpp>

#include <algorithm>
#include <cerrno>
#include <charconv>
#include <cstring>
#include <set>
#include <utility>

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

/// The deepest nesting a backup file may have: POCO's parser, which reads the files later, refuses
/// deeper text (its default depth) with an exception that names nothing. A Zabbix export nests
/// about ten levels.
constexpr std::size_t max_json_depth = 128;

/// "line L, column C (byte N)" of `offset` in `text`: lines and columns count from 1, columns in bytes.
std::string position(std::string_view text, std::size_t offset) {
    offset = std::min(offset, text.size());
    const std::string_view before = text.substr(0, offset);
    const std::size_t line_start = before.rfind('\n') == std::string_view::npos ? 0 : before.rfind('\n') + 1;
    std::string out = "line ";
    out += std::to_string(std::count(before.begin(), before.end(), '\n') + 1);
    out += ", column ";
    out += std::to_string(offset - line_start + 1);
    out += " (byte ";
    out += std::to_string(offset);
    out += ')';
    return out;
}

/// The offset of the first byte that is not well-formed UTF-8 (overlong forms, surrogates and
/// code points past U+10FFFF included), or npos.
std::size_t invalid_utf8_at(std::string_view text) {
    const auto* bytes = reinterpret_cast<const unsigned char*>(text.data());
    for (std::size_t pos = 0; pos < text.size();) {
        const unsigned char lead = bytes[pos];
        if (lead < 0x80) {
            ++pos;
            continue;
        }
        if (lead < 0xC2 || lead > 0xF4) return pos;
        const std::size_t length = lead < 0xE0 ? 2 : lead < 0xF0 ? 3 : 4;
        // The second byte's range excludes overlong forms, surrogates and code points past U+10FFFF.
        const unsigned char low = lead == 0xE0 ? 0xA0 : lead == 0xF0 ? 0x90 : 0x80;
        const unsigned char high = lead == 0xED ? 0x9F : lead == 0xF4 ? 0x8F : 0xBF;
        if (pos + length > text.size() || bytes[pos + 1] < low || bytes[pos + 1] > high) return pos;
        for (std::size_t i = 2; i < length; ++i)
            if ((bytes[pos + i] & 0xC0) != 0x80) return pos;
        pos += length;
    }
    return std::string_view::npos;
}

/// The offset of the first bracket that opens more than `limit` levels (outside strings), or npos.
std::size_t too_deep_at(std::string_view text, std::size_t limit) {
    std::size_t depth = 0;
    bool in_string = false;
    for (std::size_t pos = 0; pos < text.size(); ++pos) {
        const char c = text[pos];
        if (in_string) {
            if (c == '\\') ++pos;
            else if (c == '"') in_string = false;
        } else if (c == '"') {
            in_string = true;
        } else if (c == '{' || c == '[') {
            if (++depth > limit) return pos;
        } else if ((c == '}' || c == ']') && depth > 0) {
            --depth;
        }
    }
    return std::string_view::npos;
}

/// The scanner's offset in its "malformed JSON at byte N: why", and the why.
std::pair<std::size_t, std::string> scan_failure(const json::ScanError& e) {
    static constexpr std::string_view prefix = "malformed JSON at byte ";
    const std::string_view what = e.what();
    std::size_t offset = 0;
    const auto [end, error] = std::from_chars(what.data() + std::min(prefix.size(), what.size()), what.data() + what.size(), offset);
    if (!what.starts_with(prefix) || error != std::errc() || !std::string_view(end, what.data() + what.size()).starts_with(": "))
        return {std::string_view::npos, std::string(what)};
    return {offset, std::string(end + 2, what.data() + what.size())};
}

/// InvalidInput naming the file and the position of `offset` in it (none when npos).
[[noreturn]] void invalid_at(const std::string& name, const std::string& origin, std::string_view text, std::size_t offset,
                             const std::string& what) {
    std::string message = name + " in " + origin;
    if (offset != std::string_view::npos) message += " at " + position(text, offset);
    invalid(message + ": " + what);
}

/// The same, at where `part`, a view into `text`, starts.
[[noreturn]] void invalid_at(const std::string& name, const std::string& origin, std::string_view text, std::string_view part,
                             const std::string& what) {
    invalid_at(name, origin, text, static_cast<std::size_t>(part.data() - text.data()), what);
}

[[noreturn]] void malformed(const std::string& name, const std::string& origin, std::string_view text, std::size_t offset,
                            const std::string& why) {
    invalid_at(name, origin, text, offset,
               "not valid JSON: " + why + "; the file is truncated or damaged: take the backup again or restore it "
               "from history (concierge zabbix-import --from-run ID)");
}

/// The text of a valid JSON document that POCO may parse, or InvalidInput saying where it breaks.
std::string_view checked_json(const std::string& name, const std::string& text, const std::string& origin) {
    if (const auto bad = invalid_utf8_at(text); bad != std::string_view::npos) malformed(name, origin, text, bad, "not UTF-8");
    if (const auto deep = too_deep_at(text, max_json_depth); deep != std::string_view::npos)
        malformed(name, origin, text, deep, "nested deeper than " + std::to_string(max_json_depth) + " levels");
    try {
        return json::value_of(text);
    } catch (const json::ScanError& e) {
        const auto [offset, why] = scan_failure(e);
        malformed(name, origin, text, offset, why);
    }
}

const char* kind_name(json::Kind kind) {
    switch (kind) {
    case json::Kind::Object: return "an object";
    case json::Kind::Array: return "an array";
    case json::Kind::String: return "a string";
    case json::Kind::Number: return "a number";
    case json::Kind::True: case json::Kind::False: return "a boolean";
    case json::Kind::Null: return "null";
    }
    return "a value";
}

bool is_export(std::string_view value) {
    if (json::kind_of(value) != json::Kind::Object) return false;
    const auto inner = json::member(value, "zabbix_export");
    return inner && json::kind_of(*inner) == json::Kind::Object;
}

void check_export(const std::string& name, const std::string& text, const std::string& origin) {
    const auto value = checked_json(name, text, origin);
    if (!is_export(value))
        invalid_at(name, origin, text, value, "not a Zabbix export (no \"zabbix_export\" object); is this a backup directory?");
}

/// A *.get file: an array, or the earlier tool's literal null for none (read as []).
void check_get(const std::string& name, std::string& text, const std::string& origin) {
    const auto value = checked_json(name, text, origin);
    const auto kind = json::kind_of(value);
    if (kind == json::Kind::Null) {
        text = "[]";
        return;
    }
    if (kind != json::Kind::Array)
        invalid_at(name, origin, text, value,
                   std::string("should hold a JSON array (a *.get result) or null, not ") + kind_name(kind));
    for (const auto element : json::elements(value))
        if (json::kind_of(element) != json::Kind::Object)
            invalid_at(name, origin, text, element,
                       std::string("a *.get result lists objects, not ") + kind_name(json::kind_of(element)));
}

/// An action file holds the actions of its one event source: an action in another file would be
/// restored as something it is not.
void check_event_source(const ObjectKind& kind, const std::string& text, const std::string& origin) {
    for (const auto element : json::elements(json::value_of(text))) {
        const auto source = json::member(element, "eventsource");  // an object: check_get said so
        const std::string value = source ? (json::kind_of(*source) == json::Kind::String ? json::unescape(*source)
                                                                                           : std::string(*source))
                                         : std::string("none");
        if (value == std::to_string(kind.eventsource)) continue;
        const auto name = json::member(element, "name");
        invalid_at(kind.file, origin, text, element,
                   "holds " +
                       (name && json::kind_of(*name) == json::Kind::String ? "the action '" + json::unescape(*name) + "'"
                                                                            : std::string("an action")) +
                       " of event source " + value + ", but it may hold only " + kind.label + "s (event source " +
                       std::to_string(kind.eventsource) +
                       "); the backup was changed after it was taken: take it again or restore it from history");
    }
}

/// `text` between double quotes, as is (a raw key is a string token's inside).
std::string in_quotes(std::string_view text) {
    std::string out = "\"";
    out.append(text).append("\"");
    return out;
}

/// The id map: {kind: [{...names and ids...}] or null}.
void check_id_map(const std::string& name, const std::string& text, const std::string& origin) {
    const auto value = checked_json(name, text, origin);
    if (json::kind_of(value) != json::Kind::Object)
        invalid_at(name, origin, text, value,
                   std::string("should hold an object of name/id lists, not ") + kind_name(json::kind_of(value)));
    for (const auto& member : json::members(value)) {
        const auto kind = json::kind_of(member.value);
        if (kind == json::Kind::Null) continue;
        if (kind != json::Kind::Array)
            invalid_at(name, origin, text, member.value,
                       in_quotes(member.key) + " should be a list, not " + kind_name(kind));
        for (const auto element : json::elements(member.value)) {
            if (json::kind_of(element) != json::Kind::Object)
                invalid_at(name, origin, text, element,
                           in_quotes(member.key) + " should list objects, not " + kind_name(json::kind_of(element)));
            for (const auto& field : json::members(element)) {
                const auto field_kind = json::kind_of(field.value);
                if (field_kind != json::Kind::String && field_kind != json::Kind::Number)
                    invalid_at(name, origin, text, field.value,
                               in_quotes(field.key) + " should be a name or an id, not " + kind_name(field_kind));
            }
        }
    }
}

/// A name the manifest may use: a backup file's own name, never a path.
bool plain_file_name(const std::string& name) {
    return !name.empty() && name != "." && name != ".." && name.find('/') == std::string::npos &&
           name.find('\0') == std::string::npos;
}

/// What manifest.json says: the Zabbix version and each file's sha256, by file name.
struct Manifest {
    std::string zabbix_version;
    std::map<std::string, std::string> sha256;
};

Manifest read_manifest(const std::string& text, const std::string& origin) {
    const std::string name = files::manifest;
    const auto string_at = [&](std::string_view value, const std::string& what) {
        if (json::kind_of(value) != json::Kind::String)
            invalid_at(name, origin, text, value, what + " should be a string, not " + kind_name(json::kind_of(value)));
        return json::unescape(value);
    };
    const auto value = checked_json(name, text, origin);
    const auto files = json::kind_of(value) == json::Kind::Object ? json::member(value, "files") : std::nullopt;
    if (!files || json::kind_of(*files) != json::Kind::Object)
        invalid_at(name, origin, text, files ? *files : value, "no \"files\" object; is it damaged?");
    Manifest manifest;
    if (const auto version = json::member(value, "zabbix_version")) manifest.zabbix_version = string_at(*version, "\"zabbix_version\"");
    for (const auto& [key, entry] : json::members(*files)) {
        const std::string file = json::unescape(in_quotes(key));
        if (!plain_file_name(file) || !is_backup_file_name(file) || file == files::manifest)
            invalid_at(name, origin, text, key,
                       "names " + in_quotes(file) + ", which is not a backup file; a manifest lists only the backup's own files "
                       "by name: the backup was changed after it was taken");
        const auto sum = json::kind_of(entry) == json::Kind::Object ? json::member(entry, "sha256") : std::nullopt;
        if (!sum) invalid_at(name, origin, text, entry, "the entry of " + file + " has no \"sha256\"; is it damaged?");
        manifest.sha256[file] = string_at(*sum, "the sha256 of " + file);
    }
    return manifest;
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
        const Manifest manifest = read_manifest(*manifest_text, origin_);
        source_version_ = manifest.zabbix_version;
        for (const auto& [name, sha256] : manifest.sha256) {
            const std::string* content = fetch(name);
            if (!content) invalid(origin_ + " lacks " + name + ", which its manifest.json lists; the backup is incomplete");
            if (sha256_hex(*content) != sha256)
                invalid(name + " in " + origin_ + " does not match its sha256 in manifest.json: it was truncated or "
                        "changed after the backup; take the backup again or restore it from history");
        }
        // Every file read must be one the manifest vouches for.
        for (const auto& name : backup_file_names())
            if (name != files::manifest && !manifest.sha256.count(name) && fetch(name))
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
