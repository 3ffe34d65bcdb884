// Read-only files under a directory (the farm's apt repository). Only
// regular files whose real path, symlinks resolved, lies inside the root's
// real path are served; anything else is 404. One byte range is served as
// 206; several ranges get the whole file (200), never copies of it.
#pragma once

#include <cstdint>
#include <optional>
#include <string>

#include "httpd/message.h"

namespace cbit::httpd {

struct ByteRange {
  std::uint64_t first = 0;
  std::uint64_t last = 0;  ///< inclusive
};

enum class RangeKind { kWhole, kOne, kUnsatisfiable };

/// The part of a file of `size` bytes a Range header asks for: kWhole when
/// the header is absent, malformed or names several ranges.
RangeKind ParseRange(const std::string& header, std::uint64_t size, ByteRange& out);

/// `root` must be a canonical path; `relative` is the decoded path under it.
Response ServeFile(const std::string& root, const std::string& relative,
                   const std::string& range_header);

}  // namespace cbit::httpd
