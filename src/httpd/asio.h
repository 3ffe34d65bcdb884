// Asio and Beast, included in the order Boost 1.74 needs under C++20.
#pragma once

// clang-format off
#include <utility>  // awaitable.hpp of Asio 1.74 uses std::exchange without it
#include <boost/asio.hpp>
#include <boost/beast/core.hpp>
#include <boost/beast/http.hpp>
// clang-format on
