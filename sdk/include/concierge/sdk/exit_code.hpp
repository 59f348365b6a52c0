// Process exit codes: stable, documented in the README, shared by the core and every plugin.
#pragma once

namespace concierge::sdk {

enum class ExitCode : int {
    Ok = 0,
    Failure = 1,            ///< the action failed for a reason not listed below
    Usage = 2,              ///< bad command line: unknown option, missing or malformed value
    PluginNotFound = 3,     ///< no plugin of that name on the search path
    PluginRefused = 4,      ///< found but not loadable: wrong ABI, foreign toolchain, no entry point
    InvalidInput = 5,       ///< a file or document the user gave is missing, malformed or truncated
    AuthFailed = 6,         ///< the remote service rejected the credentials
    Unreachable = 7,        ///< the remote service could not be reached (refused, DNS, timeout)
    TlsFailed = 8,          ///< the TLS handshake or certificate verification failed
    RemoteError = 9,        ///< the remote service answered with an error
    Conflict = 10,          ///< the world is not as the caller said (count mismatch, bounds, cooldown)
    NotFound = 11,          ///< the object named does not exist: a run, a service, a host
    HistoryError = 12,      ///< the run history database could not be opened or written
    Partial = 13,           ///< done except what was reported by name (e.g. an action whose references
                            ///< do not exist at the destination); ABI 1.1
    Interrupted = 130,      ///< stopped by SIGINT or SIGTERM; the run is recorded as interrupted
};

constexpr int to_int(ExitCode code) noexcept { return static_cast<int>(code); }

}  // namespace concierge::sdk
