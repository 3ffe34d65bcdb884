#include "client/upload.h"

#include <algorithm>
#include <cctype>
#include <filesystem>
#include <fstream>

#include "client/classify.h"
#include "client/deadline.h"
#include "core/changes_file.h"
#include "core/debian.h"

namespace cbit::client {
namespace fs = std::filesystem;
namespace {

StepResult Failed(std::string detail) {
  return {Outcome::kInfrastructureFailed, std::move(detail)};
}

// A key id, fingerprint or e-mail address, never something debsign could
// take for an option.
bool IsKeyId(std::string_view s) {
  if (s.empty() || s.size() > 256 || !std::isalnum(static_cast<unsigned char>(s.front()))) {
    return false;
  }
  return std::all_of(s.begin(), s.end(), [](char c) {
    return std::isalnum(static_cast<unsigned char>(c)) ||
           std::string_view("@._+-").find(c) != std::string_view::npos;
  });
}

// One command of the upload; `otherwise` is the class of a plain failure.
std::optional<StepResult> RunUploadCommand(Runner& runner, const Command& cmd, const LogSink& sink,
                                           const CancelHook& cancel, const StepDeadline& deadline,
                                           FailureClass otherwise) {
  CommandResult r = runner.Run(deadline.Apply(cmd), sink, cancel);
  if (r.ok()) return std::nullopt;
  if (auto failed = MachineFailure(r, cmd.argv.front(), deadline)) return failed;
  return StepResult{Outcome::kInfrastructureFailed,
                    cmd.argv.front() + " exited with " + std::to_string(r.exit_code), otherwise};
}

// Removes what was uploaded. The parser only returns bare file names, so
// every path stays inside the directory of the .changes file.
StepResult RemoveUploaded(const fs::path& changes, const std::string& target, const LogSink& sink) {
  auto parsed = ReadChanges(changes.string());
  if (!parsed) return Failed("cannot parse " + changes.string());
  fs::path dir = changes.parent_path();
  std::vector<std::string> names = parsed->files;
  names.push_back(changes.filename().string());
  // dput's record of the upload, written beside the .changes file.
  names.push_back(changes.stem().string() + "." + target + ".upload");
  for (const auto& name : names) {
    std::error_code ec;
    if (fs::remove(dir / name, ec)) Log(sink, "removed " + (dir / name).string() + "\n");
    if (ec) return Failed("cannot remove " + (dir / name).string() + ": " + ec.message());
  }
  return {};
}

}  // namespace

StepResult Upload(const JobSpec& job, const std::string& changes, const UploadConfig& config,
                  Runner& runner, const LogSink& sink, const CancelHook& cancel) {
  if (auto problem = job.Validate()) return Failed("refused: " + *problem);
  std::string target = job.build_env ? *job.build_env : config.target;
  if (!debian::IsToken(target)) return Failed("invalid dput target: " + target);
  if (!config.sign_key.empty() && !IsKeyId(config.sign_key)) {
    return Failed("invalid signing key: " + config.sign_key);
  }
  fs::path path = fs::absolute(changes).lexically_normal();
  if (path.extension() != ".changes") return Failed("not a .changes file: " + path.string());

  StepDeadline deadline(config.timeout, "upload");
  if (!config.sign_key.empty()) {
    Command sign;
    sign.argv = {"debsign", "-k", config.sign_key, path.string()};
    auto err =
        RunUploadCommand(runner, sign, sink, cancel, deadline, FailureClass::kInfrastructure);
    if (err) return *err;
  }
  Command dput;
  dput.argv = {"dput", "-f", "-c", config.dput_config, target, path.string()};
  if (auto err = RunUploadCommand(runner, dput, sink, cancel, deadline, FailureClass::kUpload)) {
    return *err;
  }
  if (!runner.RunsCommands()) return {};
  return RemoveUploaded(path, target, sink);
}

std::optional<std::string> WriteLocalDputConfig(const std::string& path, const std::string& target,
                                                const std::string& incoming) {
  if (!debian::IsToken(target)) return "invalid dput target: " + target;
  std::ofstream out(path, std::ios::trunc);
  out << "[" << target << "]\n"
      << "method = local\n"
      << "incoming = " << incoming << "\n"
      << "allow_unsigned_uploads = 1\n"
      << "run_dinstall = 0\n";
  out.close();
  if (!out) return "cannot write " + path;
  return std::nullopt;
}

}  // namespace cbit::client
