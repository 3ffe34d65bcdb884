// The dashboard's files as the build embedded them (embed.cmake).
#pragma once

#include <cstddef>

namespace cbit::dashboard {

struct EmbeddedFile {
  const char* name;
  const unsigned char* data;
  std::size_t size;
};

extern const EmbeddedFile kEmbeddedFiles[];
extern const std::size_t kEmbeddedFileCount;

}  // namespace cbit::dashboard
