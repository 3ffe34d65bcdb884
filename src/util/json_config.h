// Reading cbit's JSON config files, shared by every program's config module.
// The files also accept pyBit's configs, which wrote numbers and booleans as
// strings ("5672", "true") as often as not, so the readers take both.
#pragma once

#include <chrono>
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

/// Reads `key` of `j` into `out` when present and not null; returns whether
/// it did. An int or bool may be written as a string. Throws ConfigError when
/// the value has the wrong type.
template <typename T>
bool Read(const nlohmann::json& j, const char* key, T& out, std::string_view where = {}) {
  auto it = j.find(key);
  if (it == j.end() || it->is_null()) return false;
  try {
    if constexpr (std::is_same_v<T, int>) {
      out = it->is_string() ? std::stoi(it->template get<std::string>()) : it->template get<int>();
    } else if constexpr (std::is_same_v<T, bool>) {
      out = it->is_string() ? it->template get<std::string>() == "true" : it->template get<bool>();
    } else {
      out = it->template get<T>();
    }
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
