// Debian's syntax for names and versions, and Debian version ordering.
// Every name that reaches a command line or a queue name is checked here first.
#pragma once

#include <string>
#include <string_view>

namespace cbit::debian {

/// Source/binary package name: [a-z0-9][a-z0-9+.-]+ (Debian Policy §5.6.1).
bool IsPackageName(std::string_view s);

/// [epoch:]upstream[-revision] (Policy §5.6.12); upstream starts with a digit.
bool IsVersion(std::string_view s);

/// Suite, distribution, build environment, format or client names: a letter
/// or digit, then letters, digits and . _ + - (what dak, sbuild and queue
/// names can all carry); at most 64 characters.
bool IsToken(std::string_view s);

/// Architecture name as dpkg-architecture prints it: [a-z0-9][a-z0-9-]*.
bool IsArch(std::string_view s);

/// The ordering of `dpkg --compare-versions`: <0, 0, >0. In process (libapt-pkg).
int CompareVersions(std::string_view a, std::string_view b);

/// A printable ASCII string whose byte order is CompareVersions' order, for
/// a database index (a text column compared byte by byte). Characters
/// Debian versions cannot hold all sort as ':' does; digit runs longer than
/// 99 digits compare by their first 99.
std::string VersionSortKey(std::string_view version);

}  // namespace cbit::debian
