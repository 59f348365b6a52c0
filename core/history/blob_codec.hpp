// The blob codec of artifacts: zstd compression, whole or as a delta against a base blob's content.
// Pure functions over bytes, with no SQL, so they are the same whatever database holds the blobs.
// The sha256 that names a blob is digest::sha256_hex, which history_store.hpp offers its callers.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>

namespace concierge::history {

/// A zstd context with `prefix` (a base blob's content) referenced, as `zstd --patch-from` does:
/// a window covering prefix and content, and long-distance matching to find the prefix's copy of
/// each part. Without a prefix, plain level-3 compression.
std::string compress(std::string_view bytes, std::string_view prefix = {});

/// The `expected_size` bytes of a zstd frame, with `prefix` referenced when it was compressed with
/// one. A frame that does not decompress to exactly that is a HistoryError saying `what` is corrupt.
std::string decompress(const std::string& compressed, std::int64_t expected_size, const std::string& what,
                       std::string_view prefix = {});

}  // namespace concierge::history
