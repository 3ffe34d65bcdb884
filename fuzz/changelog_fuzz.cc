// debian/changelog's first entry on arbitrary bytes: the hooks read it from
// whatever was pushed.
#include <cstdint>
#include <cstdlib>
#include <string_view>

#include "core/debian.h"
#include "source/debian_meta.h"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  std::string_view text(reinterpret_cast<const char*>(data), size);
  try {
    auto head = cbit::source::ParseChangelogHead(text);
    // What is accepted is submitted: it must pass the controller's checks.
    if (!cbit::debian::IsPackageName(head.source) || !cbit::debian::IsVersion(head.version))
      std::abort();
  } catch (const cbit::source::MetadataError&) {
  }
  return 0;
}
