// sonoria complete orgs|calls: the words the shell completions (completions/) offer from the
// database: organization slugs, and the SIDs of the latest calls. Hidden from --help; prints
// nothing, and exits 0, when there is no database to read: a completion never shows an error.
#include <CLI/CLI.hpp>
#include <iostream>

#include "cli/commands.hpp"
#include "cli/context.hpp"

namespace sonoria::cli {

void register_complete(CLI::App& app, Context& context) {
  auto what = std::make_shared<std::string>();
  auto* cmd = app.add_subcommand("complete", "Words for shell completion: organization slugs or recent call SIDs");
  cmd->group("");  // not listed in --help
  cmd->add_option("WHAT", *what, "orgs | calls")->required()->check(CLI::IsMember({"orgs", "calls"}));
  cmd->callback([&context, what] {
    try {
      auto database = context.open_database(db::SchemaCheck::require_current, true);
      if (*what == "orgs") {
        for (const auto& org : database.orgs().list()) std::cout << org.slug << "\n";
        return;
      }
      // The newest calls: the ones a person looks up; older ones are typed or pasted.
      for (const auto& call : database.queries().list(db::CallQuery{}, std::nullopt, 200).calls)
        std::cout << call.call_sid << "\n";
    } catch (const std::exception&) {
      // No database, an old schema, no permission: nothing to offer.
    }
  });
}

}  // namespace sonoria::cli
