#include <doctest/doctest.h>

#include <atomic>
#include <set>
#include <sstream>
#include <sys/wait.h>
#include <thread>
#include <unistd.h>

#include <nlohmann/json.hpp>

#include "core/db/call_queries.hpp"
#include "core/db/sqlite.hpp"
#include "core/error.hpp"
#include "core/db/migrations.hpp"
#include "core/db/sql_stores.hpp"
#include "core/reports/export_state.hpp"
#include "core/reports/exporter.hpp"
#include "tests/support/seed_calls.hpp"
#include "tests/support/temp_dir.hpp"

using namespace sonoria;
using namespace std::chrono_literals;

namespace {

struct Seeded {
  test::TempDir dir;
  std::string path = (dir / "s.db").string();
  db::SqliteConnection c{path};
  db::SqlCallStore store{c};
  db::SqlCallQueries queries{c};
  std::vector<test::SeededCall> calls;
  explicit Seeded(int n = 300) {
    db::migrate(c);
    test::SeedOptions o;
    o.calls = n;
    calls = test::seed_calls(store, o);
  }
  void more(int first, int n) {
    test::SeedOptions o;
    o.calls = n;
    o.first = first;
    auto extra = test::seed_calls(store, o);
    calls.insert(calls.end(), extra.begin(), extra.end());
  }
  std::set<std::string> finished() const {
    std::set<std::string> out;
    for (const auto& s : calls)
      if (s.ended) out.insert(s.sid);
    return out;
  }
};

// A strict RFC 4180 reader: quoted fields may hold commas, quotes (doubled) and line breaks.
std::vector<std::vector<std::string>> parse_csv(const std::string& text) {
  std::vector<std::vector<std::string>> rows;
  std::vector<std::string> row;
  std::string field;
  size_t i = 0;
  bool quoted = false, at_start = true;
  while (i < text.size()) {
    char ch = text[i];
    if (quoted) {
      if (ch == '"' && i + 1 < text.size() && text[i + 1] == '"') {
        field += '"';
        i += 2;
      } else if (ch == '"') {
        quoted = false;
        ++i;
      } else {
        field += ch;
        ++i;
      }
      continue;
    }
    if (ch == '"' && at_start) {
      quoted = true;
      at_start = false;
      ++i;
    } else if (ch == ',') {
      row.push_back(field);
      field.clear();
      at_start = true;
      ++i;
    } else if (ch == '\r' && i + 1 < text.size() && text[i + 1] == '\n') {
      row.push_back(field);
      rows.push_back(row);
      row.clear();
      field.clear();
      at_start = true;
      i += 2;
    } else {
      REQUIRE_MESSAGE((ch != '"' && ch != '\n' && ch != '\r'), "unquoted special character at byte " << i);
      field += ch;
      at_start = false;
      ++i;
    }
  }
  REQUIRE_MESSAGE((row.empty() && field.empty()), "the last record is not terminated by CRLF");
  return rows;
}

std::vector<std::string> sids_in_jsonl(const std::string& text) {
  std::vector<std::string> out;
  std::istringstream in(text);
  std::string line;
  while (std::getline(in, line)) out.push_back(nlohmann::json::parse(line)["call_sid"]);
  return out;
}

}  // namespace

TEST_CASE("CSV export of three hundred calls reads back identically with an RFC 4180 parser") {
  Seeded s;
  std::ostringstream out;
  reports::ExportJob job;
  job.format = reports::ExportFormat::csv;
  auto summary = reports::run_export(s.queries, {}, job, out);
  CHECK(summary.calls == 270);
  auto rows = parse_csv(out.str());
  REQUIRE(rows.size() == 1 + 270 * 4);
  CHECK(rows[0] == reports::csv_columns());
  size_t r = 1;
  // Exported in the order calls finished, which for this seed is the order they started.
  for (const auto& call : s.calls) {
    if (!call.ended) continue;
    for (const auto& turn : call.turns) {
      const auto& row = rows[r++];
      REQUIRE(row.size() == reports::csv_columns().size());
      CHECK(row[0] == call.sid);
      CHECK(row[2] == call.direction);
      CHECK(row[7] == std::to_string(call.duration_ms));
      CHECK(row[8] == call.status);
      CHECK(row[11] == std::to_string(turn.sequence));
      CHECK(row[12] == turn.speaker);
      CHECK(row[13] == std::to_string(turn.offset_ms));
      CHECK(row[14] == turn.text);
      CHECK(row[15] == (turn.interrupted ? "true" : "false"));
    }
  }
}

TEST_CASE("csv fields are quoted only when they must be, with quotes doubled") {
  CHECK(reports::csv_field("plain") == "plain");
  CHECK(reports::csv_field("a,b") == "\"a,b\"");
  CHECK(reports::csv_field("say \"hi\"") == "\"say \"\"hi\"\"\"");
  CHECK(reports::csv_field("two\nlines") == "\"two\nlines\"");
  CHECK(reports::csv_field("") == "");
}

TEST_CASE("json, jsonl and txt carry metadata, tool calls and turns of only finished calls") {
  Seeded s(20);
  reports::ExportJob job;
  job.format = reports::ExportFormat::json;
  std::ostringstream json_out;
  reports::run_export(s.queries, {}, job, json_out);
  auto all = nlohmann::json::parse(json_out.str());
  REQUIRE(all.size() == 18);
  const auto& first = all[0];
  CHECK(first["call_sid"] == s.calls[0].sid);
  CHECK(first["tool_calls"].size() == 2);  // call 0: book_class and send_sms
  CHECK(first["tool_calls"][0]["name"] == "book_class");
  CHECK(first["tool_calls"][0]["arguments"]["day"] == "monday");
  CHECK(first["turns"][2]["text"] == s.calls[0].turns[2].text);
  CHECK(first["usage"]["input_audio_tokens"] == 800);
  CHECK(first["duration_ms"] == 1000);

  job.format = reports::ExportFormat::jsonl;
  job.query.call_sid = s.calls[5].sid;
  std::ostringstream one;
  CHECK(reports::run_export(s.queries, {}, job, one).calls == 1);
  CHECK(sids_in_jsonl(one.str()) == std::vector<std::string>{s.calls[5].sid});

  job.format = reports::ExportFormat::txt;
  std::ostringstream txt;
  reports::run_export(s.queries, {{1, "lotus-yoga"}}, job, txt);
  CHECK(txt.str().find("=== Call " + s.calls[5].sid) != std::string::npos);
  CHECK(txt.str().find("[0:02.6] Caller: Hi, \"quick\" question, call 5, please\n") != std::string::npos);
}

TEST_CASE("incremental export hands every finished call out exactly once across runs") {
  Seeded s(100);
  test::TempDir out;
  reports::ExportJob job;
  job.state_path = (out / "state.json").string();
  std::ostringstream unused;
  std::vector<std::string> seen;
  for (int run = 0; run < 3; ++run) {
    job.out_path = (out / ("run" + std::to_string(run) + ".jsonl")).string();
    reports::run_export(s.queries, {}, job, unused);
    for (auto& sid : sids_in_jsonl(test::read_file(job.out_path))) seen.push_back(sid);
    if (run == 0) s.more(100, 50);
  }
  std::set<std::string> unique(seen.begin(), seen.end());
  CHECK(unique.size() == seen.size());
  CHECK(unique == s.finished());
  CHECK(reports::IncrementalExport::read(job.state_path).last_finished_seq == 135);
  CHECK_FALSE(reports::IncrementalExport::read(job.state_path).pending_seq);
}

TEST_CASE("a run killed before its output is published is redone, and one killed after is not") {
  Seeded s(60);
  test::TempDir out;
  std::string state = (out / "state.json").string();
  // Each child process opens its own connection and _exit()s at the chosen point, as a kill would.
  auto killed_run = [&](const std::string& out_path, bool before) {
    pid_t pid = ::fork();
    REQUIRE(pid >= 0);
    if (pid == 0) {
      db::SqliteConnection c(s.path);
      db::SqlCallQueries q(c);
      reports::ExportJob job;
      job.state_path = state;
      job.out_path = out_path;
      (before ? job.before_publish : job.after_publish) = [] { ::_exit(9); };
      std::ostringstream unused;
      reports::run_export(q, {}, job, unused);
      ::_exit(0);
    }
    int status = 0;
    ::waitpid(pid, &status, 0);
    CHECK(WIFEXITED(status));
    CHECK(WEXITSTATUS(status) == 9);
  };
  std::ostringstream unused;
  reports::ExportJob job;
  job.state_path = state;

  killed_run((out / "a.jsonl").string(), true);
  CHECK_FALSE(std::filesystem::exists(out / "a.jsonl"));
  CHECK(std::filesystem::exists(out / "a.jsonl.partial"));
  job.out_path = (out / "b.jsonl").string();
  auto b = reports::run_export(s.queries, {}, job, unused);
  CHECK(b.recovered == "rolled back");
  CHECK_FALSE(std::filesystem::exists(out / "a.jsonl.partial"));
  auto from_b = sids_in_jsonl(test::read_file(out / "b.jsonl"));
  CHECK(from_b.size() == 54);

  s.more(60, 40);
  killed_run((out / "c.jsonl").string(), false);
  auto from_c = sids_in_jsonl(test::read_file(out / "c.jsonl"));
  CHECK(from_c.size() == 36);
  job.out_path = (out / "d.jsonl").string();
  auto d = reports::run_export(s.queries, {}, job, unused);
  CHECK(d.recovered == "adopted");
  CHECK(d.calls == 0);

  std::vector<std::string> all = from_b;
  all.insert(all.end(), from_c.begin(), from_c.end());
  std::set<std::string> unique(all.begin(), all.end());
  CHECK(unique.size() == all.size());
  CHECK(unique == s.finished());
}

TEST_CASE("overlapping incremental runs take turns and split the calls between them") {
  Seeded s(80);
  test::TempDir out;
  std::string state = (out / "state.json").string();
  std::atomic<bool> first_inside{false}, release{false};
  std::ostringstream unused_a, unused_b;
  std::thread a([&] {
    db::SqliteConnection c(s.path);
    db::SqlCallQueries q(c);
    reports::ExportJob job;
    job.state_path = state;
    job.out_path = (out / "a.jsonl").string();
    job.before_publish = [&] {
      first_inside = true;
      while (!release) std::this_thread::sleep_for(1ms);
    };
    reports::run_export(q, {}, job, unused_a);
  });
  while (!first_inside) std::this_thread::sleep_for(1ms);
  // More calls finish while the first run holds the lock; the second run waits for it.
  s.more(80, 20);
  std::thread b([&] {
    db::SqliteConnection c(s.path);
    db::SqlCallQueries q(c);
    reports::ExportJob job;
    job.state_path = state;
    job.out_path = (out / "b.jsonl").string();
    reports::run_export(q, {}, job, unused_b);
  });
  std::this_thread::sleep_for(50ms);
  CHECK_FALSE(std::filesystem::exists(out / "b.jsonl"));  // still waiting for the lock
  release = true;
  a.join();
  b.join();
  auto from_a = sids_in_jsonl(test::read_file(out / "a.jsonl"));
  auto from_b = sids_in_jsonl(test::read_file(out / "b.jsonl"));
  CHECK(from_a.size() == 72);
  CHECK(from_b.size() == 18);
  std::set<std::string> unique(from_a.begin(), from_a.end());
  unique.insert(from_b.begin(), from_b.end());
  CHECK(unique.size() == from_a.size() + from_b.size());
  CHECK(unique == s.finished());
}

TEST_CASE("a state file this command did not write is refused with its path") {
  test::TempDir dir;
  auto path = dir.write("state.json", "{\"last\": 3}");
  CHECK_THROWS_WITH_AS(reports::IncrementalExport{path.string()},
                       doctest::Contains("state.json: not an export state file"), sonoria::DataError);
}
