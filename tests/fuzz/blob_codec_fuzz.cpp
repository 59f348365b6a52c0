// The history blob codec: any bytes read back as a blob (whole, or as a delta against a base) are
// the expected content or a HistoryError, never a crash or an unbounded allocation; and any
// content compressed, whole or against a base, decompresses to itself.
#include "fuzz_support.hpp"

#include "history/blob_codec.hpp"
#include "history/history_store.hpp"

#include <zstd.h>

namespace history = concierge::history;

namespace {

// The largest content the harness lets a frame declare: a frame is a few bytes and may claim
// terabytes, which the store's size column, not the codec, rules out.
constexpr unsigned long long max_declared = 8ULL << 20;

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
    if (size == 0) return 0;
    // The first byte picks where the input splits into base and blob and whether the expected
    // size is the frame's own (to reach the decoder) or another (the store's column disagrees).
    const std::uint8_t control = data[0];
    const auto input = concierge::fuzz::text_of(data + 1, size - 1);
    const std::size_t split = input.size() * (control >> 2) / 63;
    const std::string_view base = input.substr(0, split);
    const std::string blob(input.substr(split));

    const std::string round_trip = history::compress(blob, base);
    FUZZ_CHECK(history::decompress(round_trip, static_cast<std::int64_t>(blob.size()), "fuzz", base) == blob);

    const unsigned long long declared = ZSTD_getFrameContentSize(blob.data(), blob.size());
    std::int64_t expected = static_cast<std::int64_t>(blob.size());
    if (control & 1) {
        if (declared > max_declared) return 0;  // ZSTD_CONTENTSIZE_UNKNOWN and _ERROR included
        expected = static_cast<std::int64_t>(declared);
    }
    try {
        const std::string content = history::decompress(blob, expected, "fuzz", (control & 2) ? base : std::string_view{});
        FUZZ_CHECK(content.size() == static_cast<std::size_t>(expected));
    } catch (const history::HistoryError&) {
    }
    return 0;
}
