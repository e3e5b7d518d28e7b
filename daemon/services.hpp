#pragma once
// What the routes and call sessions share, owned by the Daemon and alive while it runs.

#include <boost/asio/any_io_executor.hpp>
#include <memory>
#include <string>

#include "core/config/settings.hpp"
#include "core/engine/session_config.hpp"
#include "core/intern_table.hpp"
#include "daemon/engine_facts.hpp"
#include "daemon/hold_clip.hpp"

namespace boost::asio {
class io_context;
}

namespace sonoria::daemon {

class OrgDirectory;
class Admission;
class Metrics;
class DbWriter;
class CallRegistry;
class ReadPool;
class RecordingFiles;
class LocalEngineRunner;
struct GoogleAccount;

struct Services {
  const config::Settings& settings;
  boost::asio::io_context& io;
  OrgDirectory& orgs;
  Admission& admission;
  Metrics& metrics;
  DbWriter& writer;
  CallRegistry& calls;
  // Database reads off the io threads (the API's, and tools that search: query_knowledge).
  ReadPool& reads;
  // Engine configuration texts shared by calls that send the same (an organization's calls in
  // one minute send one OpenAI session.update).
  InternTable<std::string>& engine_texts;
  // Said while a lost engine reconnects (daemon/hold_clip.hpp); may be null.
  HoldClip hold_clip;
  // What engines taught the daemon (daemon/engine_facts.hpp).
  EngineFacts engine_facts;
  // Calls with the same session configuration (an organization's calls in one minute: the same
  // prompt and tools) keep one copy of it for failovers and reconnects, not one each.
  InternTable<engine::SessionConfig> engine_sessions;
  // The Google service account when google.credentials_file is set (booking.mode = "google").
  std::shared_ptr<const GoogleAccount> google;
  // Where call recordings are written, off the io threads (assistant.record_calls).
  RecordingFiles& recordings;
  // The local engines of calls, on their worker threads (engines.local).
  LocalEngineRunner& local_engines;
  // What `sonoria simulate` on this machine signs with when it has no Twilio auth token
  // (core/auth/local_test_key.hpp): accepted from loopback addresses only. "" = none.
  std::string local_test_key;
  // This daemon's name among those sharing the database (daemon/cluster_lease.hpp).
  std::string instance{};
};

// The public base URL with https→wss / http→ws, for the media stream.
std::string websocket_base_url(const std::string& public_url);

}  // namespace sonoria::daemon
