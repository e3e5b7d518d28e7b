// sonoria appointments through the real binary: list, show, cancel as the owner, the feed URL,
// and what a mistake prints.
#include <doctest/doctest.h>

#include <nlohmann/json.hpp>

#include "core/booking/appointment_book.hpp"
#include "core/booking/icalendar.hpp"
#include "core/db/database.hpp"
#include "core/db/migrations.hpp"
#include "core/org/profile_toml.hpp"
#include "tests/support/run_command.hpp"
#include "tests/support/temp_dir.hpp"

using namespace sonoria;
using namespace sonoria::test;

namespace {

struct Owner {
  TempDir home;
  std::string db = (home / "book.db").string();
  std::map<std::string, std::string> env{{"HOME", home.path().string()}};
  std::string reference;
  std::string secret;

  Owner() {
    config::DatabaseSettings s;
    s.path = db;
    db::Database database(s, db::SchemaCheck::none);
    database.migrate();
    auto profile = org::load_profile_file(source_dir() / "examples" / "physio-clinic.toml");
    profile.id = database.orgs().upsert(profile);
    secret = database.orgs().signing_secret(profile.id);
    booking::AppointmentBook book(database.appointments(), profile);
    booking::BookRequest r;
    r.service = "Sports massage";
    r.start = *booking::parse_local_date_time("2027-01-11 13:00");  // a Monday
    r.customer_name = "Ana Lima";
    r.customer_phone = "+15557770001";
    const auto now = booking::Instant{std::chrono::seconds{1796000000}};  // 2026-11-29
    reference = book.book(r, now).appointment->reference;
  }
  CommandResult run(std::vector<std::string> args) {
    args.insert(args.begin(), {"--db", db});
    return run_sonoria(args, env);
  }
};

}  // namespace

TEST_CASE("appointments list and show: by local time, filtered, as text and JSON") {
  Owner o;
  auto list = o.run({"appointments", "list", "--org", "harbor-physio", "--from", "2027-01-01"});
  REQUIRE_MESSAGE(list.exit_code == 0, list.err);
  CHECK(list.out.find(o.reference) != std::string::npos);
  CHECK(list.out.find("2027-01-11 13:00") != std::string::npos);
  CHECK(list.out.find("Tom Reyes") != std::string::npos);
  CHECK(o.run({"appointments", "list", "--org", "harbor-physio", "--from", "2027-01-01", "--member", "Dr. Elena Park"})
            .out == "no appointments\n");
  CHECK(o.run({"appointments", "list", "--org", "harbor-physio", "--from", "2027-01-01", "--to", "2027-01-10"}).out ==
        "no appointments\n");
  auto json = nlohmann::json::parse(
      o.run({"appointments", "list", "--org", "harbor-physio", "--from", "2027-01-11", "--to", "2027-01-11", "--json"}).out);
  REQUIRE(json.size() == 1);
  CHECK(json[0]["starts_at"] == "2027-01-11T18:00:00.000Z");
  CHECK(json[0]["reminder_state"] == "pending");

  auto show = o.run({"appointments", "show", o.reference, "--json"});
  REQUIRE_MESSAGE(show.exit_code == 0, show.err);
  CHECK(nlohmann::json::parse(show.out)["customer_name"] == "Ana Lima");

  auto unknown = o.run({"appointments", "show", "ZZZZZZ"});
  CHECK(unknown.exit_code == 3);
  CHECK(unknown.err.find("no appointment \"ZZZZZZ\"") != std::string::npos);
  auto bad_date = o.run({"appointments", "list", "--org", "harbor-physio", "--from", "next week"});
  CHECK(bad_date.exit_code == 2);
  CHECK(bad_date.err.find("--from: \"next week\" is not a date (expected YYYY-MM-DD)") != std::string::npos);
  CHECK(o.run({"appointments", "list", "--org", "nope"}).exit_code == 3);
}

TEST_CASE("appointments cancel as the owner, once; the feed URL carries the organization's token") {
  Owner o;
  auto cancel = o.run({"appointments", "cancel", o.reference, "--no-text"});
  REQUIRE_MESSAGE(cancel.exit_code == 0, cancel.err);
  CHECK(cancel.out.find("cancelled " + o.reference) != std::string::npos);
  CHECK(nlohmann::json::parse(o.run({"appointments", "show", o.reference, "--json"}).out)["cancelled_by"] == "owner");
  auto again = o.run({"appointments", "cancel", o.reference, "--no-text"});
  CHECK(again.exit_code == 3);
  CHECK(again.err.find("is cancelled already") != std::string::npos);

  auto feed = o.run({"appointments", "feed", "--org", "harbor-physio", "--member", "Tom Reyes"});
  REQUIRE_MESSAGE(feed.exit_code == 0, feed.err);
  CHECK(feed.out == "http://127.0.0.1:8080" + booking::feed_path(o.secret, "harbor-physio", "tom-reyes") + "\n");
  CHECK(feed.err.find("share it like a password") != std::string::npos);
  auto nobody = o.run({"appointments", "feed", "--org", "harbor-physio", "--member", "Tom"});
  CHECK(nobody.exit_code == 3);
  CHECK(nobody.err.find("expected one of Dr. Elena Park, Tom Reyes") != std::string::npos);
}
