// The `concierge` command: global options, built-in commands, and running a plugin.
#pragma once

#include <cstdio>
#include <filesystem>
#include <string>
#include <vector>

namespace concierge::cli {

/// What the command reads from its process, passed in so tests can run it in-process.
struct ProcessIo {
    std::filesystem::path executable;  ///< for finding the installed plugin directory
    char** environment = nullptr;      ///< for masking secret environment values
    std::FILE* out = stdout;
    std::FILE* err = stderr;
};

/// Runs the command line (without argv[0]) and returns the process exit code.
int run(const std::vector<std::string>& args, const ProcessIo& io);

/// Runs an earlier-scheduler command line (`concierge_scheduler ACTION ARGS...`, without argv[0]).
int run_as_scheduler(const std::vector<std::string>& args, const ProcessIo& io);

}  // namespace concierge::cli
