// sonoria org import|export|list: business profiles in and out of the database.
#include <CLI/CLI.hpp>
#include <fstream>
#include <iomanip>
#include <iostream>
#include <nlohmann/json.hpp>

#include "cli/commands.hpp"
#include "cli/context.hpp"
#include "cli/daemon_notice.hpp"
#include "core/files/atomic_file.hpp"
#include "core/error.hpp"
#include "core/org/profile_toml.hpp"

namespace sonoria::cli {
namespace {

struct OrgOptions {
  std::string file;
  bool dry_run = false;
  std::string key;
  std::string out;
  bool json = false;
  bool rotate = false;
};

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
