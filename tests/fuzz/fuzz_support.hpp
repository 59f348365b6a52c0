// What the fuzz targets share: a check that fails loudly in both builds (libFuzzer reports the
// abort as a crash and keeps the input; the replay driver's ctest fails), and the split of one
// input into several named files.
#pragma once

#include <cstddef>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <string>
#include <string_view>
#include <vector>

#define FUZZ_CHECK(condition)                                                                    \
    do {                                                                                         \
        if (!(condition)) {                                                                      \
            std::fprintf(stderr, "%s:%d: property violated: %s\n", __FILE__, __LINE__, #condition); \
            std::abort();                                                                        \
        }                                                                                        \
    } while (0)

namespace concierge::fuzz {

inline std::string_view text_of(const std::uint8_t* data, std::size_t size) {
    return {reinterpret_cast<const char*>(data), size};
}

struct NamedFile {
    std::string name;
    std::string content;
};

/// An input holding several files: each starts with a line "@@ NAME" and runs to the next such
/// line. Text before the first header is dropped. Readable, so seeds are made with cat and printf.
inline std::vector<NamedFile> split_files(std::string_view input) {
    constexpr std::string_view marker = "@@ ";
    std::vector<NamedFile> files;
    std::size_t pos = input.rfind(marker, 0) == 0 ? 0 : input.find(std::string("\n").append(marker));
    while (pos != std::string_view::npos) {
        if (input[pos] == '\n') ++pos;
        const auto name_end = input.find('\n', pos);
        if (name_end == std::string_view::npos) break;
        const auto next = input.find(std::string("\n").append(marker), name_end);
        const auto content_end = next == std::string_view::npos ? input.size() : next;
        files.push_back({std::string(input.substr(pos + marker.size(), name_end - pos - marker.size())),
                         std::string(input.substr(name_end + 1, content_end - name_end - 1))});
        pos = next;
    }
    return files;
}

}  // namespace concierge::fuzz
