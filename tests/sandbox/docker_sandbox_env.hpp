// What the Docker sandbox tests know of the sandbox: the variables `scripts/sandbox/docker.sh env
// tls` prints (socket, TLS port, client certificates, the demo Compose file), read at run time so
// they follow whatever CONCIERGE_SANDBOX_DIR the suite runs with, as the script itself does.
#pragma once

#include <array>
#include <cstdio>
#include <map>
#include <sstream>
#include <string>

#include <sys/wait.h>

namespace concierge::test {

/// Runs a shell command; its standard output, and its exit status in `status`.
inline std::string shell(const std::string& command, int* status = nullptr) {
    std::string out;
    FILE* pipe = ::popen(command.c_str(), "r");
    if (!pipe) return out;
    std::array<char, 4096> buffer;
    while (std::size_t n = std::fread(buffer.data(), 1, buffer.size(), pipe)) out.append(buffer.data(), n);
    const int rc = ::pclose(pipe);
    if (status) *status = WIFEXITED(rc) ? WEXITSTATUS(rc) : -1;
    return out;
}

/// NAME -> value of each `export NAME=value` line; empty when the script is missing or fails.
inline std::map<std::string, std::string> docker_sandbox_variables(const std::string& source_dir) {
    std::map<std::string, std::string> variables;
    std::istringstream lines(shell("bash '" + source_dir + "/scripts/sandbox/docker.sh' env tls 2>/dev/null"));
    for (std::string line; std::getline(lines, line);) {
        if (line.rfind("export ", 0) != 0) continue;
        const auto eq = line.find('=');
        variables[line.substr(7, eq - 7)] = line.substr(eq + 1);
    }
    return variables;
}

}  // namespace concierge::test
