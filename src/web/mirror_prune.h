// Webhook mirrors nobody pushed to for a while are deleted: each is a full
// clone of a forge repository, and a farm that stopped building one should
// not keep it for ever. The worker touches a mirror's directory at each use.
#pragma once

#include <chrono>
#include <string>
#include <vector>

namespace cbit::web {

/// True for a name WebhookWorker::MirrorName makes (<readable>-<32 hex>).
bool IsMirrorName(const std::string& name);

/// Deletes the mirrors in `cache_dir` last used before `now - unused_for`;
/// returns their names. Other entries are left alone.
std::vector<std::string> PruneMirrors(const std::string& cache_dir,
                                      std::chrono::system_clock::duration unused_for,
                                      std::chrono::system_clock::time_point now);

}  // namespace cbit::web
