#include "history/blob_codec.hpp"

#include "history/history_store.hpp"

#include <zstd.h>

#include <memory>

namespace concierge::history {
namespace {

constexpr int zstd_level = 3;

}  // namespace

std::string compress(std::string_view bytes, std::string_view prefix) {
    const std::unique_ptr<ZSTD_CCtx, decltype(&ZSTD_freeCCtx)> cctx(ZSTD_createCCtx(), &ZSTD_freeCCtx);
    if (!cctx) throw HistoryError("compressing an artifact: out of memory");
    ZSTD_CCtx_setParameter(cctx.get(), ZSTD_c_compressionLevel, zstd_level);
    if (!prefix.empty()) {
        const ZSTD_bounds bounds = ZSTD_cParam_getBounds(ZSTD_c_windowLog);
        int window = bounds.lowerBound;
        while (window < bounds.upperBound && (std::size_t{1} << window) < prefix.size() + bytes.size()) ++window;
        ZSTD_CCtx_setParameter(cctx.get(), ZSTD_c_windowLog, window);
        ZSTD_CCtx_setParameter(cctx.get(), ZSTD_c_enableLongDistanceMatching, 1);
        ZSTD_CCtx_refPrefix(cctx.get(), prefix.data(), prefix.size());
    }
    // Uninitialised: only the pages zstd writes are touched, not the whole bound (as large as the
    // artifact).
    const std::size_t bound = ZSTD_compressBound(bytes.size());
    const std::unique_ptr<char[]> out(new char[bound]);
    const std::size_t size = ZSTD_compress2(cctx.get(), out.get(), bound, bytes.data(), bytes.size());
    if (ZSTD_isError(size)) throw HistoryError(std::string("compressing an artifact: ") + ZSTD_getErrorName(size));
    return std::string(out.get(), size);
}

std::string decompress(const std::string& compressed, std::int64_t expected_size, const std::string& what,
                       std::string_view prefix) {
    const unsigned long long declared = ZSTD_getFrameContentSize(compressed.data(), compressed.size());
    if (declared == ZSTD_CONTENTSIZE_ERROR || declared == ZSTD_CONTENTSIZE_UNKNOWN || expected_size < 0 ||
        declared != static_cast<unsigned long long>(expected_size)) {
        throw HistoryError("history database: " + what + " is corrupt (bad compressed frame)");
    }
    const std::unique_ptr<ZSTD_DCtx, decltype(&ZSTD_freeDCtx)> dctx(ZSTD_createDCtx(), &ZSTD_freeDCtx);
    if (!dctx) throw HistoryError("history database: reading " + what + ": out of memory");
    ZSTD_DCtx_setParameter(dctx.get(), ZSTD_d_windowLogMax, ZSTD_dParam_getBounds(ZSTD_d_windowLogMax).upperBound);
    if (!prefix.empty()) ZSTD_DCtx_refPrefix(dctx.get(), prefix.data(), prefix.size());
    std::string out(static_cast<std::size_t>(declared), '\0');
    const std::size_t size = ZSTD_decompressDCtx(dctx.get(), out.data(), out.size(), compressed.data(), compressed.size());
    if (ZSTD_isError(size) || size != out.size()) {
        throw HistoryError("history database: " + what + " is corrupt (" +
                           (ZSTD_isError(size) ? ZSTD_getErrorName(size) : "short content") + ")");
    }
    return out;
}

}  // namespace concierge::history
