// What a client tells the controller about a build attempt when it reports
// the attempt's end (docs/protocol.md, "Provenance"): the .buildinfo
// dpkg-buildpackage wrote, the identity of the root it built in (isolated
// builds), its own version and its builder's.
#pragma once

#include <filesystem>
#include <optional>
#include <string>

#include "client/build.h"
#include "client/controller_api.h"
#include "client/job_spec.h"

namespace cbit::client {

/// A prepared root generation's identity: the SHA-256 (hex) of its dpkg
/// status file, which names every package in it with its version, and when
/// the generation was made (its .cbit-root: the update's time, else the
/// creation's). nullopt when `generation` holds no dpkg status.
std::optional<std::pair<std::string, std::string>> IdentifyRoot(
    const std::filesystem::path& generation);

/// The .buildinfo the build left beside `changes` (the same name but for the
/// extension); nullopt when there is none or it is over 1 MiB.
std::optional<std::string> BuildinfoBeside(const std::string& changes);

/// What is known of an attempt of `job` before it builds: the client's and
/// the builder's versions and, isolated, the identity of the generation
/// config.root names (PinRoot), else of the one "current" names now.
AttemptProvenance ProvenanceBeforeBuild(const JobSpec& job, const BuildConfig& config);

/// "cbit-client <version>".
std::string ClientVersion();

/// The builder as configured: "isolated (cbit-sandbox <version>)", "host
/// (dpkg-buildpackage)", "sbuild (unshare)", "sbuild (schroot)"; for a job
/// of `arch` built cross (ModeFor), followed by ", cross BUILD to ARCH".
std::string BuilderName(const BuildConfig& config, const std::string& arch = "");

}  // namespace cbit::client
