#include "core/db/outbound_queries.hpp"

namespace sonoria::db {

std::optional<TimePoint> last_outbound_call_to(Connection& connection, const std::string& number) {
  Statement s(connection,
              "SELECT MAX(started_at) FROM calls WHERE direction = 'outbound' AND to_number = ?");
  s.bind(1, number);
  if (!s.step() || s.is_null(0)) return std::nullopt;
  return parse_timestamp(s.text(0));
}

int calls_in_progress(Connection& connection) {
  Statement s(connection, "SELECT COUNT(*) FROM calls WHERE ended_at IS NULL AND status IN ('ringing', 'in-progress')");
  return s.step() ? static_cast<int>(s.int64(0)) : 0;
}

}  // namespace sonoria::db
