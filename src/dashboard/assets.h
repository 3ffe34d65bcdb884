// The dashboard's pages, scripts and style sheet (src/dashboard/static),
// compiled into cbit-web: an installed controller needs no data directory,
// and the pages always match the API of the binary that serves them.
#pragma once

#include <string>
#include <string_view>

namespace cbit::dashboard {

struct Asset {
  std::string_view name;  ///< "app.js"
  std::string_view content_type;
  std::string_view body;
  std::string etag;  ///< a quoted digest of the body
};

/// The file of that name (no directories), or null.
const Asset* FindAsset(std::string_view name);

}  // namespace cbit::dashboard
