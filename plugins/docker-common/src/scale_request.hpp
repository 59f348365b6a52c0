// What compose-scale and swarm-scale share: the two argument shapes, the target count with its
// bounds, the cooldown, and the lock that serialises runs on one service.
#pragma once

#include <concierge/sdk/sdk.hpp>

#include <chrono>
#include <cstdint>
#include <functional>
#include <optional>
#include <string>
#include <vector>

namespace concierge::scaling {

/// The options both scale plugins declare (positional arguments, --replicas, bounds, --force,
/// --cooldown, --lock-timeout), in --help order.
std::vector<sdk::OptionSpec> scale_options();

/// --lock-timeout, which ServiceLock reads; every plugin that takes the lock declares it.
sdk::OptionSpec lock_timeout_option();

/// Either `up|down COMPONENT CURRENT DELTA` (the earlier tool's shape, as Zabbix actions call it)
/// or `COMPONENT --replicas N`.
struct Request {
    std::string component;
    std::optional<std::int64_t> expected;  ///< CURRENT, checked against the engine
    std::int64_t delta = 0;                ///< signed; with `replicas` unset
    std::optional<std::int64_t> replicas;  ///< --replicas N
};

/// Throws sdk::Error(Usage) for any other shape, a malformed number, or a count below zero.
Request parse_request(const std::vector<std::string>& positional, std::optional<std::int64_t> replicas);
Request request_from(const sdk::Context& ctx);

struct Bounds {
    std::int64_t min = 0;
    std::optional<std::int64_t> max;
    bool allow_zero = false;
};
Bounds bounds_from(const sdk::Context& ctx);

struct Target {
    std::int64_t count = 0;
    std::string note;  ///< why it differs from what was asked ("capped by --max 10"), or empty
};

/// The count to scale to from the engine's `actual` count. Refuses (Conflict) a CURRENT that
/// disagrees with `actual` unless `force` (then DELTA applies to the actual count), and a target of
/// 0 without allow_zero; refuses (Usage) a target below zero; caps the target into [min, max].
Target target_for(const Request& request, std::int64_t actual, const Bounds& bounds, bool force,
                  const std::string& what);

/// Refuses (Conflict) when the last successful scale of `subject` ended less than `cooldown` ago.
/// `subject` names the artifact each successful scale saves (see record_scale).
void check_cooldown(const sdk::Context& ctx, const std::string& subject, std::chrono::milliseconds cooldown);

/// Saves the artifact check_cooldown looks for: {"from":N,"to":M} of the scale just done, with
/// "max" when the run had one (zabbix-report tells Zabbix a service is at its maximum).
void record_scale(sdk::Context& ctx, const std::string& subject, std::int64_t from, std::int64_t to,
                  std::optional<std::int64_t> max = std::nullopt);

/// An exclusive flock on a file named after `key` in the lock directory: $CONCIERGE_LOCK_DIR, else
/// /run/concierge for root and /tmp/concierge-UID for others, the same for a shell and for cron.
/// The directory must be this user's alone (0700) and neither it nor the file a symbolic link.
/// Held until destruction. Waits while another run holds it, up to --lock-timeout (then
/// Conflict), waking on Ctrl-C (Interrupted).
class ServiceLock {
public:
    ServiceLock(sdk::Context& ctx, const std::string& key);
    ~ServiceLock();
    ServiceLock(const ServiceLock&) = delete;
    ServiceLock& operator=(const ServiceLock&) = delete;

private:
    int fd_ = -1;
};

/// A file name from any text: letters, digits, '.', '-' and '_' kept, the rest '_'.
std::string file_name_for(const std::string& text);

}  // namespace concierge::scaling

namespace concierge::scaling {

/// Runs work(i) for i in [0, count) on up to `workers` threads. Stops handing out work once the
/// run is cancelled. Returns the error message of each failed i (empty when all succeeded).
std::vector<std::string> parallel_for(sdk::Context& ctx, std::size_t count, std::size_t workers,
                                      const std::function<void(std::size_t)>& work);

}  // namespace concierge::scaling
