// The wire decoder on arbitrary bytes: a queue message is untrusted until
// decoded. Whatever decodes must encode and decode again to the same text.
#include <cstdint>
#include <cstdlib>
#include <string_view>

#include "core/wire.h"

namespace {

template <typename Decode>
void RoundTrip(std::string_view text, Decode decode) {
  try {
    auto once = cbit::wire::Encode(decode(text));
    if (cbit::wire::Encode(decode(once)) != once) std::abort();
  } catch (const cbit::wire::DecodeError&) {
  }
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  std::string_view text(reinterpret_cast<const char*>(data), size);
  // One decoder per input (they share the parser): three times the inputs.
  switch (size % 3) {
    case 0:
      RoundTrip(text, cbit::wire::DecodeBuildRequest);
      break;
    case 1:
      RoundTrip(text, cbit::wire::DecodeCancelRequest);
      break;
    default:
      RoundTrip(text, cbit::wire::DecodeJob);
  }
  return 0;
}
