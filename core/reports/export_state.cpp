#include "core/reports/export_state.hpp"

#include <cstdio>
#include <fcntl.h>
#include <filesystem>
#include <fstream>
#include <nlohmann/json.hpp>
#include <sstream>
#include <sys/file.h>
#include <unistd.h>

#include "core/db/timestamp.hpp"
#include "core/error.hpp"
#include "core/files/atomic_file.hpp"

namespace sonoria::reports {

ExportStateData IncrementalExport::read(const std::string& state_path) {
  ExportStateData s;
  std::error_code ec;
  if (!std::filesystem::exists(state_path, ec)) return s;
  std::ifstream in(state_path, std::ios::binary);
  if (!in) throw UserError(state_path + ": cannot read the export state (check its permissions)");
  std::ostringstream text;
  text << in.rdbuf();
  auto j = nlohmann::json::parse(text.str(), nullptr, false);
  auto bad = [&](const std::string& what) -> DataError {
    return DataError(state_path + ": " + what +
                     " (expected the state file `sonoria export-transcripts --incremental` writes; "
                     "delete it to export everything again)");
  };
  if (!j.is_object() || j.value("format", "") != "sonoria-export-state-1") throw bad("not an export state file");
  if (!j.contains("last_finished_seq") || !j["last_finished_seq"].is_number_integer())
    throw bad("last_finished_seq is missing or not an integer");
  s.last_finished_seq = j["last_finished_seq"].get<int64_t>();
  s.updated_at = j.value("updated_at", "");
  if (j.contains("pending") && j["pending"].is_object()) {
    const auto& p = j["pending"];
    if (!p.contains("finished_seq") || !p["finished_seq"].is_number_integer() || !p.contains("temp") ||
        !p["temp"].is_string())
      throw bad("pending is malformed");
    s.pending_seq = p["finished_seq"].get<int64_t>();
    s.pending_temp = p["temp"].get<std::string>();
    s.pending_target = p.value("target", "");
    auto digest = p.value("digest", std::string());
    s.pending_digest = digest.empty() ? 0 : std::stoull(digest, nullptr, 16);
  }
  return s;
}

std::optional<uint64_t> IncrementalExport::file_digest(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  if (!in) return std::nullopt;
  uint64_t h = 14695981039346656037ull;
  char buffer[65536];
  while (in.read(buffer, sizeof buffer) || in.gcount() > 0) {
    for (std::streamsize i = 0; i < in.gcount(); ++i) {
      h ^= static_cast<unsigned char>(buffer[i]);
      h *= 1099511628211ull;
    }
    if (!in) break;
  }
  return h;
}

IncrementalExport::IncrementalExport(std::string state_path) : path_(std::move(state_path)) {
  std::string lock_path = path_ + ".lock";
  lock_fd_ = ::open(lock_path.c_str(), O_RDWR | O_CREAT | O_CLOEXEC, 0600);
  if (lock_fd_ < 0) throw UserError(lock_path + ": cannot create the lock file (check the directory is writable)");
  // Blocks while another run holds it: overlapping cron runs take turns. Released by the kernel
  // if a run is killed, so a crash never leaves the export stuck.
  while (::flock(lock_fd_, LOCK_EX) != 0) {
    if (errno != EINTR) {
      ::close(lock_fd_);
      throw UserError(lock_path + ": cannot lock");
    }
  }
  try {
    state_ = read(path_);
    if (state_.pending_seq) {
      std::error_code ec;
      bool temp_left = std::filesystem::exists(state_.pending_temp, ec);
      if (!temp_left && file_digest(state_.pending_target) == state_.pending_digest) {
        // Killed after the rename: the output is in place; its calls are exported.
        state_.last_finished_seq = *state_.pending_seq;
        recovered_ = "adopted";
      } else {
        // Killed before the rename: that output never appeared; export those calls again.
        if (temp_left) std::filesystem::remove(state_.pending_temp, ec);
        recovered_ = "rolled back";
      }
      state_.pending_seq.reset();
      state_.pending_temp.clear();
      state_.pending_target.clear();
      write();
    }
  } catch (...) {
    ::close(lock_fd_);
    throw;
  }
}

IncrementalExport::~IncrementalExport() {
  if (lock_fd_ >= 0) ::close(lock_fd_);  // closing releases the flock
}

void IncrementalExport::prepare(int64_t new_watermark, const std::string& temp_path, const std::string& target_path) {
  state_.pending_seq = new_watermark;
  state_.pending_temp = std::filesystem::absolute(temp_path).string();
  state_.pending_target = std::filesystem::absolute(target_path).string();
  auto digest = file_digest(temp_path);
  if (!digest) throw UserError(temp_path + ": cannot read back the export before publishing it");
  state_.pending_digest = *digest;
  write();
}

void IncrementalExport::commit() {
  if (!state_.pending_seq) return;
  state_.last_finished_seq = *state_.pending_seq;
  state_.pending_seq.reset();
  state_.pending_temp.clear();
  state_.pending_target.clear();
  write();
}

void IncrementalExport::write() {
  state_.updated_at = db::format_timestamp(db::now_ms());
  nlohmann::json j = {{"format", "sonoria-export-state-1"},
                      {"last_finished_seq", state_.last_finished_seq},
                      {"updated_at", state_.updated_at}};
  if (state_.pending_seq)
  {
    char digest[17];
    std::snprintf(digest, sizeof digest, "%016llx", static_cast<unsigned long long>(state_.pending_digest));
    j["pending"] = {{"finished_seq", *state_.pending_seq}, {"temp", state_.pending_temp},
                    {"target", state_.pending_target}, {"digest", std::string(digest)}};
  }
  files::AtomicFile out(path_, 0600, path_ + ".tmp");
  out.stream() << j.dump(2) << "\n";
  out.publish();
}

}  // namespace sonoria::reports
