// sonoria-bench-storage: the database writer's throughput on SQLite and on PostgreSQL (issue 14).
// Posts the records of N whole calls (opened, answered, six turns, two events, finished: ten
// records a call) to the daemon's own writer (daemon/db_writer.hpp), as sessions do, and times
// them until every one is committed. Prints one JSON line per backend. scripts/bench --storage
// runs it against a SQLite file and a throwaway PostgreSQL cluster; CI never does.
#include <CLI/CLI.hpp>

#include <chrono>
#include <filesystem>
#include <iostream>
#include <nlohmann/json.hpp>
#include <thread>
#include <unistd.h>

#include "core/db/database.hpp"
#include "core/db/postgresql.hpp"
#include "daemon/db_writer.hpp"

using namespace sonoria;
using Clock = std::chrono::steady_clock;

namespace {

std::vector<db::Record> call_records(int i, db::TimePoint start) {
  using namespace std::chrono_literals;
  const std::string sid = "CAbench" + std::to_string(i);
  std::vector<db::Record> out;
  out.push_back(db::CallOpened{sid, std::nullopt, "inbound", "+15551112222", "+15550001000", "ringing", start, {}, std::nullopt});
  out.push_back(db::CallAnswered{sid, "MZ" + std::to_string(i), start + 1s});
  for (int t = 0; t < 6; ++t)
    out.push_back(db::TranscriptEntry{sid, t, 2000 + t * 3000, t % 2 ? "caller" : "assistant",
                                      "A sentence of an ordinary length that a caller or the assistant might say.",
                                      std::nullopt, false, "item_" + std::to_string(t), std::nullopt});
  out.push_back(db::CallEvent{sid, start + 5s, 5000, "tool_call", "book_class", R"({"ok":true})"});
  out.push_back(db::CallEvent{sid, start + 9s, 9000, "interruption", std::nullopt, std::nullopt});
  db::CallFinished done;
  done.call_sid = sid;
  done.status = "completed";
  done.end_reason = "caller_hung_up";
  done.ended_at = start + 30s;
  done.duration_ms = 29000;
  done.turns = 6;
  done.turn_latencies_ms = {600, 700, 650};
  out.push_back(done);
  return out;
}

nlohmann::json run(const std::string& backend, const config::DatabaseSettings& settings, int calls) {
  {
    db::Database database(settings, db::SchemaCheck::none);
    database.migrate();
  }
  daemon::DbWriter writer(settings, {});
  const auto start = db::now_ms();
  int64_t records = 0;
  const auto began = Clock::now();
  for (int i = 0; i < calls; ++i)
    for (auto& r : call_records(i, start)) {
      while (!writer.post(std::move(r))) std::this_thread::sleep_for(std::chrono::milliseconds(1));
      ++records;
    }
  writer.flush();
  const double seconds = std::chrono::duration<double>(Clock::now() - began).count();
  writer.flush_and_stop();
  db::Database check(settings, db::SchemaCheck::require_current, true);
  int64_t stored = 0;
  check.queries().for_each_call({}, [&](const db::CallRow& row) { stored += row.status == "completed"; });
  return {{"backend", backend}, {"calls", calls}, {"records", records}, {"seconds", seconds},
          {"records_per_second", static_cast<int64_t>(records / seconds)},
          {"calls_per_second", static_cast<int64_t>(calls / seconds)}, {"calls_stored", stored}};
}

}  // namespace

int main(int argc, char** argv) {
  CLI::App app{"The database writer's records per second on SQLite and PostgreSQL"};
  int calls = 5000;
  std::string sqlite_dir;
  std::string postgresql_url;
  app.add_option("--calls", calls, "Whole calls to write (ten records each)")->check(CLI::Range(1, 10'000'000));
  app.add_option("--sqlite-dir", sqlite_dir, "A folder for the SQLite file (it is deleted after)");
  app.add_option("--postgresql", postgresql_url, "A PostgreSQL URL; a schema of the bench's own is made and dropped");
  CLI11_PARSE(app, argc, argv);
  try {
    if (!sqlite_dir.empty()) {
      config::DatabaseSettings s;
      s.path = (std::filesystem::path(sqlite_dir) / ("bench-" + std::to_string(::getpid()) + ".db")).string();
      std::cout << run("sqlite", s, calls).dump() << std::endl;
      for (const char* suffix : {"", "-wal", "-shm"}) std::filesystem::remove(s.path + suffix);
    }
    if (!postgresql_url.empty()) {
      const std::string schema = "bench_" + std::to_string(::getpid());
      db::PostgresqlConnection admin(postgresql_url);
      admin.exec("CREATE SCHEMA " + schema);
      config::DatabaseSettings s;
      s.path = (std::filesystem::temp_directory_path() / ("bench-local-" + std::to_string(::getpid()) + ".db")).string();
      s.url = postgresql_url + (postgresql_url.find('?') == std::string::npos ? "?" : "&") + "options=-csearch_path%3D" + schema;
      try {
        std::cout << run("postgresql", s, calls).dump() << std::endl;
      } catch (...) {
        admin.exec("DROP SCHEMA " + schema + " CASCADE");
        throw;
      }
      admin.exec("DROP SCHEMA " + schema + " CASCADE");
    }
  } catch (const std::exception& e) {
    std::cerr << "sonoria-bench-storage: " << e.what() << "\n";
    return 1;
  }
  return 0;
}
