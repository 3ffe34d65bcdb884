// The JSON body of every error answer: {"error": "<message>"}.
#pragma once

#include <string>

namespace cbit::httpd {

std::string JsonError(const std::string& message);

}  // namespace cbit::httpd
