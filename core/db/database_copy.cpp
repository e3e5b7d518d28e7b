#include "core/db/database_copy.hpp"

#include <algorithm>
#include <filesystem>
#include <type_traits>
#include <variant>

#include "core/db/migrations.hpp"
#include "core/db/postgresql.hpp"
#include "core/db/sqlite.hpp"
#include "core/error.hpp"
#include "core/kb/content_digest.hpp"

namespace sonoria::db {
namespace {

enum class Kind { integer, real, text };

struct Column {
  std::string name;
  Kind kind = Kind::text;
};

Kind kind_of(std::string type) {
  std::transform(type.begin(), type.end(), type.begin(), [](unsigned char c) { return static_cast<char>(std::tolower(c)); });
  if (type.find("int") != std::string::npos) return Kind::integer;
  if (type.find("real") != std::string::npos || type.find("double") != std::string::npos ||
      type.find("float") != std::string::npos || type.find("numeric") != std::string::npos)
    return Kind::real;
  return Kind::text;
}

// The table's stored columns in order (PostgreSQL's generated ones left out: they follow).
std::vector<Column> columns_of(Connection& c, const std::string& table) {
  std::vector<Column> out;
  Statement s(c, c.dialect() == Dialect::sqlite
                     ? "SELECT name, type FROM pragma_table_info(?) ORDER BY cid"
                     : "SELECT column_name, data_type FROM information_schema.columns WHERE table_schema = current_schema() "
                       "AND table_name = ? AND is_generated = 'NEVER' ORDER BY ordinal_position");
  s.bind(1, table);
  while (s.step()) out.push_back({s.text(0), kind_of(s.text(1))});
  if (out.empty()) throw DataError(c.path() + ": no table \"" + table + "\" (is this a sonoria database?)");
  return out;
}

std::string column_list(const std::vector<Column>& columns) {
  std::string out;
  for (const auto& c : columns) out += (out.empty() ? "" : ", ") + c.name;
  return out;
}

// The value of column `i` as the copy compares it: NULL apart from every text.
void append_canonical(std::string& out, const Statement& s, int i, Kind kind) {
  if (s.is_null(i)) {
    out += "N;";
    return;
  }
  std::string value;
  switch (kind) {
    case Kind::integer: value = std::to_string(s.int64(i)); break;
    case Kind::real: value = std::to_string(s.real(i)); break;
    case Kind::text: value = s.text(i); break;
  }
  out += std::to_string(value.size()) + ":" + value + ";";
}

TableDigest digest_with(Connection& c, const std::string& table, const std::vector<Column>& columns) {
  TableDigest out;
  std::vector<std::string> rows;
  Statement s(c, "SELECT " + column_list(columns) + " FROM " + table);
  std::string row;
  while (s.step()) {
    row.clear();
    for (int i = 0; i < static_cast<int>(columns.size()); ++i) append_canonical(row, s, i, columns[static_cast<size_t>(i)].kind);
    rows.push_back(kb::sha256_hex(row));
  }
  std::sort(rows.begin(), rows.end());
  std::string all;
  all.reserve(rows.size() * 64);
  for (const auto& r : rows) all += r;
  out.rows = static_cast<int64_t>(rows.size());
  out.sha256 = kb::sha256_hex(all);
  return out;
}

int64_t count_rows(Connection& c, const std::string& table) {
  Statement s(c, "SELECT COUNT(*) FROM " + table);
  s.step();
  return s.int64(0);
}

std::string insert_sql(const std::string& table, const std::vector<Column>& columns, size_t rows) {
  std::string one = "(";
  for (size_t i = 0; i < columns.size(); ++i) one += i ? ", ?" : "?";
  one += ")";
  std::string sql = "INSERT INTO " + table + " (" + column_list(columns) + ") VALUES ";
  for (size_t r = 0; r < rows; ++r) sql += (r ? ", " : "") + one;
  return sql;
}

using Value = std::variant<std::monostate, int64_t, double, std::string>;

Value read_value(const Statement& s, int column, Kind kind) {
  if (s.is_null(column)) return std::monostate{};
  switch (kind) {
    case Kind::integer: return s.int64(column);
    case Kind::real: return s.real(column);
    case Kind::text: break;
  }
  return s.text(column);
}

int64_t copy_table(Connection& source, Connection& target, const std::string& table, const std::vector<Column>& columns) {
  // Many rows to a statement: one round trip to PostgreSQL for hundreds of rows. Both databases
  // take at least 32766 values in one statement.
  const size_t per_statement = std::max<size_t>(1, std::min<size_t>(500, 30000 / columns.size()));
  Statement read(source, "SELECT " + column_list(columns) + " FROM " + table + " ORDER BY 1");
  std::vector<Value> buffered;
  buffered.reserve(per_statement * columns.size());
  int64_t copied = 0;
  auto flush = [&] {
    const size_t rows = buffered.size() / columns.size();
    if (rows == 0) return;
    Statement insert(target, insert_sql(table, columns, rows));
    int index = 1;
    for (const auto& value : buffered) {
      std::visit(
          [&](const auto& v) {
            if constexpr (std::is_same_v<std::decay_t<decltype(v)>, std::monostate>) insert.bind_null(index);
            else insert.bind(index, v);
          },
          value);
      ++index;
    }
    insert.run();
    buffered.clear();
  };
  while (read.step()) {
    for (size_t i = 0; i < columns.size(); ++i) buffered.push_back(read_value(read, static_cast<int>(i), columns[i].kind));
    ++copied;
    if (buffered.size() == per_statement * columns.size()) flush();
  }
  flush();
  return copied;
}

}  // namespace

int64_t CopyReport::rows() const {
  int64_t n = 0;
  for (const auto& t : tables) n += t.rows;
  return n;
}

bool CopyReport::verified() const {
  return std::all_of(tables.begin(), tables.end(), [](const TableCopy& t) { return t.verified; });
}

const std::vector<std::string>& copied_tables() {
  static const std::vector<std::string> tables = {
      "organizations", "organization_numbers", "organization_secrets", "profile_versions", "users",
      "dashboard_sessions", "audit_log", "calls", "transcript_entries", "call_events", "messages",
      "kb_documents", "kb_passages", "webhook_deliveries", "appointments",
  };
  return tables;
}

std::unique_ptr<Connection> open_copy_endpoint(const std::string& location, bool target) {
  if (is_postgresql_url(location)) return std::make_unique<PostgresqlConnection>(location);
  std::string path = location.rfind("sqlite:", 0) == 0 ? location.substr(7) : location;
  if (path.rfind("//", 0) == 0) path = path.substr(2);  // sqlite:///var/lib/… as well as sqlite:/var/lib/…
  if (path.empty()) throw DataError("\"" + location + "\" names no database (expected sqlite:PATH, a path, or postgresql://…)");
  if (!target) {
    if (!std::filesystem::exists(path)) throw DataError(path + ": no database here");
    OpenOptions options;
    options.read_only = true;
    options.create = false;
    return std::make_unique<SqliteConnection>(path, options);
  }
  return std::make_unique<SqliteConnection>(path);
}

TableDigest table_digest(Connection& connection, const std::string& table) {
  return digest_with(connection, table, columns_of(connection, table));
}

CopyReport copy_database(Connection& source, Connection& target,
                         const std::function<void(const TableCopy&)>& progress) {
  if (source.dialect() == target.dialect() && source.path() == target.path())
    throw DataError(source.path() + ": the source and the target are the same database");
  require_current_schema(source);
  migrate(target);
  for (const auto& table : copied_tables())
    if (const int64_t n = count_rows(target, table); n > 0)
      throw DataError(target.path() + ": already holds records (" + std::to_string(n) + " in " + table +
                      "); copy into a new, empty database. Nothing was changed.");

  CopyReport report;
  ReadTransaction snapshot(source);
  Transaction tx(target);
  std::vector<std::vector<Column>> all_columns;
  for (const auto& table : copied_tables()) {
    auto columns = columns_of(source, table);
    // Only what both have (they are the same schema version; PostgreSQL's generated columns are
    // computed on its side).
    const auto theirs = columns_of(target, table);
    std::vector<Column> shared;
    for (const auto& c : columns) {
      auto match = std::find_if(theirs.begin(), theirs.end(), [&](const Column& t) { return t.name == c.name; });
      if (match == theirs.end())
        throw DataError(target.path() + ": " + table + " has no column " + c.name + " (schema versions differ?)");
      shared.push_back({c.name, match->kind});
    }
    TableCopy done{table, copy_table(source, target, table, shared), false};
    report.tables.push_back(done);
    all_columns.push_back(std::move(shared));
  }
  if (target.dialect() == Dialect::postgresql) {
    // New rows must not reuse the copied ids.
    for (const auto& table : copied_tables()) {
      const auto columns = columns_of(target, table);
      if (std::none_of(columns.begin(), columns.end(), [](const Column& c) { return c.name == "id"; })) continue;
      Statement s(target, "SELECT setval(pg_get_serial_sequence('" + table + "', 'id'), COALESCE(MAX(id), 1), "
                          "MAX(id) IS NOT NULL) FROM " + table);
      s.run();
    }
  }
  // Verified inside the target's transaction: what commits is what was compared.
  for (size_t i = 0; i < report.tables.size(); ++i) {
    auto& t = report.tables[i];
    const auto from = digest_with(source, t.table, all_columns[i]);
    const auto to = digest_with(target, t.table, all_columns[i]);
    t.verified = from.rows == to.rows && from.sha256 == to.sha256 && from.rows == t.rows;
    if (!t.verified)
      throw DataError(target.path() + ": " + t.table + " differs from the source after the copy (" +
                      std::to_string(from.rows) + " rows there, " + std::to_string(to.rows) +
                      " here); nothing was kept. A text the target cannot store as it is (invalid UTF-8) is one cause.");
    if (progress) progress(t);
  }
  tx.commit();
  return report;
}

}  // namespace sonoria::db
