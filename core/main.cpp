#include "cli/application.hpp"

#include <system_error>
#include <unistd.h>

extern char** environ;

int main(int argc, char** argv) {
    std::error_code error;
    auto executable = std::filesystem::read_symlink("/proc/self/exe", error);
    if (error) executable = std::filesystem::absolute(argv[0]);
    return concierge::cli::run({argv + 1, argv + argc}, {executable, environ, stdout, stderr});
}
