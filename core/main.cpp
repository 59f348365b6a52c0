#include "cli/application.hpp"
#include "cli/scheduler_compat.hpp"

#include <system_error>
#include <unistd.h>

extern char** environ;

int main(int argc, char** argv) {
    std::error_code error;
    auto executable = std::filesystem::read_symlink("/proc/self/exe", error);
    if (error) executable = std::filesystem::absolute(argv[0]);
    const std::vector<std::string> args(argv + 1, argv + argc);
    const concierge::cli::ProcessIo io{executable, environ, stdout, stderr};
    // Installed as a link too, so the earlier tool's callers keep working unchanged.
    if (std::filesystem::path(argv[0]).filename() == concierge::cli::scheduler_program_name)
        return concierge::cli::run_as_scheduler(args, io);
    return concierge::cli::run(args, io);
}
