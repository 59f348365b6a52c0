// The sha256 that names history blobs and checks backup files, for the core and the plugins alike.
// A static helper both link, not part of the installed SDK: its interface is std types only, so no
// POCO type crosses into a plugin's headers, and neither side depends on the other.
#pragma once

#include <string>
#include <string_view>

namespace concierge::digest {

/// The sha256 of bytes as lower-case hex.
std::string sha256_hex(std::string_view bytes);

}  // namespace concierge::digest
