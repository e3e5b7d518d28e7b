#pragma once
// Writer records (core/db/records.hpp) as one line of JSON and back, for the writer's journal: the
// records that could not be written yet (the disk full, the database locked) wait in a file beside
// the database and are written, in order, once it can take them, even after a restart.
//
// {"type":"CallOpened","record":{…}}; times as milliseconds since the epoch, absent optionals as
// null. Parsing is strict: a line that is not exactly a record (a torn last line) is an error.

#include <optional>
#include <string>
#include <string_view>

#include "core/db/records.hpp"

namespace sonoria::db {

std::string record_to_json(const Record& record);
// nullopt when `line` is not a record this build knows.
std::optional<Record> record_from_json(std::string_view line);

}  // namespace sonoria::db
