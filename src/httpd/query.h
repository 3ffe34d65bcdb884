// Percent-decoding of paths, query strings and urlencoded forms. A value
// keeps every character it was sent: a pair is split at its first '=' only
// (`uri=http://x/y?a=b` is the whole URI). A NUL byte (`%00`) is refused
// anywhere: C strings and file names would cut the value there.
#pragma once

#include <stdexcept>
#include <string>
#include <string_view>

#include "httpd/message.h"

namespace cbit::httpd {

/// Input the server refuses with 400 and this message.
struct BadInput : std::runtime_error {
  using std::runtime_error::runtime_error;
};

/// Decodes %XX escapes (and '+' as a space when `plus_as_space`); a '%' not
/// followed by two hex digits stays as it is. Throws BadInput naming `what`
/// when the result would hold a NUL byte.
std::string Decode(std::string_view text, bool plus_as_space, std::string_view what);

/// Adds the pairs of `text` ("a=1&b=2", '+' as a space) to `out`. A pair
/// without '=' is a key with an empty value; empty pairs are skipped.
void ParseQuery(std::string_view text, Params& out, std::string_view what);

}  // namespace cbit::httpd
