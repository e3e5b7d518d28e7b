#include "core/db/migrations.hpp"

#include "core/db/postgresql_schema.hpp"
#include "core/db/timestamp.hpp"
#include "core/error.hpp"

namespace sonoria::db {
namespace {

// Times are ISO-8601 UTC text with milliseconds ("2026-11-23T21:18:46.123Z"): they sort as
// text, read well in the sqlite3 shell, and PostgreSQL parses them as timestamptz.
const char* const k_v1_schema = R"SQL(
CREATE TABLE organizations (
  id            INTEGER PRIMARY KEY,
  slug          TEXT NOT NULL UNIQUE,
  name          TEXT NOT NULL,
  timezone      TEXT NOT NULL,
  profile_json  TEXT NOT NULL,
  created_at    TEXT NOT NULL,
  updated_at    TEXT NOT NULL
);

-- The numbers an organization answers; an incoming call is routed by its To number.
CREATE TABLE organization_numbers (
  number           TEXT PRIMARY KEY,
  organization_id  INTEGER NOT NULL REFERENCES organizations(id) ON DELETE CASCADE
);

CREATE TABLE calls (
  id                   INTEGER PRIMARY KEY,
  call_sid             TEXT NOT NULL UNIQUE,
  organization_id      INTEGER REFERENCES organizations(id) ON DELETE SET NULL,
  direction            TEXT NOT NULL CHECK (direction IN ('inbound', 'outbound')),
  from_number          TEXT NOT NULL,
  to_number            TEXT NOT NULL,
  status               TEXT NOT NULL,
  twilio_status        TEXT,
  twilio_sequence      INTEGER,
  started_at           TEXT NOT NULL,
  answered_at          TEXT,
  ended_at             TEXT,
  duration_ms          INTEGER,
  twilio_duration_s    INTEGER,
  end_reason           TEXT,
  stream_sid           TEXT,
  answered_by          TEXT,
  turns                INTEGER NOT NULL DEFAULT 0,
  interruptions        INTEGER NOT NULL DEFAULT 0,
  tool_calls           INTEGER NOT NULL DEFAULT 0,
  frames_in            INTEGER NOT NULL DEFAULT 0,
  frames_out           INTEGER NOT NULL DEFAULT 0,
  input_tokens         INTEGER NOT NULL DEFAULT 0,
  output_tokens        INTEGER NOT NULL DEFAULT 0,
  input_audio_tokens   INTEGER NOT NULL DEFAULT 0,
  output_audio_tokens  INTEGER NOT NULL DEFAULT 0,
  cached_tokens        INTEGER NOT NULL DEFAULT 0,
  greeting_latency_ms  INTEGER,
  turn_latencies_ms    TEXT,            -- JSON array of per-turn latencies
  updated_at           TEXT NOT NULL
);
CREATE INDEX calls_by_org_started ON calls (organization_id, started_at);
CREATE INDEX calls_by_started ON calls (started_at);
CREATE INDEX calls_by_status ON calls (status);
CREATE INDEX calls_by_from_started ON calls (from_number, started_at);

CREATE TABLE transcript_entries (
  id              INTEGER PRIMARY KEY,
  call_id         INTEGER NOT NULL REFERENCES calls(id) ON DELETE CASCADE,
  sequence        INTEGER NOT NULL,
  offset_ms       INTEGER NOT NULL,
  speaker         TEXT NOT NULL CHECK (speaker IN ('caller', 'assistant', 'system')),
  text            TEXT NOT NULL,       -- as heard
  generated_text  TEXT,                -- what the engine generated, when it differs
  interrupted     INTEGER NOT NULL DEFAULT 0,
  item_id         TEXT,
  UNIQUE (call_id, sequence)
);

CREATE TABLE call_events (
  id           INTEGER PRIMARY KEY,
  call_id      INTEGER NOT NULL REFERENCES calls(id) ON DELETE CASCADE,
  at           TEXT NOT NULL,
  offset_ms    INTEGER,
  kind         TEXT NOT NULL,          -- tool_call, interruption, error, dtmf, transfer, …
  name         TEXT,
  detail_json  TEXT
);
CREATE INDEX call_events_by_call ON call_events (call_id);

CREATE TABLE messages (
  id               INTEGER PRIMARY KEY,
  organization_id  INTEGER REFERENCES organizations(id) ON DELETE SET NULL,
  call_id          INTEGER REFERENCES calls(id) ON DELETE SET NULL,
  message_sid      TEXT UNIQUE,
  purpose          TEXT NOT NULL,      -- booking_link, notify_owner, manual, …
  from_number      TEXT NOT NULL,
  to_number        TEXT NOT NULL,
  body             TEXT NOT NULL,
  status           TEXT NOT NULL,
  error_code       INTEGER,
  error_message    TEXT,
  created_at       TEXT NOT NULL,
  updated_at       TEXT NOT NULL
);
CREATE INDEX messages_by_created ON messages (created_at);
)SQL";

// Exports need the order in which calls were *closed*, not opened or ended: the writer commits
// in batches, so a call that ended earlier can commit later. finished_seq numbers calls as their
// end is committed (writes are serialised, so MAX + 1 is monotonic in commit order), whatever
// closed them (the session, a status callback, crash recovery, a refused call).
const char* const k_v2_schema = R"SQL(
ALTER TABLE calls ADD COLUMN finished_seq INTEGER;
UPDATE calls SET finished_seq = (SELECT COUNT(*) FROM calls c2 WHERE c2.ended_at IS NOT NULL
  AND (c2.ended_at < calls.ended_at OR (c2.ended_at = calls.ended_at AND c2.id <= calls.id)))
  WHERE ended_at IS NOT NULL;
CREATE UNIQUE INDEX calls_by_finished_seq ON calls (finished_seq);
CREATE INDEX calls_by_ended ON calls (ended_at);
CREATE INDEX messages_by_call ON messages (call_id);
CREATE TRIGGER calls_finished_on_update AFTER UPDATE OF ended_at ON calls
  WHEN NEW.ended_at IS NOT NULL AND NEW.finished_seq IS NULL
BEGIN
  UPDATE calls SET finished_seq = (SELECT COALESCE(MAX(finished_seq), 0) + 1 FROM calls) WHERE id = NEW.id;
END;
CREATE TRIGGER calls_finished_on_insert AFTER INSERT ON calls
  WHEN NEW.ended_at IS NOT NULL AND NEW.finished_seq IS NULL
BEGIN
  UPDATE calls SET finished_seq = (SELECT COALESCE(MAX(finished_seq), 0) + 1 FROM calls) WHERE id = NEW.id;
END;
)SQL";

// Which engines served a call and for how long: a JSON array [{"engine":"openai","ms":61000}, …]
// in the order they served. Calls answered before engines were a choice were all OpenAI's.
const char* const k_v3_schema = R"SQL(
ALTER TABLE calls ADD COLUMN engines TEXT NOT NULL DEFAULT '[]';
UPDATE calls SET engines = json_array(json_object('engine', 'openai', 'ms', COALESCE(duration_ms, 0)))
  WHERE answered_at IS NOT NULL;
)SQL";

// Call flows: the stage of each transcript turn (null without stages) and the stages each call
// reached, as a JSON array of names in the order first reached (the analytics funnel).
const char* const k_v4_schema = R"SQL(
ALTER TABLE transcript_entries ADD COLUMN stage TEXT;
ALTER TABLE calls ADD COLUMN stages TEXT NOT NULL DEFAULT '[]';
)SQL";

// The knowledge base: documents per organization, their passages, and an FTS5 index over the
// passages' headings and text (external content, kept in step by triggers). The profiles' FAQs
// are indexed too, as the document "faq" of each organization (OrgStore::upsert keeps it current).
const char* const k_v5_schema = R"SQL(
CREATE TABLE kb_documents (
  id               INTEGER PRIMARY KEY,
  organization_id  INTEGER NOT NULL REFERENCES organizations(id) ON DELETE CASCADE,
  source           TEXT NOT NULL,
  title            TEXT NOT NULL,
  format           TEXT NOT NULL,
  sha256           TEXT NOT NULL,
  bytes            INTEGER NOT NULL,
  passages         INTEGER NOT NULL,
  imported_at      TEXT NOT NULL,
  UNIQUE (organization_id, source)
);
CREATE TABLE kb_passages (
  id               INTEGER PRIMARY KEY,
  document_id      INTEGER NOT NULL REFERENCES kb_documents(id) ON DELETE CASCADE,
  organization_id  INTEGER NOT NULL,
  ordinal          INTEGER NOT NULL,
  heading          TEXT NOT NULL,
  text             TEXT NOT NULL
);
CREATE INDEX kb_passages_by_document ON kb_passages (document_id);
CREATE VIRTUAL TABLE kb_index USING fts5(heading, text, content='kb_passages', content_rowid='id',
  tokenize='porter unicode61 remove_diacritics 2');
CREATE TRIGGER kb_passages_indexed AFTER INSERT ON kb_passages BEGIN
  INSERT INTO kb_index (rowid, heading, text) VALUES (NEW.id, NEW.heading, NEW.text);
END;
CREATE TRIGGER kb_passages_unindexed AFTER DELETE ON kb_passages BEGIN
  INSERT INTO kb_index (kb_index, rowid, heading, text) VALUES ('delete', OLD.id, OLD.heading, OLD.text);
END;
INSERT INTO kb_documents (organization_id, source, title, format, sha256, bytes, passages, imported_at)
  SELECT id, 'faq', 'Frequently asked questions', 'faq', '', 0, json_array_length(profile_json, '$.faqs'), updated_at
  FROM organizations WHERE json_array_length(profile_json, '$.faqs') > 0;
INSERT INTO kb_passages (document_id, organization_id, ordinal, heading, text)
  SELECT d.id, o.id, f.key, json_extract(f.value, '$.question'), json_extract(f.value, '$.answer')
  FROM organizations o JOIN kb_documents d ON d.organization_id = o.id AND d.source = 'faq',
       json_each(o.profile_json, '$.faqs') f;
)SQL";

// Each organization's secret for signing what sonoria sends to its systems (HTTP tools,
// webhooks; core/tools/request_signature.hpp). Kept out of the profile, so exports never hold it.
// Organizations that exist get one here (SQLite's randomblob, seeded from the OS); later ones at
// import (OpenSSL RAND_bytes).
const char* const k_v6_schema = R"SQL(
CREATE TABLE organization_secrets (
  organization_id  INTEGER PRIMARY KEY REFERENCES organizations(id) ON DELETE CASCADE,
  signing_secret   TEXT NOT NULL,
  created_at       TEXT NOT NULL
);
INSERT INTO organization_secrets (organization_id, signing_secret, created_at)
  SELECT id, lower(hex(randomblob(32))), updated_at FROM organizations;
)SQL";

// Webhooks waiting to be delivered, delivered, or given up: queued in the transaction that ends
// the call (so a crash loses neither), one row per call and end (the idempotency key names the
// call and its finished_seq: a call that comes back and ends again is told again).
const char* const k_v7_schema = R"SQL(
CREATE TABLE webhook_deliveries (
  id               INTEGER PRIMARY KEY,
  organization_id  INTEGER NOT NULL REFERENCES organizations(id) ON DELETE CASCADE,
  call_sid         TEXT NOT NULL,
  event            TEXT NOT NULL,
  url              TEXT NOT NULL,
  idempotency_key  TEXT NOT NULL UNIQUE,
  status           TEXT NOT NULL,
  attempts         INTEGER NOT NULL DEFAULT 0,
  payload          TEXT,
  last_status      INTEGER,
  last_error       TEXT,
  next_attempt_at  TEXT NOT NULL,
  created_at       TEXT NOT NULL,
  delivered_at     TEXT
);
CREATE INDEX webhook_deliveries_due ON webhook_deliveries (status, next_attempt_at);
)SQL";

// The post-call summary (a text model's): null until made; {"error": …} when it could not be.
const char* const k_v8_schema = R"SQL(
ALTER TABLE calls ADD COLUMN summary_json TEXT;
)SQL";

// The appointment book (booking.mode built_in and google). The triggers are the book's last word
// on double booking: whatever a caller of the store did or did not check, two booked appointments
// of one column never overlap (core/booking checks first, inside the same transaction).
const char* const k_v9_schema = R"SQL(
CREATE TABLE appointments (
  id               INTEGER PRIMARY KEY,
  organization_id  INTEGER NOT NULL REFERENCES organizations(id) ON DELETE CASCADE,
  reference        TEXT NOT NULL UNIQUE,
  service          TEXT NOT NULL,
  team_member      TEXT NOT NULL DEFAULT '',
  location         TEXT NOT NULL DEFAULT '',
  resource         TEXT NOT NULL,
  starts_at        INTEGER NOT NULL,
  ends_at          INTEGER NOT NULL,
  busy_until       INTEGER NOT NULL,
  customer_name    TEXT NOT NULL,
  customer_phone   TEXT NOT NULL,
  status           TEXT NOT NULL,
  call_sid         TEXT,
  created_at       TEXT NOT NULL,
  updated_at       TEXT NOT NULL,
  cancelled_at     TEXT,
  cancelled_by     TEXT NOT NULL DEFAULT '',
  reminder_at      INTEGER,
  reminder_state   TEXT NOT NULL DEFAULT 'none',
  calendar_id      TEXT NOT NULL DEFAULT '',
  event_id         TEXT NOT NULL DEFAULT '',
  CHECK (ends_at > starts_at AND busy_until >= ends_at),
  CHECK (status IN ('booked', 'cancelled'))
);
CREATE INDEX appointments_by_time ON appointments (organization_id, status, starts_at);
CREATE INDEX appointments_by_phone ON appointments (organization_id, customer_phone, starts_at);
CREATE INDEX appointments_reminders ON appointments (reminder_state, reminder_at);
CREATE TRIGGER appointments_no_overlap_insert BEFORE INSERT ON appointments
WHEN NEW.status = 'booked' BEGIN
  SELECT RAISE(ABORT, 'appointment overlaps another booked appointment of the same column')
  WHERE EXISTS (SELECT 1 FROM appointments a WHERE a.organization_id = NEW.organization_id
                AND a.resource = NEW.resource AND a.status = 'booked'
                AND a.starts_at < NEW.busy_until AND NEW.starts_at < a.busy_until);
END;
CREATE TRIGGER appointments_no_overlap_update BEFORE UPDATE OF starts_at, busy_until, resource, status ON appointments
WHEN NEW.status = 'booked' BEGIN
  SELECT RAISE(ABORT, 'appointment overlaps another booked appointment of the same column')
  WHERE EXISTS (SELECT 1 FROM appointments a WHERE a.organization_id = NEW.organization_id AND a.id <> NEW.id
                AND a.resource = NEW.resource AND a.status = 'booked'
                AND a.starts_at < NEW.busy_until AND NEW.starts_at < a.busy_until);
END;
)SQL";

// The owner's dashboard: its users (scrypt hashes only), their sessions (keyed by the SHA-256 of
// the cookie's token, never the token) and the audit log of who changed what. Audit rows outlive
// their user (user_id is set null, the username stays).
const char* const k_v10_schema = R"SQL(
CREATE TABLE users (
  id               INTEGER PRIMARY KEY,
  username         TEXT NOT NULL UNIQUE,
  role             TEXT NOT NULL CHECK (role IN ('admin', 'owner', 'staff')),
  organization_id  INTEGER REFERENCES organizations(id) ON DELETE CASCADE,
  password_hash    TEXT NOT NULL,
  created_at       TEXT NOT NULL,
  password_set_at  TEXT NOT NULL,
  last_login_at    TEXT,
  CHECK ((role = 'admin') = (organization_id IS NULL))
);
CREATE TABLE dashboard_sessions (
  token_sha256     TEXT PRIMARY KEY,
  user_id          INTEGER NOT NULL REFERENCES users(id) ON DELETE CASCADE,
  csrf_token       TEXT NOT NULL,
  created_at       INTEGER NOT NULL,
  last_seen_at     INTEGER NOT NULL,
  expires_at       INTEGER NOT NULL,
  remote_address   TEXT NOT NULL DEFAULT '',
  user_agent       TEXT NOT NULL DEFAULT ''
);
CREATE INDEX dashboard_sessions_by_user ON dashboard_sessions (user_id);
CREATE TABLE audit_log (
  id               INTEGER PRIMARY KEY,
  at               TEXT NOT NULL,
  user_id          INTEGER REFERENCES users(id) ON DELETE SET NULL,
  actor            TEXT NOT NULL,
  organization_id  INTEGER REFERENCES organizations(id) ON DELETE SET NULL,
  action           TEXT NOT NULL,
  target           TEXT NOT NULL DEFAULT '',
  detail           TEXT NOT NULL DEFAULT '',
  remote_address   TEXT NOT NULL DEFAULT ''
);
CREATE INDEX audit_log_by_org ON audit_log (organization_id, id);
)SQL";

// Versions are added by OrgStore::upsert (the TOML text is written by C++, not SQL); an
// organization stored before this migration gets its first version with its next save.
const char* const k_v11_schema = R"SQL(
CREATE TABLE profile_versions (
  organization_id  INTEGER NOT NULL REFERENCES organizations(id) ON DELETE CASCADE,
  version          INTEGER NOT NULL,
  saved_at         TEXT NOT NULL,
  saved_by         TEXT NOT NULL,
  note             TEXT NOT NULL DEFAULT '',
  profile_toml     TEXT NOT NULL,
  PRIMARY KEY (organization_id, version)
);
)SQL";

// A call placed from the dashboard's "Talk to your assistant": who placed it (NULL = a real call).
const char* const k_v12_schema = R"SQL(
ALTER TABLE calls ADD COLUMN test_by TEXT;
)SQL";

// A call's recording (core/audio/recording_file.hpp): its file, relative to the recordings
// directory beside the database, and its length. NULL = not recorded, or deleted by cleanup.
const char* const k_v13_schema = R"SQL(
ALTER TABLE calls ADD COLUMN recording TEXT;
ALTER TABLE calls ADD COLUMN recording_ms INTEGER;
)SQL";

// A text is recorded before it is sent (its intent, status 'sending'), so a crash between Twilio
// accepting it and the answer being stored leaves a row the next start reconciles with Twilio.
const char* const k_v14_schema = R"SQL(
ALTER TABLE messages ADD COLUMN intent TEXT;
CREATE UNIQUE INDEX messages_by_intent ON messages(intent) WHERE intent IS NOT NULL;
)SQL";

// What each call could not relay (audio frames, by reason), when anything.
const char* const k_v15_schema = R"SQL(
ALTER TABLE calls ADD COLUMN drops TEXT;
)SQL";

// The daemons sharing the database, each with a lease it renews (core/db/cluster_store.hpp), and
// the daemon answering each call (calls.owner): when a daemon dies, another closes its calls once
// its lease has run out. Calls from before have no owner.
const char* const k_v16_schema = R"SQL(
CREATE TABLE daemons (
  id           TEXT PRIMARY KEY,
  public_url   TEXT NOT NULL DEFAULT '',
  started_at   TEXT NOT NULL,
  renewed_at   TEXT NOT NULL,
  lease_until  TEXT NOT NULL,
  draining     INTEGER NOT NULL DEFAULT 0
);
ALTER TABLE calls ADD COLUMN owner TEXT;
CREATE INDEX calls_open_by_owner ON calls (owner) WHERE status IN ('ringing', 'in-progress');
)SQL";

void ensure_bookkeeping(Connection& c) {
  c.exec(
      "CREATE TABLE IF NOT EXISTS schema_migrations ("
      " version INTEGER PRIMARY KEY, name TEXT NOT NULL, applied_at TEXT NOT NULL)");
}

bool has_bookkeeping(Connection& c) {
  Statement s(c, c.dialect() == Dialect::sqlite
                     ? "SELECT 1 FROM sqlite_master WHERE type = 'table' AND name = 'schema_migrations'"
                     : "SELECT 1 FROM information_schema.tables WHERE table_schema = current_schema() "
                       "AND table_name = 'schema_migrations'");
  return s.step();
}

void refuse_newer(Connection& c, int version) {
  if (version > latest_schema_version())
    throw DataError(c.path() + ": the database was written by a newer sonoria (schema version " +
                    std::to_string(version) + "; this build knows up to " +
                    std::to_string(latest_schema_version()) +
                    "). Upgrade sonoria, or point --db at another database; nothing was changed.");
}

// A database with tables of its own and no sonoria bookkeeping is someone else's: migrating it
// would mix sonoria's tables into it.
void refuse_foreign(Connection& c) {
  if (has_bookkeeping(c)) return;
  Statement s(c, c.dialect() == Dialect::sqlite
                     ? "SELECT name FROM sqlite_master WHERE type = 'table' AND name NOT LIKE 'sqlite_%' ORDER BY name LIMIT 1"
                     : "SELECT table_name FROM information_schema.tables WHERE table_schema = current_schema() "
                       "ORDER BY table_name LIMIT 1");
  if (!s.step()) return;
  throw DataError(c.path() + ": not a sonoria database (it has tables, e.g. \"" + s.text(0) + "\", but no sonoria schema); " +
                  (c.dialect() == Dialect::sqlite ? "point --db or database.path at sonoria's own file"
                                                  : "give database.url a database (or schema) of sonoria's own") +
                  ". Nothing was changed.");
}

}  // namespace

void check_integrity(Connection& connection) {
  // PostgreSQL checks its own pages (and their checksums, when the cluster has them) as it reads.
  if (connection.dialect() != Dialect::sqlite) return;
  std::string problems;
  int count = 0;
  try {
    Statement s(connection, "PRAGMA quick_check");
    while (s.step()) {
      const std::string line = s.text(0);
      if (line == "ok") return;
      if (++count <= 3) problems += (problems.empty() ? "" : "; ") + line;
    }
  } catch (const UserError& e) {
    // So damaged that the check itself fails ("database disk image is malformed").
    problems = e.what();
    const auto colon = problems.rfind(": ");
    if (colon != std::string::npos) problems = problems.substr(colon + 2);
  }
  throw DataError(connection.path() + ": the database is damaged (PRAGMA quick_check: " + problems +
                  (count > 3 ? "; …" : "") +
                  "). Stop sonoria, move the file and its -wal and -shm files aside, and copy your newest backup "
                  "(made with `sonoria backup FILE`) in its place.");
}

const std::vector<Migration>& migrations() {
  static const std::vector<Migration> all = {
      {1, "organizations, calls, transcripts, events and messages", k_v1_schema},
      {2, "calls numbered in the order they finish, for exports and retention", k_v2_schema},
      {3, "the engines that served each call", k_v3_schema},
      {4, "the call flow's stages of each turn and call", k_v4_schema},
      {5, "the knowledge base: documents, passages and their full-text index", k_v5_schema},
      {6, "each organization's signing secret", k_v6_schema},
      {7, "webhook deliveries", k_v7_schema},
      {8, "post-call summaries", k_v8_schema},
      {9, "the appointment book", k_v9_schema},
      {10, "dashboard users, sessions and the audit log", k_v10_schema},
      {11, "every saved version of each profile", k_v11_schema},
      {12, "test calls placed from the dashboard", k_v12_schema},
      {13, "call recordings", k_v13_schema},
      {14, "texts recorded before they are sent", k_v14_schema},
      {15, "the audio each call could not relay", k_v15_schema},
      {16, "the daemons sharing the database, their leases, and the daemon answering each call", k_v16_schema},
  };
  return all;
}

const std::vector<Migration>& migrations_for(Dialect dialect) {
  return dialect == Dialect::sqlite ? migrations() : postgresql_migrations();
}

int latest_schema_version() { return migrations().back().version; }

int schema_version(Connection& connection) {
  if (!has_bookkeeping(connection)) return 0;
  Statement s(connection, "SELECT COALESCE(MAX(version), 0) FROM schema_migrations");
  s.step();
  return static_cast<int>(s.int64(0));
}

std::vector<MigrationState> migration_status(Connection& connection) {
  refuse_newer(connection, schema_version(connection));
  std::vector<MigrationState> out;
  bool bookkeeping = has_bookkeeping(connection);
  for (const auto& m : migrations_for(connection.dialect())) {
    MigrationState state{m.version, m.name, std::nullopt};
    if (bookkeeping) {
      Statement s(connection, "SELECT applied_at FROM schema_migrations WHERE version = ?");
      s.bind(1, m.version);
      if (s.step()) state.applied_at = s.text(0);
    }
    out.push_back(state);
  }
  return out;
}

std::vector<Migration> migrate(Connection& connection) {
  refuse_foreign(connection);
  int current = schema_version(connection);
  refuse_newer(connection, current);
  std::vector<Migration> applied;
  for (const auto& m : migrations_for(connection.dialect())) {
    if (m.version <= current) continue;
    Transaction tx(connection);
    ensure_bookkeeping(connection);
    // Another `migrate` (another machine's install) may have applied it while this one waited.
    if (schema_version(connection) >= m.version) continue;
    connection.exec(m.sql);
    Statement record(connection, "INSERT INTO schema_migrations (version, name, applied_at) VALUES (?, ?, ?)");
    record.bind(1, m.version).bind(2, m.name).bind(3, format_timestamp(now_ms()));
    record.run();
    tx.commit();
    applied.push_back(m);
  }
  return applied;
}

void require_current_schema(Connection& connection) {
  refuse_foreign(connection);
  int version = schema_version(connection);
  refuse_newer(connection, version);
  if (version < latest_schema_version())
    throw DataError(connection.path() + ": the database schema is at version " + std::to_string(version) + " of " +
                    std::to_string(latest_schema_version()) + "; run `sonoria migrate` first");
}

}  // namespace sonoria::db
