// The backup directory reader, as zabbix-import reads a backup: the input is split into files
// ("@@ NAME" lines, fuzz_support.hpp) written into a fresh directory, which BackupSet reads and
// checks. Any content of any file, manifest included, is accepted or refused with exit 5
// (InvalidInput), never a crash; an accepted backup has the earlier tool's files.
#include "fuzz_support.hpp"

#include "backup_set.hpp"
#include "export_plan.hpp"

#include <concierge/sdk/status.hpp>

#include <filesystem>
#include <fstream>
#include <system_error>

#include <stdlib.h>

namespace fs = std::filesystem;
namespace format = concierge::zabbix_format;
namespace files = concierge::zabbix_format::files;
using concierge::sdk::Error;
using concierge::sdk::ExitCode;

namespace {

// Small, so a file over the limit is one the fuzzer can write.
constexpr std::uint64_t max_file_bytes = 64 * 1024;

/// A private directory for the process's inputs, removed at exit.
struct Scratch {
    fs::path dir;
    Scratch() {
        std::string pattern = (fs::temp_directory_path() / "concierge-fuzz-backup-XXXXXX").string();
        if (!::mkdtemp(pattern.data())) std::abort();
        dir = pattern;
    }
    ~Scratch() {
        std::error_code ignored;
        fs::remove_all(dir, ignored);
    }
    Scratch(const Scratch&) = delete;
    Scratch& operator=(const Scratch&) = delete;
};

const fs::path& scratch() {
    static const Scratch instance;
    return instance.dir;
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
    const fs::path dir = scratch() / "backup";
    fs::remove_all(dir);
    fs::create_directory(dir);
    for (const auto& file : concierge::fuzz::split_files(concierge::fuzz::text_of(data, size))) {
        // Only plain names: the reader never sees a path, and the fuzzer must not write elsewhere.
        if (file.name.empty() || file.name == "." || file.name == ".." ||
            file.name.find_first_of(std::string_view("/\0", 2)) != std::string::npos)
            continue;
        std::ofstream(dir / file.name, std::ios::binary) << file.content;
    }
    try {
        const auto backup = format::BackupSet::from_directory(dir, max_file_bytes);
        for (const char* name : {files::templates, files::hostgroups, files::hosts, files::mediatypes,
                                 files::reg_actions, files::trigger_actions, files::id_map})
            FUZZ_CHECK(backup.has(name));
        FUZZ_CHECK(!backup.origin().empty());
    } catch (const Error& e) {
        FUZZ_CHECK(e.code() == ExitCode::InvalidInput);
    }
    return 0;
}
