// sonoria kb add|list|remove|search: an organization's knowledge base (core/kb, core/db).
#include <CLI/CLI.hpp>
#include <fstream>
#include <iomanip>
#include <iostream>
#include <nlohmann/json.hpp>
#include <cerrno>
#include <cstring>
#include <sstream>

#include "cli/commands.hpp"
#include "cli/context.hpp"
#include "core/db/knowledge_import.hpp"
#include "core/error.hpp"

namespace sonoria::cli {
namespace {

struct KbOptions {
  std::string org;
  std::vector<std::string> files;
  std::string source;
  std::string question;
  int limit = 3;
  bool json = false;
};

int64_t organization_id(db::Database& database, const std::string& key) {
  return find_organization(database, key).id;
}

std::string read_whole(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  if (!in) throw UserError(path + ": cannot be read (" + std::strerror(errno) + ")", ExitCode::data);
  std::ostringstream out;
  out << in.rdbuf();
  return out.str();
}

const char* verb(db::KbImport what) {
  switch (what) {
    case db::KbImport::added: return "added";
    case db::KbImport::replaced: return "replaced";
    case db::KbImport::unchanged: return "unchanged";
  }
  return "added";
}

}  // namespace

void register_kb(CLI::App& app, Context& context) {
  auto opts = std::make_shared<KbOptions>();
  auto* kb = app.add_subcommand("kb", "The knowledge base the assistant searches (documents and FAQs)");
  kb->require_subcommand(1);

  auto* add = kb->add_subcommand("add", "Import Markdown, text or HTML documents (re-importing replaces)");
  add->add_option("--org", opts->org, "Organization id or slug")->required();
  add->add_option("FILE", opts->files, "Documents (.md, .markdown, .txt, .text, .html, .htm)")->required();
  add->callback([&context, opts] {
    auto database = context.open_database();
    const int64_t org = organization_id(database, opts->org);
    // Each file is read and checked before its write: a refused file stops the import there, and
    // what was indexed before (also by this command) stays.
    for (const auto& file : opts->files) {
      const std::string bytes = read_whole(file);
      const auto result = db::import_document(database.knowledge(), org, file, bytes);
      std::cout << verb(result.what) << " " << result.source << ": \"" << result.title << "\", " << result.passages
                << (result.passages == 1 ? " passage\n" : " passages\n");
    }
  });

  auto* list = kb->add_subcommand("list", "List the documents of an organization's knowledge base");
  list->add_option("--org", opts->org, "Organization id or slug")->required();
  list->add_flag("--json", opts->json, "Machine-readable output");
  list->callback([&context, opts] {
    auto database = context.open_database(db::SchemaCheck::require_current, true);
    const auto docs = database.knowledge().documents(organization_id(database, opts->org));
    if (opts->json) {
      auto out = nlohmann::json::array();
      for (const auto& d : docs)
        out.push_back({{"source", d.source}, {"title", d.title}, {"format", d.format}, {"bytes", d.bytes},
                       {"passages", d.passages}, {"imported_at", d.imported_at}, {"sha256", d.sha256}});
      std::cout << out.dump(2) << "\n";
      return;
    }
    if (docs.empty()) {
      std::cout << "no documents (add some with `sonoria kb add --org " << opts->org << " FILE…`)\n";
      return;
    }
    std::cout << std::left << std::setw(28) << "SOURCE" << std::setw(10) << "FORMAT" << std::setw(10) << "PASSAGES"
              << std::setw(26) << "IMPORTED" << "TITLE\n";
    for (const auto& d : docs)
      std::cout << std::setw(28) << d.source << std::setw(10) << d.format << std::setw(10) << d.passages
                << std::setw(26) << d.imported_at << d.title << "\n";
  });

  auto* remove = kb->add_subcommand("remove", "Remove a document (by its file name) from the knowledge base");
  remove->add_option("--org", opts->org, "Organization id or slug")->required();
  remove->add_option("SOURCE", opts->source, "The document's file name, as `kb list` shows it")->required();
  remove->callback([&context, opts] {
    if (opts->source == db::k_faq_source)
      throw UserError("the FAQs are indexed from the profile: edit [[faqs]] and `sonoria org import` it again",
                      ExitCode::usage);
    auto database = context.open_database();
    if (!database.knowledge().remove(organization_id(database, opts->org), opts->source))
      throw DataError("no document \"" + opts->source + "\" in the knowledge base of " + opts->org +
                      " (see `sonoria kb list --org " + opts->org + "`)");
    std::cout << "removed " << opts->source << "\n";
  });

  auto* search = kb->add_subcommand("search", "What the assistant would find for a question");
  search->add_option("--org", opts->org, "Organization id or slug")->required();
  search->add_option("QUESTION", opts->question, "The caller's question")->required();
  search->add_option("--limit", opts->limit, "How many passages (default 3)")->check(CLI::Range(1, 50));
  search->add_flag("--json", opts->json, "Machine-readable output");
  search->callback([&context, opts] {
    auto database = context.open_database(db::SchemaCheck::require_current, true);
    const auto hits = database.knowledge().search(organization_id(database, opts->org), opts->question, opts->limit);
    if (opts->json) {
      auto out = nlohmann::json::array();
      for (const auto& h : hits)
        out.push_back({{"source", h.source}, {"title", h.title}, {"heading", h.heading}, {"text", h.text},
                       {"score", h.score}});
      std::cout << out.dump(2) << "\n";
      return;
    }
    if (hits.empty()) {
      std::cout << "nothing found: the assistant would say it does not know and offer a message\n";
      return;
    }
    int rank = 0;
    for (const auto& h : hits) {
      std::ostringstream score;
      score << std::fixed << std::setprecision(2) << h.score;
      std::cout << ++rank << ". " << h.source << (h.heading.empty() ? "" : " — " + h.heading) << "  (score "
                << score.str() << ")\n";
      std::string text = h.text;
      for (auto at = text.find("\n\n"); at != std::string::npos; at = text.find("\n\n", at + 4)) text.replace(at, 2, "\n   ");
      std::cout << "   " << text << "\n";
    }
  });
}

}  // namespace sonoria::cli
