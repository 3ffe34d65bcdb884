// UTF-8 checks for text that crosses into the store: build logs are tool
// output, which may hold any bytes, and PostgreSQL refuses text that is not
// strict UTF-8 (no NUL, no overlong forms, no surrogates).
#pragma once

#include <cstddef>
#include <string>
#include <string_view>

namespace cbit::utf8 {

/// True when `s` is strict UTF-8 without NUL bytes.
bool IsValid(std::string_view s);

/// The length of the longest prefix of `s` that ends on a character
/// boundary, leaving out a multi-byte sequence cut short at the end (the
/// rest of it may come with the next chunk of output).
std::size_t CompletePrefix(std::string_view s);

/// `s` with every invalid byte (and NUL) replaced by U+FFFD.
std::string Sanitize(std::string_view s);

}  // namespace cbit::utf8
