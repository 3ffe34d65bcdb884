// Which transports a build client fetches from: the one check the
// controller applies to a submission and the client to a build request, so
// that the controller never accepts a job every client would refuse.
#pragma once

#include <optional>
#include <string>

#include "core/model.h"

namespace cbit {

/// A local path or file:// URI reads the fetching machine's own files: only
/// where that machine is the farm (`make up`, tests) is it allowed.
enum class LocalUris { kRefused, kAllowed };

/// What is wrong with `t`, naming each field ("uri ...; vcs_id ..."); nullopt
/// when a client may fetch it. Refused: methods other than git, svn and apt; a uri
/// or vcs_id starting with '-' (it would read as an option), holding blanks
/// or control characters, or too long; git's remote-helper form
/// `<helper>::<address>` (`ext::` runs a command); local paths unless allowed.
std::optional<std::string> TransportProblem(const Transport& t, LocalUris local);

/// True for a path or file: URI rather than a remote address (scheme://,
/// or git's scp-like host:path).
bool IsLocalUri(const std::string& uri);

}  // namespace cbit
