// .changes parsing on arbitrary bytes: the watcher reads uploads from its
// incoming directory and the hook reads mails, both written by others.
#include <cstdint>
#include <cstdlib>
#include <string>
#include <string_view>

#include "core/changes_file.h"
#include "source/debian_meta.h"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  std::string_view text(reinterpret_cast<const char*>(data), size);
  if (auto c = cbit::ParseChanges(text)) {
    // The parser's promise: no file name reaches outside the upload's directory.
    for (const std::string& f : c->files)
      if (f.find('/') != std::string::npos || f == ".." || f == ".") std::abort();
    cbit::BinaryFilesOf(c->files);
  }
  try {
    cbit::source::ParseChangesInfo(cbit::source::ExtractChanges(text));
  } catch (const cbit::source::MetadataError&) {
  }
  return 0;
}
