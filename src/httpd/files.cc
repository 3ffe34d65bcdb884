#include "httpd/files.h"

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <filesystem>
#include <memory>

#include "httpd/query.h"
#include "httpd/server.h"

namespace cbit::httpd {
namespace fs = std::filesystem;
namespace {

constexpr std::size_t kChunk = 64 << 10;

std::optional<std::uint64_t> Number(const std::string& s) {
  if (s.empty() || s.size() > 19 || s.find_first_not_of("0123456789") != std::string::npos)
    return std::nullopt;
  return std::stoull(s);
}

std::string ContentType(const fs::path& p) {
  std::string ext = p.extension().string();
  if (ext == ".gz") return "application/gzip";
  if (ext == ".xz") return "application/x-xz";
  if (ext == ".deb" || ext == ".udeb") return "application/vnd.debian.binary-package";
  if (ext == ".html") return "text/html";
  if (ext == ".gpg") return "application/pgp-signature";
  if (ext.empty() || ext == ".txt" || ext == ".dsc" || ext == ".changes")
    return "text/plain; charset=utf-8";
  return "application/octet-stream";
}

struct Fd {
  explicit Fd(int f) : fd(f) {}
  ~Fd() {
    if (fd >= 0) close(fd);
  }
  Fd(const Fd&) = delete;
  Fd& operator=(const Fd&) = delete;
  int fd;
};

// The real path of `relative` under `root`, if it names a regular file there.
std::optional<fs::path> Resolve(const std::string& root, const std::string& relative) {
  std::error_code ec;
  const fs::path base(root);
  fs::path real = fs::canonical(base / fs::path(relative).relative_path(), ec);
  if (ec) return std::nullopt;
  auto [r, _] = std::mismatch(base.begin(), base.end(), real.begin(), real.end());
  if (r != base.end()) return std::nullopt;
  if (!fs::is_regular_file(real, ec)) return std::nullopt;
  return real;
}

}  // namespace

RangeKind ParseRange(const std::string& header, std::uint64_t size, ByteRange& out) {
  const std::string prefix = "bytes=";
  if (header.rfind(prefix, 0) != 0) return RangeKind::kWhole;
  std::string spec = header.substr(prefix.size());
  if (spec.find(',') != std::string::npos) return RangeKind::kWhole;
  auto dash = spec.find('-');
  if (dash == std::string::npos) return RangeKind::kWhole;
  const std::string first_text = spec.substr(0, dash), last_text = spec.substr(dash + 1);
  auto first = Number(first_text);
  auto last = Number(last_text);
  if ((!first && !first_text.empty()) || (!last && !last_text.empty()) || (!first && !last))
    return RangeKind::kWhole;  // malformed: ignored, as RFC 9110 allows
  if (!first) {                // the last N bytes
    if (*last == 0 || size == 0) return RangeKind::kUnsatisfiable;
    out = {size - std::min(*last, size), size - 1};
    return RangeKind::kOne;
  }
  if (last && *last < *first) return RangeKind::kWhole;
  if (*first >= size) return RangeKind::kUnsatisfiable;
  out = {*first, last ? std::min(*last, size - 1) : size - 1};
  return RangeKind::kOne;
}

Response ServeFile(const std::string& root, const std::string& relative,
                   const std::string& range_header) {
  auto path = Resolve(root, relative);
  if (!path) return ErrorResponse(404, "no file /debian/" + relative);
  auto fd = std::make_shared<Fd>(open(path->c_str(), O_RDONLY | O_CLOEXEC));
  struct stat st {};
  if (fd->fd < 0 || fstat(fd->fd, &st) != 0 || !S_ISREG(st.st_mode))
    return ErrorResponse(404, "no file /debian/" + relative);
  const auto size = static_cast<std::uint64_t>(st.st_size);
  Response res;
  res.set_header("Accept-Ranges", "bytes");
  ByteRange range{0, size == 0 ? 0 : size - 1};
  switch (ParseRange(range_header, size, range)) {
    case RangeKind::kUnsatisfiable:
      res =
          ErrorResponse(416, "the range is outside the file's " + std::to_string(size) + " bytes");
      res.set_header("Content-Range", "bytes */" + std::to_string(size));
      return res;
    case RangeKind::kOne:
      res.status = 206;
      res.set_header("Content-Range", "bytes " + std::to_string(range.first) + "-" +
                                          std::to_string(range.last) + "/" + std::to_string(size));
      break;
    case RangeKind::kWhole:
      break;
  }
  const std::uint64_t length = size == 0 ? 0 : range.last - range.first + 1;
  auto offset = std::make_shared<std::uint64_t>(range.first);
  const std::uint64_t end = range.first + length;
  res.content_length = length;
  res.set_producer(ContentType(*path), [fd, offset, end](std::string& chunk) {
    if (*offset >= end) return false;
    chunk.resize(std::min<std::uint64_t>(kChunk, end - *offset));
    ssize_t n = pread(fd->fd, chunk.data(), chunk.size(), static_cast<off_t>(*offset));
    if (n <= 0) throw std::runtime_error("reading a repository file failed");
    chunk.resize(static_cast<std::size_t>(n));
    *offset += static_cast<std::uint64_t>(n);
    return true;
  });
  return res;
}

}  // namespace cbit::httpd
