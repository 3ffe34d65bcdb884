// The one kind of command a BuildRequest may ask a client to run (its
// `commands`, pyBit's "fakeroot debian/rules TARGET"): a target of the
// package's debian/rules. Each entry is reduced to a target name and checked
// here, so nothing else (shell syntax, make options or variable assignments)
// can reach the command line.
#pragma once

#include <optional>
#include <string>
#include <string_view>

namespace cbit::client {

/// The debian/rules target `command` names: the entry itself
/// ("get-orig-source") or pyBit's form ("fakeroot debian/rules
/// get-orig-source"). nullopt unless it is a plain make target name: letters,
/// digits and `_ - . +`, starting with a letter, digit or `_`.
std::optional<std::string> RulesTarget(std::string_view command);

}  // namespace cbit::client
