// Human output: aligned tables, colours for statuses and relative times on a
// terminal; plain tab-free columns and absolute times when piped.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace cbit::cli {

struct Style {
  bool terminal = false;  ///< stdout is a terminal: relative times, colour
  bool colour = false;    ///< terminal and NO_COLOR unset
};

/// Columns padded to their widest cell, two spaces apart; cells may hold
/// colour escapes (not counted in the width).
std::string RenderTable(const std::vector<std::string>& headers,
                        const std::vector<std::vector<std::string>>& rows, const Style& style);

/// The status name, coloured on a colour terminal: green Done/Uploaded, red
/// Failed, yellow Building, grey Cancelled.
std::string ColourStatus(const std::string& status, const Style& style);

/// Seconds since the epoch of the API's "YYYY-MM-DD HH:MM:SS[.ffffff]" (UTC).
std::optional<std::int64_t> ParseApiTime(std::string_view text);

/// "12s ago", "5m ago", "3h ago", "2d ago" (`now` and `then` in seconds).
std::string RelativeTime(std::int64_t now, std::int64_t then);

/// On a terminal the relative time, else the API's text unchanged.
std::string ShowTime(const std::string& api_time, std::int64_t now, const Style& style);

/// Visible width: bytes that are not colour escapes and not UTF-8 continuations.
std::size_t VisibleWidth(std::string_view s);

}  // namespace cbit::cli
