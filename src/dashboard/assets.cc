#include "dashboard/assets.h"

#include <cstdio>
#include <functional>
#include <map>

#include "dashboard/embedded.h"

namespace cbit::dashboard {
namespace {

std::string_view TypeOf(std::string_view name) {
  if (name.ends_with(".html")) return "text/html; charset=utf-8";
  if (name.ends_with(".js")) return "text/javascript; charset=utf-8";
  if (name.ends_with(".css")) return "text/css; charset=utf-8";
  if (name.ends_with(".svg")) return "image/svg+xml";
  if (name.ends_with(".png")) return "image/png";
  return "application/octet-stream";
}

std::map<std::string_view, Asset> Load() {
  std::map<std::string_view, Asset> out;
  for (std::size_t i = 0; i < kEmbeddedFileCount; ++i) {
    const EmbeddedFile& f = kEmbeddedFiles[i];
    std::string_view body(reinterpret_cast<const char*>(f.data), f.size);
    char etag[24];
    std::snprintf(etag, sizeof etag, "\"%016zx\"", std::hash<std::string_view>{}(body));
    out.emplace(f.name, Asset{f.name, TypeOf(f.name), body, etag});
  }
  return out;
}

}  // namespace

const Asset* FindAsset(std::string_view name) {
  static const std::map<std::string_view, Asset> assets = Load();
  auto it = assets.find(name);
  return it == assets.end() ? nullptr : &it->second;
}

}  // namespace cbit::dashboard
