// Reading cbit's JSON config files, shared by every program's config module.
// The files also accept pyBit's configs, which wrote numbers and booleans as
// strings ("5672", "true") as often as not, so the readers take both.
#pragma once

#include <chrono>
#include <cmath>
#include <cstdint>
#include <limits>
#include <nlohmann/json.hpp>
#include <stdexcept>
#include <string>
#include <string_view>
#include <type_traits>

namespace cbit {

/// A config key or file is missing, malformed or refused; the message names
/// it. Each program's config module re-exports it as its own ConfigError.
struct ConfigError : std::runtime_error {
  using std::runtime_error::runtime_error;
};

namespace json_config {

/// How messages name `key`: "config key 'port'" at the top level of the
/// file, "web.port" inside the section (or dotted path) `where`.
std::string KeyName(const char* key, std::string_view where = {});

/// `v` as a T: an integer, or a float with no fraction, within T's range
/// (a cast of one beyond it would be undefined). Throws std::out_of_range
/// beyond it, std::invalid_argument for anything else.
template <typename T>
T WholeNumber(const nlohmann::json& v) {
  using Limits = std::numeric_limits<T>;
  if (v.is_number_unsigned()) {
    const auto n = v.template get<std::uint64_t>();
    if (n > static_cast<std::uint64_t>(Limits::max())) throw std::out_of_range("too large");
    return static_cast<T>(n);
  }
  if (v.is_number_integer()) {
    const auto n = v.template get<std::int64_t>();
    if (n < 0 ? n < static_cast<std::int64_t>(Limits::min())
              : static_cast<std::uint64_t>(n) > static_cast<std::uint64_t>(Limits::max()))
      throw std::out_of_range("beyond the range");
    return static_cast<T>(n);
  }
  if (v.is_number_float()) {
    const double d = v.template get<double>();
    if (!std::isfinite(d) || d != std::trunc(d)) throw std::invalid_argument("not whole");
    // Limits::min() and max() + 1 are powers of two, exact as doubles.
    if (d < static_cast<double>(Limits::min()) ||
        d >= 2.0 * (static_cast<double>(Limits::max() / 2) + 1.0))
      throw std::out_of_range("beyond the range");
    return static_cast<T>(d);
  }
  throw std::invalid_argument("not a number");
}

/// Reads `key` of `j` into `out` when present and not null; returns whether
/// it did. An int or bool may be written as a string. Throws ConfigError when
/// the value has the wrong type or, for a whole number, is out of its range.
template <typename T>
bool Read(const nlohmann::json& j, const char* key, T& out, std::string_view where = {}) {
  auto it = j.find(key);
  if (it == j.end() || it->is_null()) return false;
  try {
    if constexpr (std::is_same_v<T, int>) {
      out = it->is_string() ? std::stoi(it->template get<std::string>()) : WholeNumber<int>(*it);
    } else if constexpr (std::is_same_v<T, bool>) {
      out = it->is_string() ? it->template get<std::string>() == "true" : it->template get<bool>();
    } else if constexpr (std::is_integral_v<T>) {
      out = WholeNumber<T>(*it);
    } else {
      out = it->template get<T>();
    }
  } catch (const std::out_of_range&) {
    throw ConfigError(KeyName(key, where) + " is out of range");
  } catch (const std::exception&) {
    throw ConfigError(KeyName(key, where) + " has the wrong type");
  }
  return true;
}

/// The contents of the config file at `path`; throws ConfigError when it
/// cannot be read.
std::string ReadFile(const std::string& path);

/// Parses a config file's text, which must hold a JSON object; throws
/// ConfigError otherwise.
nlohmann::json ParseObject(const std::string& text);

/// Reads a whole number of seconds into `out` when present; throws
/// ConfigError when it is below `min`.
void ReadSeconds(const nlohmann::json& j, const char* key, std::chrono::seconds& out, int min);

/// The non-empty string at `key`; throws ConfigError naming it otherwise.
std::string Require(const nlohmann::json& j, const char* key);

}  // namespace json_config
}  // namespace cbit
