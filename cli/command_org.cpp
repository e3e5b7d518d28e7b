// sonoria org import|export|list|edit|delete|move-number|secret: business profiles in and out
// of the database.
#include <CLI/CLI.hpp>
#include <cerrno>
#include <cstdlib>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <iomanip>
#include <iostream>
#include <nlohmann/json.hpp>
#include <sstream>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include "cli/commands.hpp"
#include "cli/context.hpp"
#include "cli/daemon_notice.hpp"
#include "core/audio/recording_file.hpp"
#include "core/dashboard/line_diff.hpp"
#include "core/files/atomic_file.hpp"
#include "core/error.hpp"
#include "core/org/phone_numbers.hpp"
#include "core/org/profile_toml.hpp"
#include "core/phone/phone_number.hpp"

namespace sonoria::cli {
namespace {

struct OrgOptions {
  std::string file;
  bool dry_run = false;
  std::string key;
  std::string out;
  bool json = false;
  bool rotate = false;
  bool yes = false;
  bool purge = false;
  std::string number;
};

// A yes from the person at the terminal; no when there is none.
bool confirmed(const std::string& question) {
  if (!::isatty(STDIN_FILENO)) return false;
  std::cout << question << " [y/N] " << std::flush;
  std::string answer;
  std::getline(std::cin, answer);
  return answer == "y" || answer == "Y" || answer == "yes";
}

std::string read_text(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  std::stringstream text;
  text << in.rdbuf();
  return text.str();
}

// Runs $VISUAL or $EDITOR (else vi) on `path` as a shell would (it may carry arguments, "code -w").
int run_editor(const std::string& path) {
  const char* visual = std::getenv("VISUAL");
  const char* editor = std::getenv("EDITOR");
  const std::string command = visual && *visual ? visual : editor && *editor ? editor : "vi";
  const std::string line = command + " '" + path + "'";  // the path is ours (mkstemps): no quote in it
  const int status = std::system(line.c_str());
  return status == -1 ? -1 : WIFEXITED(status) ? WEXITSTATUS(status) : 128 + WTERMSIG(status);
}

// The changed lines of the profile's TOML, as `diff` marks them.
std::string changes(const std::string& before, const std::string& after) {
  std::string out;
  for (const auto& line : dashboard::diff_lines(before, after)) {
    if (line.kind == dashboard::DiffLine::Kind::same) continue;
    out += (line.kind == dashboard::DiffLine::Kind::added ? "+ " : "- ") + line.text + "\n";
  }
  return out;
}

std::string join(const std::vector<std::string>& items, const std::string& sep) {
  std::string out;
  for (const auto& i : items) out += (out.empty() ? "" : sep) + i;
  return out;
}

}  // namespace

void register_org(CLI::App& app, Context& context) {
  auto opts = std::make_shared<OrgOptions>();
  auto* org = app.add_subcommand("org", "Manage business profiles (organizations)");
  org->require_subcommand(1);

  auto* import = org->add_subcommand("import", "Create or update (by slug) an organization from a TOML profile");
  import->add_option("FILE", opts->file, "Profile file (see examples/yoga-studio.toml)")->required();
  import->add_flag("--dry-run", opts->dry_run, "Validate only; write nothing");
  import->callback([&context, opts] {
    auto profile = org::load_profile_file(opts->file);  // validates everything before any write
    if (opts->dry_run) {
      std::cout << opts->file << ": valid profile for \"" << profile.organization.name << "\" ("
                << profile.organization.slug << "); nothing written\n";
      return;
    }
    auto database = context.open_database();
    bool existed = database.orgs().find_by_slug(profile.organization.slug).has_value();
    int64_t id = database.orgs().upsert(profile, {"cli", "imported from " + opts->file});
    std::cout << (existed ? "updated" : "created") << " organization " << id << " (" << profile.organization.slug
              << "): " << profile.organization.name << "\n";
    tell_running_daemon(context.settings(), std::cout, std::cerr);
  });

  auto* exp = org->add_subcommand("export", "Print an organization's profile as TOML (imports back unchanged)");
  exp->add_option("ORG", opts->key, "Organization id or slug")->required();
  exp->add_option("-o,--out", opts->out, "Write to this file (atomically) instead of stdout");
  exp->callback([&context, opts] {
    auto database = context.open_database(db::SchemaCheck::require_current, true);
    const auto profile = find_organization(database, opts->key);
    auto text = org::export_profile_toml(profile);
    if (opts->out.empty()) std::cout << text;
    else files::write_file_atomically(opts->out, text);
  });

  auto* list = org->add_subcommand("list", "List organizations and the numbers they answer");
  list->add_flag("--json", opts->json, "Machine-readable output");
  list->callback([&context, opts] {
    auto database = context.open_database(db::SchemaCheck::require_current, true);
    auto orgs = database.orgs().list();
    if (opts->json) {
      auto out = nlohmann::json::array();
      for (const auto& o : orgs)
        out.push_back({{"id", o.id}, {"slug", o.slug}, {"name", o.name}, {"timezone", o.timezone},
                       {"phone_numbers", o.phone_numbers}, {"updated_at", o.updated_at}});
      std::cout << out.dump(2) << "\n";
      return;
    }
    if (orgs.empty()) {
      std::cout << "no organizations yet; import one with `sonoria org import FILE.toml`\n";
      return;
    }
    std::cout << std::left << std::setw(5) << "ID" << std::setw(24) << "SLUG" << std::setw(32) << "NAME"
              << std::setw(22) << "TIME ZONE" << "NUMBERS\n";
    for (const auto& o : orgs)
      std::cout << std::setw(5) << o.id << std::setw(24) << o.slug << std::setw(32) << o.name << std::setw(22)
                << o.timezone << join(o.phone_numbers, ", ") << "\n";
  });

  auto* edit = org->add_subcommand(
      "edit", "Edit an organization's profile in $EDITOR: checked like an import, shown as a diff, saved in one step");
  edit->add_option("ORG", opts->key, "Organization id or slug")->required();
  edit->callback([&context, opts] {
    auto database = context.open_database();
    const auto profile = find_organization(database, opts->key);
    const std::string before = org::export_profile_toml(profile);
    // A private file (0600: a profile may name numbers and addresses), kept when the edit is not saved.
    const char* tmp = std::getenv("TMPDIR");
    std::string path = std::string(tmp && *tmp ? tmp : "/tmp") + "/sonoria-" + profile.organization.slug + "-XXXXXX.toml";
    const int fd = ::mkstemps(path.data(), 5);
    if (fd < 0) throw UserError("cannot create a file to edit in " + path + ": " + std::strerror(errno));
    ::fchmod(fd, 0600);
    ::close(fd);
    files::write_file_atomically(path, before);
    for (;;) {
      const int status = run_editor(path);
      if (status != 0)
        throw UserError("the editor exited with status " + std::to_string(status) + "; nothing was saved (your edit: " +
                        path + ")");
      const std::string after = read_text(path);
      if (after == before) {
        std::remove(path.c_str());
        std::cout << "no changes; nothing saved\n";
        return;
      }
      try {
        org::Profile edited = org::parse_profile_toml(after, path);
        if (edited.organization.slug != profile.organization.slug)
          throw DataError(path + ": organization.slug: \"" + edited.organization.slug + "\" is not \"" +
                          profile.organization.slug +
                          "\" (the slug is the organization's key: export it and import under the new slug instead)");
        std::cout << changes(before, org::export_profile_toml(edited));
        database.orgs().upsert(edited, {"cli", "edited with sonoria org edit"});
        std::remove(path.c_str());
        std::cout << "saved organization " << profile.id << " (" << profile.organization.slug << ")\n";
        tell_running_daemon(context.settings(), std::cout, std::cerr);
        return;
      } catch (const DataError& e) {
        std::cerr << e.what() << "\n";
        if (!confirmed("The profile was not saved. Edit it again?"))
          throw DataError("nothing was saved; your edit is in " + path);
      }
    }
  });

  auto* remove = org->add_subcommand(
      "delete", "Delete an organization; its call records stay (without it) unless --purge");
  remove->add_option("ORG", opts->key, "Organization id or slug")->required();
  remove->add_flag("--yes", opts->yes, "Do not ask (needed without a terminal)");
  remove->add_flag("--purge", opts->purge, "Delete its calls too: transcripts, events, texts and recordings");
  remove->callback([&context, opts] {
    auto database = context.open_database();
    const auto profile = find_organization(database, opts->key);
    const std::string what = "organization " + std::to_string(profile.id) + " (" + profile.organization.slug + ", " +
                             profile.organization.name + ")";
    if (!opts->yes && !confirmed("Delete " + what + (opts->purge ? " and every call record it has?" : "? Its call records stay.")))
      throw UserError("nothing deleted" + std::string(::isatty(STDIN_FILENO) ? "" : ": confirm with --yes"),
                      ExitCode::usage);
    const auto removal = database.orgs().remove(profile.id, opts->purge);
    int64_t files = 0;
    const auto directory = audio::recordings_directory(context.settings().database.path);
    for (const auto& relative : removal.recordings) {
      // ".." in a stored path would leave the directory: such a row is not followed.
      if (relative.empty() || relative.front() == '/' || relative.find("..") != std::string::npos) continue;
      std::error_code ec;
      if (std::filesystem::remove(directory / relative, ec)) ++files;
    }
    std::cout << "deleted " << what << "; its " << removal.calls << " call" << (removal.calls == 1 ? "" : "s")
              << (opts->purge ? " were deleted with it (" + std::to_string(files) + " recordings)"
                              : (removal.calls == 1 ? " is" : " are") + std::string(" kept, without an organization"))
              << "\n";
    tell_running_daemon(context.settings(), std::cout, std::cerr);
  });

  auto* move = org->add_subcommand("move-number", "Move a phone number to another organization in one step");
  move->add_option("NUMBER", opts->number, "The number, as written (\"+1 415 555 0123\")")->required();
  move->add_option("--to", opts->key, "The organization that answers it from now on (id or slug)")->required();
  move->callback([&context, opts] {
    auto database = context.open_database();
    const auto target = find_organization(database, opts->key);
    const phone::Parsed number = phone::parse(opts->number, org::default_region(target.organization));
    if (!number.number) throw UserError("NUMBER: " + number.error, ExitCode::usage);
    const std::string& e164 = number.number->e164;
    const std::string from = database.orgs().move_number(
        e164, target.id, {"cli", "moved " + e164 + " to " + target.organization.slug + " with sonoria org move-number"});
    std::cout << "moved " << e164 << " from " << from << " to " << target.organization.slug << "\n";
    tell_running_daemon(context.settings(), std::cout, std::cerr);
  });

  auto* secret = org->add_subcommand(
      "secret", "Print the secret that signs requests to the organization's own systems (HTTP tools, webhooks)");
  secret->add_option("ORG", opts->key, "Organization id or slug")->required();
  secret->add_flag("--rotate", opts->rotate, "Make a new secret (the old one stops verifying at once)");
  secret->callback([&context, opts] {
    auto database = context.open_database();
    const auto profile = find_organization(database, opts->key);
    // Printed only here, on request: the receivers need it to verify X-Sonoria-Signature.
    std::cout << database.orgs().signing_secret(profile.id, opts->rotate) << "\n";
    if (opts->rotate) {
      std::cerr << "rotated: update the receivers\n";
      tell_running_daemon(context.settings(), std::cerr, std::cerr);
    }
  });
}

}  // namespace sonoria::cli
