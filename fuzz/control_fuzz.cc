// debian/control on arbitrary bytes: paragraphs, and the architecture list
// the hooks submit.
#include <cstdint>
#include <string_view>

#include "source/debian_meta.h"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  std::string_view text(reinterpret_cast<const char*>(data), size);
  cbit::source::ParseParagraphs(text);
  try {
    cbit::source::ArchitectureList(text);
  } catch (const cbit::source::MetadataError&) {
  }
  return 0;
}
