// Config reading on arbitrary bytes: the shared JSON reader and the build
// client's and watcher's loaders must refuse with ConfigError, nothing else.
#include <cstdint>
#include <string>

#include "client/config.h"
#include "util/json_config.h"
#include "watcher/config.h"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  std::string text(reinterpret_cast<const char*>(data), size);
  try {
    cbit::json_config::ParseObject(text);
  } catch (const cbit::ConfigError&) {
  }
  try {
    cbit::client::ParseConfig(text);
  } catch (const cbit::ConfigError&) {
  }
  try {
    cbit::watcher::ParseConfig(text);
  } catch (const cbit::ConfigError&) {
  }
  return 0;
}
