// The result type that crosses the plugin boundary instead of an exception.
#pragma once

#include <concierge/sdk/exit_code.hpp>

#include <stdexcept>
#include <string>

namespace concierge::sdk {

/// Success, or an exit code with a one-line message saying what is wrong and what to do.
struct Status {
    ExitCode code = ExitCode::Ok;
    std::string message;

    bool ok() const noexcept { return code == ExitCode::Ok; }
    static Status success() { return {}; }
};

/// What plugin code throws to fail with a specific exit code. The SDK's adapter (plugin.hpp)
/// catches it inside the plugin and hands the core a Status; it never crosses the boundary.
class Error : public std::runtime_error {
public:
    Error(ExitCode code, const std::string& message) : std::runtime_error(message), code_(code) {}
    ExitCode code() const noexcept { return code_; }

private:
    ExitCode code_;
};

/// Turns a failed Status into an Error on the plugin's side of the boundary.
inline void throw_if_failed(const Status& status) {
    if (!status.ok()) throw Error(status.code, status.message);
}

}  // namespace concierge::sdk
