// sonoria user add|list|remove|reset-password: who may sign in to the dashboard (core/auth).
#include <CLI/CLI.hpp>
#include <termios.h>
#include <unistd.h>

#include <iomanip>
#include <iostream>
#include <nlohmann/json.hpp>

#include "cli/commands.hpp"
#include "cli/context.hpp"
#include "core/auth/access.hpp"
#include "core/auth/password_hash.hpp"
#include "core/error.hpp"

namespace sonoria::cli {
namespace {

struct UserOptions {
  std::string username;
  std::string role;
  std::string org;
  bool password_stdin = false;
  bool json = false;
};

std::string username_of(const std::string& text) {
  auto name = auth::normalize_username(text);
  if (!name)
    throw UserError("USERNAME: \"" + text + "\" is not a username (expected 1-64 letters, digits, . _ @ + or -)",
                    ExitCode::usage);
  return *name;
}

// One line from the terminal without echoing it.
std::string read_hidden(const std::string& prompt) {
  std::cerr << prompt << std::flush;
  termios old{};
  tcgetattr(STDIN_FILENO, &old);
  termios quiet = old;
  quiet.c_lflag &= ~static_cast<tcflag_t>(ECHO);
  tcsetattr(STDIN_FILENO, TCSANOW, &quiet);
  std::string line;
  std::getline(std::cin, line);
  tcsetattr(STDIN_FILENO, TCSANOW, &old);
  std::cerr << "\n";
  return line;
}

// The new password: the first line of stdin with --password-stdin, else asked twice on a terminal.
std::string new_password(bool from_stdin, const std::string& username) {
  std::string password;
  if (from_stdin) {
    if (!std::getline(std::cin, password)) throw UserError("--password-stdin: nothing on standard input", ExitCode::usage);
    if (!password.empty() && password.back() == '\r') password.pop_back();
  } else if (isatty(STDIN_FILENO)) {
    password = read_hidden("New password for " + username + ": ");
    if (read_hidden("Again: ") != password) throw UserError("the two passwords differ; nothing was changed", ExitCode::usage);
  } else {
    throw UserError("no password: run in a terminal, or pass --password-stdin and give it on standard input",
                    ExitCode::usage);
  }
  if (auto problem = auth::password_problem(password, username)) throw UserError(*problem, ExitCode::usage);
  return password;
}

db::UserRow existing_user(db::Database& database, const std::string& text) {
  auto user = database.users().find_by_username(username_of(text));
  if (!user) throw DataError("no user named \"" + text + "\" (see `sonoria user list`)");
  return *user;
}

void audit(db::Database& database, const std::string& action, const db::UserRow& user, const std::string& detail) {
  db::AuditEntry entry;
  entry.actor = "cli";
  entry.organization_id = user.organization_id;
  entry.action = action;
  entry.target = user.username;
  entry.detail = detail;
  database.users().audit(entry);
}

}  // namespace

void register_user(CLI::App& app, Context& context) {
  auto opts = std::make_shared<UserOptions>();
  auto* cmd = app.add_subcommand("user", "Dashboard users: add, list, remove, reset a password");
  cmd->require_subcommand(1);

  auto* add = cmd->add_subcommand("add", "Add a user who may sign in to the dashboard");
  add->add_option("USERNAME", opts->username, "A name or e-mail address (letters, digits, . _ @ + -)")->required();
  add->add_option("--role", opts->role, "admin (every organization) | owner | staff (of --org)")
      ->required()
      ->check(CLI::IsMember({"admin", "owner", "staff"}));
  add->add_option("--org", opts->org, "The organization (id or slug) of an owner or staff member");
  add->add_flag("--password-stdin", opts->password_stdin, "Read the password from standard input's first line");
  add->callback([&context, opts] {
    const std::string username = username_of(opts->username);
    const auto role = *auth::parse_role(opts->role);
    if (role == auth::Role::admin && !opts->org.empty())
      throw UserError("--org: an admin works across organizations (leave --org out, or use --role owner)", ExitCode::usage);
    if (role != auth::Role::admin && opts->org.empty())
      throw UserError("--org: an " + opts->role + " belongs to an organization (expected --org ID-OR-SLUG)",
                      ExitCode::usage);
    auto database = context.open_database();
    db::UserRow user;
    user.username = username;
    user.role = opts->role;
    if (role != auth::Role::admin) user.organization_id = find_organization(database, opts->org).id;
    if (database.users().find_by_username(username))
      throw DataError("a user named \"" + username + "\" exists already (sonoria user reset-password to change theirs)");
    user.password_hash = auth::hash_password(new_password(opts->password_stdin, username));
    database.users().add(user);
    audit(database, "user.add", user, "added as " + opts->role);
    std::cout << "added " << username << " (" << opts->role << (opts->org.empty() ? "" : " of " + opts->org) << ")\n";
  });

  auto* list = cmd->add_subcommand("list", "List the dashboard's users");
  list->add_option("--org", opts->org, "Only this organization's (id or slug)");
  list->add_flag("--json", opts->json, "Machine-readable output");
  list->callback([&context, opts] {
    auto database = context.open_database(db::SchemaCheck::require_current, true);
    const int64_t org = opts->org.empty() ? 0 : find_organization(database, opts->org).id;
    const auto users = database.users().list(org);
    if (opts->json) {
      auto out = nlohmann::json::array();
      for (const auto& u : users)
        out.push_back({{"username", u.username},
                       {"role", u.role},
                       {"organization", u.organization_slug.empty() ? nlohmann::json() : nlohmann::json(u.organization_slug)},
                       {"created_at", u.created_at},
                       {"last_login_at", u.last_login_at ? nlohmann::json(*u.last_login_at) : nlohmann::json()}});
      std::cout << out.dump(2) << "\n";
      return;
    }
    if (users.empty()) {
      std::cout << "no users yet (sonoria user add NAME --role owner --org SLUG)\n";
      return;
    }
    std::cout << std::left << std::setw(32) << "USERNAME" << std::setw(8) << "ROLE" << std::setw(24) << "ORGANIZATION"
              << "LAST SIGN-IN\n";
    for (const auto& u : users)
      std::cout << std::setw(32) << u.username << std::setw(8) << u.role << std::setw(24)
                << (u.organization_slug.empty() ? "-" : u.organization_slug) << u.last_login_at.value_or("never") << "\n";
  });

  auto* remove = cmd->add_subcommand("remove", "Remove a user (their sessions end at once)");
  remove->add_option("USERNAME", opts->username, "The user")->required();
  remove->callback([&context, opts] {
    auto database = context.open_database();
    const auto user = existing_user(database, opts->username);
    database.users().remove(user.id);
    audit(database, "user.remove", user, "removed");
    std::cout << "removed " << user.username << "\n";
  });

  auto* reset = cmd->add_subcommand("reset-password", "Set a user's password (their sessions end at once)");
  reset->add_option("USERNAME", opts->username, "The user")->required();
  reset->add_flag("--password-stdin", opts->password_stdin, "Read the password from standard input's first line");
  reset->callback([&context, opts] {
    auto database = context.open_database();
    const auto user = existing_user(database, opts->username);
    database.users().set_password(user.id, auth::hash_password(new_password(opts->password_stdin, user.username)));
    audit(database, "user.reset_password", user, "password set from the command line");
    std::cout << "password set for " << user.username << "; their sessions have ended\n";
  });
}

}  // namespace sonoria::cli
