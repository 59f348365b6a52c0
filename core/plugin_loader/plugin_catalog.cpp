#include "plugin_loader/plugin_catalog.hpp"

#include <Poco/JSON/Array.h>
#include <Poco/JSON/Object.h>
#include <Poco/JSON/Parser.h>
#include <fmt/format.h>

#include <cerrno>
#include <csignal>
#include <cstdlib>
#include <cstring>
#include <fcntl.h>
#include <map>
#include <poll.h>
#include <spawn.h>
#include <sstream>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

extern char** environ;

namespace concierge::plugin_loader {

namespace fs = std::filesystem;

namespace {

using Poco::JSON::Array;
using Poco::JSON::Object;

// --- descriptions as JSON, the child's answer and the cache's entries ------------------------------

Object::Ptr to_json(const sdk::OptionSpec& spec) {
    Object::Ptr object = new Object;
    object->set("name", spec.name);
    object->set("short_name", spec.short_name ? std::string(1, spec.short_name) : std::string());
    object->set("help", spec.help);
    object->set("type", static_cast<int>(spec.type));
    object->set("default_value", spec.default_value);
    object->set("required", spec.required);
    object->set("positional", spec.positional);
    object->set("secret", spec.secret);
    object->set("from_command_line", spec.from_command_line);
    object->set("env", spec.env);
    object->set("config_key", spec.config_key);
    return object;
}

sdk::OptionSpec option_from_json(const Object& object) {
    const auto short_name = object.getValue<std::string>("short_name");
    return {.name = object.getValue<std::string>("name"),
            .short_name = short_name.empty() ? '\0' : short_name.front(),
            .help = object.getValue<std::string>("help"),
            .type = static_cast<sdk::OptionType>(object.getValue<int>("type")),
            .default_value = object.getValue<std::string>("default_value"),
            .required = object.getValue<bool>("required"),
            .positional = object.getValue<bool>("positional"),
            .secret = object.getValue<bool>("secret"),
            .from_command_line = object.getValue<bool>("from_command_line"),
            .env = object.getValue<std::string>("env"),
            .config_key = object.getValue<std::string>("config_key")};
}

Object::Ptr to_json(const Described& described) {
    Object::Ptr object = new Object;
    if (const auto* refusal = std::get_if<Refusal>(&described)) {
        object->set("refused", refusal->reason);
        object->set("broken", refusal->broken);
        return object;
    }
    const auto& plugin = std::get<PluginDescription>(described);
    object->set("name", plugin.name);
    object->set("version", plugin.version);
    object->set("summary", plugin.summary);
    object->set("abi_major", plugin.abi_major);
    object->set("abi_minor", plugin.abi_minor);
    object->set("description", plugin.description);
    Array::Ptr options = new Array;
    for (const auto& spec : plugin.options) options->add(to_json(spec));
    object->set("options", options);
    return object;
}

// Throws on anything but what to_json wrote.
Described from_json(const Object& object, const fs::path& path) {
    if (object.has("refused")) return Refusal{object.getValue<std::string>("refused"), object.getValue<bool>("broken")};
    PluginDescription plugin{object.getValue<std::string>("name"), object.getValue<std::string>("version"),
                             object.getValue<std::string>("summary"), object.getValue<std::uint32_t>("abi_major"),
                             object.getValue<std::uint32_t>("abi_minor"), path, {}, object.getValue<std::string>("description")};
    const auto options = object.getArray("options");
    if (!options) throw Poco::JSON::JSONException("no options");
    for (std::size_t i = 0; i < options->size(); ++i) {
        const auto option = options->getObject(static_cast<unsigned>(i));
        if (!option) throw Poco::JSON::JSONException("an option is not an object");
        plugin.options.push_back(option_from_json(*option));
    }
    return plugin;
}

std::string to_text(const Object::Ptr& object) {
    std::ostringstream text;
    object->stringify(text);
    return text.str();
}

bool write_all(int fd, const std::string& text) {
    for (std::size_t done = 0; done < text.size();) {
        const ssize_t n = ::write(fd, text.data() + done, text.size() - done);
        if (n < 0 && errno == EINTR) continue;
        if (n <= 0) return false;
        done += static_cast<std::size_t>(n);
    }
    return true;
}

// --- the probe --------------------------------------------------------------------------------------

struct Probe {
    Described described;
    bool cacheable = true;  // a timeout may be a busy machine: asked again next time
};

Refusal broken(std::string reason) { return {std::move(reason), true}; }

// Runs `concierge __describe-plugin PATH NAME` and reads its answer. exec, not a bare fork: the
// plugin's constructors run in a fresh process image that holds none of this one's threads, locks,
// open files or secrets, and whatever they do to it dies with it.
Probe probe(const PluginFile& file, const CatalogSetup& setup) {
    int out[2];
    if (::pipe2(out, O_CLOEXEC) != 0) return {broken(fmt::format("cannot describe it: pipe: {}", std::strerror(errno))), false};
    posix_spawn_file_actions_t actions;
    posix_spawn_file_actions_init(&actions);
    posix_spawn_file_actions_adddup2(&actions, out[1], STDOUT_FILENO);
    posix_spawn_file_actions_addopen(&actions, STDIN_FILENO, "/dev/null", O_RDONLY, 0);
    posix_spawn_file_actions_addopen(&actions, STDERR_FILENO, "/dev/null", O_WRONLY, 0);
    std::vector<std::string> args{setup.executable.string(), std::string(kDescribeCommand), file.path.string(), file.name};
    std::vector<char*> argv;
    for (auto& arg : args) argv.push_back(arg.data());
    argv.push_back(nullptr);
    pid_t pid = -1;
    const int spawn_error = posix_spawn(&pid, argv[0], &actions, nullptr, argv.data(), environ);
    posix_spawn_file_actions_destroy(&actions);
    ::close(out[1]);
    if (spawn_error != 0) {
        ::close(out[0]);
        return {broken(fmt::format("cannot describe it: cannot run {}: {}", args[0], std::strerror(spawn_error))), false};
    }

    std::string answer;
    bool timed_out = false;
    const auto deadline = std::chrono::steady_clock::now() + setup.timeout;
    for (;;) {
        const auto left = std::chrono::duration_cast<std::chrono::milliseconds>(deadline - std::chrono::steady_clock::now());
        pollfd ready{out[0], POLLIN, 0};
        const int polled = left.count() > 0 ? ::poll(&ready, 1, static_cast<int>(left.count())) : 0;
        if (polled < 0 && errno == EINTR) continue;
        if (polled <= 0) {
            timed_out = polled == 0;
            break;
        }
        char buffer[4096];
        const ssize_t n = ::read(out[0], buffer, sizeof buffer);
        if (n < 0 && errno == EINTR) continue;
        if (n <= 0) break;
        answer.append(buffer, static_cast<std::size_t>(n));
    }
    ::close(out[0]);
    if (timed_out) ::kill(pid, SIGKILL);
    int status = 0;
    while (::waitpid(pid, &status, 0) < 0 && errno == EINTR) {
    }
    if (timed_out) return {broken(fmt::format("its code did not finish being described within {} s", setup.timeout.count())), false};
    if (WIFSIGNALED(status)) {
        const int signal = WTERMSIG(status);
        return {broken(fmt::format("its code {} while being described (signal {})", signal == SIGABRT ? "aborted" : "crashed", signal))};
    }
    if (WEXITSTATUS(status) != 0) return {broken(fmt::format("its code exited with status {} while being described", WEXITSTATUS(status)))};
    try {
        const auto object = Poco::JSON::Parser().parse(answer).extract<Object::Ptr>();
        if (object) return {from_json(*object, file.path)};
    } catch (const std::exception&) {  // Poco's too
    }
    return {broken("its code exited while being described, without an answer")};
}

// --- the cache --------------------------------------------------------------------------------------

// What changes whenever the library does: a rebuilt, replaced or relinked file misses the cache.
struct FileKey {
    std::uint64_t device = 0;
    std::uint64_t inode = 0;
    std::int64_t size = 0;
    std::int64_t mtime_ns = 0;
    bool operator==(const FileKey&) const = default;
};

std::optional<FileKey> key_of(const fs::path& path) {
    struct stat info {};
    if (::stat(path.c_str(), &info) != 0) return std::nullopt;
    return FileKey{info.st_dev, info.st_ino, info.st_size, std::int64_t{info.st_mtim.tv_sec} * 1000000000 + info.st_mtim.tv_nsec};
}

struct CacheEntry {
    FileKey key;
    Object::Ptr description;
};
using Cache = std::map<std::string, CacheEntry>;

// Another concierge may judge the same library differently (a newer ABI minor, another toolchain).
std::string core_identity() {
    return fmt::format("concierge {} ABI {}.{} {}", CONCIERGE_VERSION, CONCIERGE_SDK_ABI_MAJOR, CONCIERGE_SDK_ABI_MINOR,
                       CONCIERGE_SDK_TOOLCHAIN);
}

// The cache directory, if it is a real directory only we (or root) can write: a cache others can
// write could make a broken plugin look runnable.
bool private_directory(const fs::path& directory) {
    struct stat info {};
    return ::lstat(directory.c_str(), &info) == 0 && S_ISDIR(info.st_mode) &&
           !untrusted_because(directory, info.st_mode, info.st_uid, ::getuid());
}

// A cache of even hundreds of plugins' descriptions is well under this; a larger file is not read.
constexpr off_t max_cache_bytes = off_t{16} << 20;

// Empty when missing, unreadable, untrusted, corrupt, too large or from another concierge: it is
// only a cache.
Cache read_cache(const fs::path& file) {
    if (!private_directory(file.parent_path())) return {};
    const int fd = ::open(file.c_str(), O_RDONLY | O_NOFOLLOW | O_CLOEXEC);
    if (fd < 0) return {};
    struct stat info {};
    std::string text;
    if (::fstat(fd, &info) == 0 && S_ISREG(info.st_mode) && info.st_size <= max_cache_bytes &&
        !untrusted_because(file, info.st_mode, info.st_uid, ::getuid())) {
        char buffer[65536];
        for (ssize_t n; text.size() <= static_cast<std::size_t>(max_cache_bytes) && (n = ::read(fd, buffer, sizeof buffer)) > 0;)
            text.append(buffer, static_cast<std::size_t>(n));
    }
    ::close(fd);
    Cache cache;
    try {
        const auto root = Poco::JSON::Parser().parse(text).extract<Object::Ptr>();
        if (!root || root->getValue<std::string>("core") != core_identity()) return {};
        const auto plugins = root->getObject("plugins");
        if (!plugins) return {};
        for (const auto& [path, value] : *plugins) {
            const auto entry = value.extract<Object::Ptr>();
            cache[path] = {{entry->getValue<std::uint64_t>("device"), entry->getValue<std::uint64_t>("inode"),
                            entry->getValue<std::int64_t>("size"), entry->getValue<std::int64_t>("mtime_ns")},
                           entry->getObject("description")};
            if (!cache[path].description) return {};
        }
    } catch (const std::exception&) {  // Poco's too
        return {};
    }
    return cache;
}

// Written whole to a private temporary file and renamed over the old one, so a reader never sees
// half a cache; entries of files that are gone or changed are dropped.
void write_cache(const fs::path& file, Cache cache) {
    std::erase_if(cache, [](const auto& entry) { return key_of(entry.first) != entry.second.key; });
    const fs::path directory = file.parent_path();
    std::error_code error;
    fs::create_directories(directory.parent_path(), error);
    if (::mkdir(directory.c_str(), 0700) != 0 && errno != EEXIST) return;
    if (!private_directory(directory)) return;

    Object::Ptr plugins = new Object;
    for (const auto& [path, entry] : cache) {
        Object::Ptr object = new Object;
        object->set("device", entry.key.device);
        object->set("inode", entry.key.inode);
        object->set("size", entry.key.size);
        object->set("mtime_ns", entry.key.mtime_ns);
        object->set("description", entry.description);
        plugins->set(path, object);
    }
    Object::Ptr root = new Object;
    root->set("core", core_identity());
    root->set("plugins", plugins);

    const fs::path temporary = directory / fmt::format(".{}.{}.tmp", file.filename().string(), ::getpid());
    const int fd = ::open(temporary.c_str(), O_WRONLY | O_CREAT | O_EXCL | O_NOFOLLOW | O_CLOEXEC, 0600);
    if (fd < 0) return;
    const bool written = write_all(fd, to_text(root));
    if (::close(fd) != 0 || !written || ::rename(temporary.c_str(), file.c_str()) != 0) ::unlink(temporary.c_str());
}

Described describe_one(const PluginFile& file, const CatalogSetup& setup, Cache& cache, bool& changed) {
    if (auto reason = trust_problem(file.path)) return Refusal{*reason};  // never opened, not even by the probe
    // Taken before probing: a file replaced meanwhile is described again next time.
    const auto key = key_of(file.path);
    const std::string id = file.path.string();
    if (const auto cached = cache.find(id); key && cached != cache.end() && cached->second.key == *key) {
        try {
            return from_json(*cached->second.description, file.path);
        } catch (const std::exception&) {
            // a damaged entry: probed again below and overwritten
        }
    }
    auto probed = probe(file, setup);
    if (key && probed.cacheable) {
        cache[id] = {*key, to_json(probed.described)};
        changed = true;
    }
    return std::move(probed.described);
}

}  // namespace

std::optional<fs::path> cache_file_from_environment() {
    const char* xdg = std::getenv("XDG_CACHE_HOME");
    if (xdg && fs::path(xdg).is_absolute()) return fs::path(xdg) / "concierge" / "plugins.json";
    const char* home = std::getenv("HOME");
    if (home && fs::path(home).is_absolute()) return fs::path(home) / ".cache" / "concierge" / "plugins.json";
    return std::nullopt;
}

std::vector<Described> describe(const std::vector<PluginFile>& files, const CatalogSetup& setup) {
    Cache cache = setup.cache_file ? read_cache(*setup.cache_file) : Cache{};
    bool changed = false;
    std::vector<Described> described;
    for (const auto& file : files) described.push_back(describe_one(file, setup, cache, changed));
    if (changed && setup.cache_file) write_cache(*setup.cache_file, std::move(cache));
    return described;
}

Described describe(const PluginFile& file, const CatalogSetup& setup) { return std::move(describe(std::vector<PluginFile>{file}, setup).front()); }

int describe_command(const fs::path& path, const std::string& name) {
    const int answer = ::fcntl(STDOUT_FILENO, F_DUPFD_CLOEXEC, 3);
    const int null = ::open("/dev/null", O_WRONLY | O_CLOEXEC);
    if (answer < 0 || null < 0 || ::dup2(null, STDOUT_FILENO) < 0) return EXIT_FAILURE;
    ::close(null);
    const auto loaded = load(path, name);
    const auto* plugin = std::get_if<LoadedPlugin>(&loaded);
    const Described described = plugin ? Described{static_cast<const PluginDescription&>(*plugin)} : Described{std::get<Refusal>(loaded)};
    return write_all(answer, to_text(to_json(described))) ? EXIT_SUCCESS : EXIT_FAILURE;
}

}  // namespace concierge::plugin_loader
