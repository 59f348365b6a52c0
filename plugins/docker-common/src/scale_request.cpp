#include "scale_request.hpp"

#include <cctype>
#include <cerrno>
#include <charconv>
#include <cstdlib>
#include <atomic>
#include <filesystem>
#include <mutex>
#include <optional>
#include <thread>
#include <system_error>
#include <utility>

#include <cstring>
#include <fcntl.h>
#include <sys/stat.h>
#include <sys/file.h>
#include <unistd.h>

namespace concierge::scaling {
namespace {

namespace fs = std::filesystem;
using sdk::Error;
using sdk::ExitCode;

constexpr const char* shapes = "give `up|down COMPONENT CURRENT DELTA` or `COMPONENT --replicas N`";

std::int64_t count_argument(const std::string& text, const char* what) {
    std::int64_t value = 0;
    const auto [end, error] = std::from_chars(text.data(), text.data() + text.size(), value);
    if (error != std::errc() || end != text.data() + text.size() || text.empty())
        throw Error(ExitCode::Usage, std::string(what) + " '" + text + "' is not a whole number; " + shapes);
    if (value < 0) throw Error(ExitCode::Usage, std::string(what) + " " + text + " is below zero; " + shapes);
    return value;
}

std::int64_t now_millis() {
    return std::chrono::duration_cast<std::chrono::milliseconds>(std::chrono::system_clock::now().time_since_epoch())
        .count();
}

// One place per user whatever the environment says: a shell has XDG_RUNTIME_DIR and TMPDIR, cron
// has neither, and both must find the same lock.
fs::path lock_directory(const sdk::Context& ctx) {
    if (auto dir = ctx.env("CONCIERGE_LOCK_DIR"); dir && !dir->empty()) return *dir;
    if (::geteuid() == 0) return "/run/concierge";
    return "/tmp/concierge-" + std::to_string(::geteuid());
}

[[noreturn]] void unusable_lock(const fs::path& path, const std::string& why) {
    throw Error(ExitCode::Failure, "cannot use the lock " + path.string() + ": " + why +
                                       "; fix it, or set CONCIERGE_LOCK_DIR to a private directory");
}

// Ours alone, as the certificate directory is: whoever can write there can hold our lock forever
// or swap the file under us. Returns the directory's descriptor.
int open_lock_directory(const fs::path& dir) {
    if (::mkdir(dir.c_str(), 0700) != 0 && errno != EEXIST) unusable_lock(dir, std::strerror(errno));
    const int fd = ::open(dir.c_str(), O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
    if (fd < 0) unusable_lock(dir, errno == ELOOP || errno == ENOTDIR ? "it is not a directory" : std::strerror(errno));
    struct stat info {};
    std::string why;
    if (::fstat(fd, &info) != 0) why = std::strerror(errno);
    else if (info.st_uid != ::geteuid()) why = "it belongs to another user";
    else if ((info.st_mode & 077) != 0) why = "others can use it; chmod 700 it";
    if (!why.empty()) {
        ::close(fd);
        unusable_lock(dir, why);
    }
    return fd;
}

int open_lock_file(const fs::path& dir, const std::string& name) {
    const int dir_fd = open_lock_directory(dir);
    const int fd = ::openat(dir_fd, name.c_str(), O_RDWR | O_CREAT | O_NOFOLLOW | O_CLOEXEC, 0600);
    const int why = errno;
    ::close(dir_fd);
    if (fd < 0) unusable_lock(dir / name, why == ELOOP ? "it is a symbolic link" : std::strerror(why));
    struct stat info {};
    if (::fstat(fd, &info) != 0 || !S_ISREG(info.st_mode) || info.st_uid != ::geteuid()) {
        ::close(fd);
        unusable_lock(dir / name, "it is not a regular file of this user");
    }
    return fd;
}

}  // namespace

std::vector<sdk::OptionSpec> scale_options() {
    return {
        {.name = "target", .help = "`up` or `down` (then COMPONENT CURRENT DELTA), or the COMPONENT with --replicas", .positional = true},
        {.name = "component", .help = "with up|down: the service to scale", .positional = true},
        {.name = "current", .help = "with up|down: the count the caller believes is running; checked", .positional = true},
        {.name = "delta", .help = "with up|down: how many replicas to add or remove", .positional = true},
        {.name = "replicas", .short_name = 'r', .help = "the count to scale to", .type = sdk::OptionType::Integer},
        {.name = "force", .help = "scale even when CURRENT disagrees with the engine (DELTA applies to the actual count)",
         .type = sdk::OptionType::Flag},
        {.name = "min", .help = "never scale below this count", .type = sdk::OptionType::Integer, .default_value = "0"},
        {.name = "max", .help = "never scale above this count", .type = sdk::OptionType::Integer},
        {.name = "allow-zero", .help = "allow scaling to 0 replicas", .type = sdk::OptionType::Flag},
        {.name = "cooldown", .help = "refuse a scale within this time of the last successful scale of the service",
         .type = sdk::OptionType::Duration, .default_value = "0s"},
        lock_timeout_option(),
    };
}

sdk::OptionSpec lock_timeout_option() {
    return {.name = "lock-timeout", .help = "how long to wait while another run scales the same service, then exit 10",
            .type = sdk::OptionType::Duration, .default_value = "5m"};
}

Request parse_request(const std::vector<std::string>& positional, std::optional<std::int64_t> replicas) {
    Request request;
    if (!positional.empty() && (positional[0] == "up" || positional[0] == "down")) {
        if (positional.size() != 4) throw Error(ExitCode::Usage, "`" + positional[0] + "` needs COMPONENT CURRENT DELTA; " + shapes);
        if (replicas) throw Error(ExitCode::Usage, "--replicas does not go with `" + positional[0] + "`; " + shapes);
        request.component = positional[1];
        request.expected = count_argument(positional[2], "CURRENT");
        const std::int64_t delta = count_argument(positional[3], "DELTA");
        if (delta == 0) throw Error(ExitCode::Usage, "DELTA is 0: nothing to scale");
        request.delta = positional[0] == "up" ? delta : -delta;
        if (*request.expected + request.delta < 0)
            throw Error(ExitCode::Usage, "cannot scale " + request.component + " below zero: " + positional[2] + " - " +
                                             positional[3] + " < 0");
    } else {
        if (positional.size() != 1 || !replicas) throw Error(ExitCode::Usage, shapes);
        if (*replicas < 0)
            throw Error(ExitCode::Usage, "--replicas " + std::to_string(*replicas) + " is below zero; a count is 0 or more");
        request.component = positional[0];
        request.replicas = replicas;
    }
    if (request.component.empty()) throw Error(ExitCode::Usage, "COMPONENT is empty; " + std::string(shapes));
    return request;
}

Request request_from(const sdk::Context& ctx) {
    std::vector<std::string> positional;
    for (const char* name : {"target", "component", "current", "delta"})
        if (auto value = ctx.option(name)) positional.push_back(*value);
    return parse_request(positional, ctx.get_int("replicas"));
}

Bounds bounds_from(const sdk::Context& ctx) {
    Bounds bounds;
    bounds.min = ctx.get_int("min").value_or(0);
    bounds.max = ctx.get_int("max");
    bounds.allow_zero = ctx.flag("allow-zero");
    if (bounds.min < 0) throw Error(ExitCode::Usage, "--min is below zero");
    if (bounds.max && *bounds.max < bounds.min)
        throw Error(ExitCode::Usage, "--max " + std::to_string(*bounds.max) + " is below --min " + std::to_string(bounds.min));
    return bounds;
}

Target target_for(const Request& request, std::int64_t actual, const Bounds& bounds, bool force, const std::string& what) {
    if (request.expected && *request.expected != actual && !force)
        throw Error(ExitCode::Conflict, what + " has " + std::to_string(actual) + " replicas, not " +
                                            std::to_string(*request.expected) +
                                            " as the caller said (another scale may have run); nothing changed. "
                                            "Retry with CURRENT " + std::to_string(actual) + ", or --force");
    Target target;
    target.count = request.replicas ? *request.replicas : actual + request.delta;
    if (target.count < 0)
        throw Error(ExitCode::Usage, "cannot scale " + what + " below zero: " + std::to_string(actual) + " " +
                                         std::to_string(request.delta) + " < 0");
    if (target.count < bounds.min) {
        target.note = "raised to --min " + std::to_string(bounds.min) + " from " + std::to_string(target.count);
        target.count = bounds.min;
    }
    if (bounds.max && target.count > *bounds.max) {
        target.note = "capped by --max " + std::to_string(*bounds.max) + " from " + std::to_string(target.count);
        target.count = *bounds.max;
    }
    if (target.count == 0 && actual != 0 && !bounds.allow_zero)
        throw Error(ExitCode::Conflict, "refusing to scale " + what + " to 0 replicas; pass --allow-zero if you mean it");
    return target;
}

void check_cooldown(const sdk::Context& ctx, const std::string& subject, std::chrono::milliseconds cooldown) {
    if (cooldown.count() <= 0) return;
    std::optional<std::int64_t> last;
    // Fails closed: a history that cannot be read must not look like "never scaled".
    if (const auto status = ctx.find_last_success(subject, last); !status.ok())
        throw Error(status.code, "cannot check --cooldown of " + subject + ", so nothing changed: " + status.message +
                                     "; pass --cooldown 0s to scale without the check");
    if (!last) return;
    const std::int64_t ago = now_millis() - *last;
    if (ago < cooldown.count())
        throw Error(ExitCode::Conflict, subject + " was scaled " + std::to_string(ago / 1000) + " s ago, within --cooldown " +
                                            std::to_string(cooldown.count() / 1000) + " s; nothing changed");
}

void record_scale(sdk::Context& ctx, const std::string& subject, std::int64_t from, std::int64_t to,
                  std::optional<std::int64_t> max) {
    ctx.artifact(subject, "{\"from\":" + std::to_string(from) + ",\"to\":" + std::to_string(to) +
                              (max ? ",\"max\":" + std::to_string(*max) : "") + "}");
}

std::string file_name_for(const std::string& text) {
    std::string name = text;
    for (char& c : name)
        if (!(std::isalnum(static_cast<unsigned char>(c)) || c == '.' || c == '-' || c == '_')) c = '_';
    return name;
}

ServiceLock::ServiceLock(sdk::Context& ctx, const std::string& key) {
    const fs::path file = lock_directory(ctx) / (file_name_for(key) + ".lock");
    fd_ = open_lock_file(file.parent_path(), file.filename().string());
    const auto timeout = ctx.get_duration("lock-timeout").value_or(std::chrono::minutes(5));
    const auto deadline = std::chrono::steady_clock::now() + timeout;
    bool told = false;
    while (::flock(fd_, LOCK_EX | LOCK_NB) != 0) {
        const int why = errno;
        std::optional<Error> failure;
        if (why != EWOULDBLOCK && why != EINTR)
            failure = Error(ExitCode::Failure, "cannot lock " + file.string() + ": " + std::system_category().message(why));
        else if (std::chrono::steady_clock::now() >= deadline)
            failure = Error(ExitCode::Conflict, "another run is still scaling " + key + " after --lock-timeout " +
                                                    std::to_string(timeout.count() / 1000) + " s (lock " + file.string() +
                                                    "); nothing changed");
        else if (!std::exchange(told, true))
            ctx.info("waiting for another run scaling " + key + " (" + file.string() + ")");
        if (!failure && ctx.wait_for_cancel(std::chrono::milliseconds(50)))
            failure = Error(ExitCode::Interrupted, "interrupted while waiting for the lock on " + key);
        if (failure) {
            ::close(fd_);
            throw *failure;
        }
    }
    ctx.debug("holding the lock on " + key + " (" + file.string() + ")");
}

ServiceLock::~ServiceLock() { ::close(fd_); }  // closing releases the flock

std::vector<std::string> parallel_for(sdk::Context& ctx, std::size_t count, std::size_t workers,
                                      const std::function<void(std::size_t)>& work) {
    std::atomic<std::size_t> next{0};
    std::mutex mutex;
    std::vector<std::string> errors;
    auto worker = [&] {
        for (std::size_t i = next++; i < count && !ctx.cancelled(); i = next++) {
            try {
                work(i);
            } catch (const std::exception& e) {
                std::lock_guard lock(mutex);
                errors.emplace_back(e.what());
            }
        }
    };
    std::vector<std::thread> threads;
    for (std::size_t t = 1; t < std::min(workers, count); ++t) threads.emplace_back(worker);
    worker();
    for (auto& thread : threads) thread.join();
    return errors;
}

}  // namespace concierge::scaling
