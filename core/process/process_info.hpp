// Facts about this process that history records with each run. A leaf (the standard library and
// POSIX only), so that runtime/, history/ and cli/ all use it without including each other; the
// namespace is still runtime::, where its callers name it.
#pragma once

#include <cstdint>
#include <string>
#include <sys/types.h>

namespace concierge::runtime {

std::string host_name();
std::string user_name();
/// Field 22 of /proc/PID/stat (start time in clock ticks since boot), empty if the process is gone.
/// A pid plus its start time names one process even after the pid is reused.
std::string process_start_time(pid_t pid);
/// Milliseconds since the Unix epoch.
std::int64_t now_millis();

}  // namespace concierge::runtime
