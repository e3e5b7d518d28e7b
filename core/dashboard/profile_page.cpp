#include "core/dashboard/profile_page.hpp"

#include <algorithm>

#include "core/dashboard/html.hpp"
#include "core/dashboard/local_time.hpp"

namespace sonoria::dashboard {
namespace {

using K = FieldKind;

std::string field_value(const FormValues& values, const std::string& name) {
  auto it = values.find(name);
  return it == values.end() ? std::string() : it->second;
}

std::string org_query(const ProfileOf& org, const std::string& more = "") {
  std::string q = org.choose ? "org=" + percent_encode(org.slug) : "";
  if (!more.empty()) q += (q.empty() ? "" : "&") + more;
  return q.empty() ? "" : "?" + q;
}

std::string subnav(const ProfileOf& org, const std::string& active) {
  auto link = [&](const std::string& key, const std::string& path, const std::string& label) {
    return "<li><a href=\"" + std::string(k_prefix) + path + escape(org_query(org)) + "\"" +
           (active == key ? " aria-current=\"page\"" : "") + ">" + escape(label) + "</a></li>";
  };
  return "<nav class=\"subnav\" aria-label=\"Profile\"><ul>" + link("edit", "/profile", "Edit") +
         link("versions", "/profile/versions", "Versions") + link("prompt", "/profile/prompt", "Prompt preview") +
         "</ul></nav>";
}

std::string heading(const ProfileOf& org, const std::string& what) {
  return "<h1>" + escape(what) + ": " + escape(org.name.empty() ? org.slug : org.name) + "</h1>";
}

class FormWriter {
 public:
  FormWriter(const ProfileEditPage& page) : page_(page) {}

  std::string group(const FormGroup& g, const std::string& parent, int depth) {
    const std::string path = parent.empty() ? g.key : parent + "." + g.key;
    std::string out;
    if (depth == 0) {
      out += "<section class=\"profile-section\" id=\"s-" + escape(g.key) + "\" aria-labelledby=\"h-" + escape(g.key) +
             "\"><h2 id=\"h-" + escape(g.key) + "\">" + escape(g.title) + "</h2>";
    } else {
      out += "<fieldset class=\"group\"><legend>" + escape(g.title) + "</legend>";
    }
    if (!g.help.empty()) out += "<p class=\"help\">" + escape(g.help) + "</p>";
    if (depth == 0 && is_locked_input(path, page_.locked))
      out += "<p class=\"muted locked\">Set by the server's administrator (they reach the server's network and "
             "settings); shown here for reference.</p>";
    if (g.repeated) {
      const int n = item_count(page_.values, path);
      int shown = 0;
      for (int i = 0; i < n; ++i) {
        const std::string item = path + "[" + std::to_string(i) + "]";
        if (!has_content(g, item)) continue;
        ++shown;
        out += "<fieldset class=\"item\"><legend>" + escape(g.item_title) + " " + std::to_string(shown) +
               item_name(g, item) + "</legend>";
        out += fields(g, item, depth);
        const std::string remove = item + "~remove";
        out += "<div class=\"field checkbox\"><label><input type=\"checkbox\" name=\"" + escape(remove) +
               "\" value=\"1\"" + (field_value(page_.values, remove) == "1" ? " checked" : "") +
               (is_locked_input(remove, page_.locked) ? " disabled" : "") + "> Remove this " +
               escape(lower(g.item_title)) + "</label></div></fieldset>";
      }
      const std::string blank = path + "[" + std::to_string(n) + "]";
      if (!is_locked_input(blank, page_.locked))
        out += "<details class=\"item new\"><summary>Add " +
             article(g.item_title) + " " + escape(lower(g.item_title)) + "</summary>" + fields(g, blank, depth) +
             "</details>";
    } else {
      out += fields(g, path, depth);
    }
    out += depth == 0 ? "</section>" : "</fieldset>";
    return out;
  }

 private:
  static std::string lower(std::string s) {
    for (char& c : s)
      if (c >= 'A' && c <= 'Z') c = static_cast<char>(c - 'A' + 'a');
    return s;
  }
  static std::string article(const std::string& noun) {
    return !noun.empty() && std::string("AEIOUaeiou").find(noun[0]) != std::string::npos ? "an" : "a";
  }

  std::string item_name(const FormGroup& g, const std::string& item) const {
    for (const char* key : {"name", "question", "from"}) {
      for (const auto& f : g.fields)
        if (f.key == key) {
          const std::string v = field_value(page_.values, item + "." + key);
          if (!v.empty()) return ": " + escape(v.size() > 60 ? v.substr(0, 57) + "…" : v);
        }
    }
    return {};
  }

  // Whether an item was typed in or has a problem (a blank submitted item is not shown again).
  bool has_content(const FormGroup& g, const std::string& item) const {
    for (auto it = page_.values.lower_bound(item); it != page_.values.end() && it->first.starts_with(item); ++it) {
      const std::string rest = it->first.substr(item.size());
      if (rest.empty() || (rest[0] != '.' && rest[0] != '~')) continue;
      if (rest == "~remove" && it->second == "1") return true;
      if (rest.ends_with("~limit")) continue;
      if (it->second.find_first_not_of(" \t\r\n") != std::string::npos && !is_choice(g, rest)) return true;
    }
    for (auto it = page_.errors.lower_bound(item); it != page_.errors.end() && it->first.starts_with(item); ++it) {
      const std::string rest = it->first.substr(item.size());
      if (!rest.empty() && (rest[0] == '.' || rest[0] == '[')) return true;
    }
    return false;
  }

  static bool is_choice(const FormGroup& g, const std::string& rest) {
    for (const auto& f : g.fields)
      if (rest == "." + f.key) return f.kind == K::choice || f.kind == K::flag;
    return false;
  }

  std::string fields(const FormGroup& g, const std::string& path, int depth) {
    std::string out = "<div class=\"fields\">";
    for (const auto& f : g.fields) out += field(f, path + "." + f.key);
    out += "</div>";
    for (const auto& inner : g.groups) out += group(inner, path, depth + 1);
    return out;
  }

  std::string field(const FormField& f, const std::string& name) {
    const std::string id = "f-" + name;
    const std::string value = field_value(page_.values, name);
    const auto err = page_.errors.find(name);
    const bool invalid = err != page_.errors.end();
    std::string described;
    if (!f.help.empty()) described += id + "-help";
    if (invalid) described += (described.empty() ? "" : " ") + id + "-error";
    std::string attrs = " id=\"" + escape(id) + "\" name=\"" + escape(name) + "\"";
    if (is_locked_input(name, page_.locked)) attrs += " disabled";
    if (!described.empty()) attrs += " aria-describedby=\"" + escape(described) + "\"";
    if (invalid) attrs += " aria-invalid=\"true\"";
    const bool wide = f.kind == K::long_text || f.kind == K::lines || f.kind == K::json || f.kind == K::headers ||
                      f.kind == K::optional_lines;
    std::string out = "<div class=\"field" + std::string(invalid ? " invalid" : "") + (wide ? " wide" : "") + "\">";
    auto label = [&] { return "<label for=\"" + escape(id) + "\">" + escape(f.label) + "</label>"; };
    switch (f.kind) {
      case K::flag:
        out += "<label class=\"checkbox\"><input type=\"checkbox\" value=\"1\"" + attrs +
               (value == "1" ? " checked" : "") + "> " + escape(f.label) + "</label>";
        break;
      case K::choice:
        out += label() + "<select" + attrs + ">";
        for (const auto& choice : f.choices)
          out += "<option" + std::string(choice == value ? " selected" : "") + ">" + escape(choice) + "</option>";
        if (!value.empty() && std::find(f.choices.begin(), f.choices.end(), value) == f.choices.end())
          out += "<option selected>" + escape(value) + "</option>";  // shown as typed, with its error
        out += "</select>";
        break;
      case K::optional_lines: {
        const std::string limit = name + "~limit";
        out += "<label class=\"checkbox\"><input type=\"checkbox\" name=\"" + escape(limit) + "\" value=\"1\"" +
               (field_value(page_.values, limit) == "1" ? " checked" : "") + "> " + escape(f.label) +
               " (otherwise every tool)</label><textarea rows=\"3\"" + attrs + " aria-label=\"" + escape(f.label) +
               "\">" + escape(value) + "</textarea>";
        break;
      }
      case K::long_text:
      case K::lines:
      case K::headers:
      case K::json:
        out += label() + "<textarea rows=\"" + std::string(f.kind == K::json ? "6" : "3") + "\"" + attrs +
               (f.kind == K::json ? " spellcheck=\"false\" class=\"code\"" : "") + ">" + escape(value) + "</textarea>";
        break;
      case K::whole:
        out += label() + "<input type=\"text\" inputmode=\"numeric\"" + attrs + " value=\"" + escape(value) + "\">";
        break;
      case K::number:
      case K::amount:
        out += label() + "<input type=\"text\" inputmode=\"decimal\"" + attrs + " value=\"" + escape(value) + "\">";
        break;
      case K::date:
        out += label() + "<input type=\"date\"" + attrs + " value=\"" + escape(value) + "\">";
        break;
      case K::fixed:
        out += label() + "<input type=\"text\" readonly" + attrs + " value=\"" + escape(value) + "\">";
        break;
      case K::text:
      case K::list:
      case K::hours:
        out += label() + "<input type=\"text\"" + attrs + " value=\"" + escape(value) + "\">";
        break;
    }
    if (!f.help.empty()) out += "<p class=\"help\" id=\"" + escape(id) + "-help\">" + escape(f.help) + "</p>";
    if (invalid) out += "<p class=\"error\" id=\"" + escape(id) + "-error\">" + escape(err->second) + "</p>";
    return out + "</div>";
  }

  const ProfileEditPage& page_;
};

std::string version_label(int version, int current) {
  return "version " + std::to_string(version) + (version == current ? " (current)" : "");
}

}  // namespace

std::string render_profile_edit(const Frame& frame, const ProfileEditPage& page) {
  std::string out = heading(page.org, "Profile") + subnav(page.org, "edit");
  if (!page.errors.empty() || !page.general.empty()) {
    out += "<div class=\"error-summary\" role=\"alert\" tabindex=\"-1\" id=\"problems\"><h2>Nothing was saved: " +
           std::to_string(page.errors.size() + page.general.size()) +
           (page.errors.size() + page.general.size() == 1 ? " problem" : " problems") + "</h2><ul>";
    for (const auto& message : page.general) out += "<li>" + escape(message) + "</li>";
    for (const auto& [name, message] : page.errors)
      out += "<li><a href=\"#f-" + escape(name) + "\">" + escape(name) + "</a>: " + escape(message) + "</li>";
    out += "</ul></div>";
  }
  out += "<nav class=\"sections\" aria-label=\"Sections\"><ul>";
  for (const auto& g : profile_form())
    out += "<li><a href=\"#s-" + escape(g.key) + "\">" + escape(g.title) + "</a></li>";
  out += "</ul></nav>";
  out += "<form method=\"post\" action=\"" + std::string(k_prefix) + "/profile" + escape(org_query(page.org)) +
         "\" class=\"profile\" novalidate>" + csrf_field(frame.csrf) +
         "<input type=\"hidden\" name=\"base_version\" value=\"" + std::to_string(page.base_version) + "\">";
  if (!page.can_edit) out += "<p class=\"muted\">You can read the profile; its owner or an admin changes it.</p><fieldset disabled class=\"plain\">";
  FormWriter writer(page);
  for (const auto& g : profile_form()) out += writer.group(g, "", 0);
  if (page.can_edit) {
    out += "<div class=\"save-bar\">" +
           text_field("note", "What changed (optional, kept with the version)", page.note, "", "text", "maxlength=\"200\"") +
           "<button type=\"submit\">Save changes</button></div>";
  } else {
    out += "</fieldset>";
  }
  out += "</form>";
  return render_page(frame, out);
}

std::string render_profile_choice(const Frame& frame, const std::vector<std::pair<std::string, std::string>>& orgs) {
  std::string out = "<h1>Profiles</h1>";
  if (orgs.empty())
    return render_page(frame, out + "<p class=\"empty\">No organization yet: import one with <code>sonoria org import FILE.toml</code>.</p>");
  out += "<ul class=\"orgs\">";
  for (const auto& [slug, name] : orgs)
    out += "<li><a href=\"" + std::string(k_prefix) + "/profile?org=" + escape(percent_encode(slug)) + "\">" +
           escape(name) + "</a> <span class=\"muted\">" + escape(slug) + "</span></li>";
  return render_page(frame, out + "</ul>");
}

std::string render_profile_versions(const Frame& frame, const ProfileVersionsPage& page) {
  std::string out = heading(page.org, "Versions") + subnav(page.org, "versions");
  if (page.versions.empty())
    return render_page(frame, out + "<p class=\"empty\">No saved versions yet: the first change saved here or with "
                                    "<code>sonoria org import</code> starts the history.</p>");
  const int current = page.versions.front().version;
  out += "<table id=\"versions\"><thead><tr><th scope=\"col\">Version</th><th scope=\"col\">Saved</th>"
         "<th scope=\"col\">By</th><th scope=\"col\">Note</th></tr></thead><tbody>";
  for (const auto& v : page.versions) {
    out += "<tr data-version=\"" + std::to_string(v.version) + "\"><td><a href=\"" + std::string(k_prefix) +
           "/profile/versions/" + std::to_string(v.version) + escape(org_query(page.org)) + "\">" +
           escape(version_label(v.version, current)) + "</a></td><td>" +
           escape(local_time_text(v.saved_at, page.org.timezone)) + "</td><td>" +
           escape(v.saved_by.empty() ? "—" : v.saved_by) + "</td><td>" + escape(v.note) + "</td></tr>";
  }
  return render_page(frame, out + "</tbody></table>");
}

std::string render_profile_diff(const Frame& frame, const ProfileDiffPage& page) {
  const auto& v = page.version;
  std::string out = heading(page.org, "Version " + std::to_string(v.version)) + subnav(page.org, "versions");
  out += "<dl class=\"facts\"><dt>Saved</dt><dd>" + escape(local_time_text(v.saved_at, page.org.timezone)) +
         "</dd><dt>By</dt><dd>" + escape(v.saved_by.empty() ? "—" : v.saved_by) + "</dd>";
  if (!v.note.empty()) out += "<dt>Note</dt><dd>" + escape(v.note) + "</dd>";
  out += "</dl>";
  const std::string base = std::string(k_prefix) + "/profile/versions/" + std::to_string(v.version);
  out += "<p>";
  if (v.version > 1)
    out += "<a href=\"" + base + escape(org_query(page.org)) + "\">What this version changed</a>";
  if (v.version != page.current)
    out += (v.version > 1 ? " · " : "") + std::string("<a href=\"") + base +
           escape(org_query(page.org, "against=current")) + "\">Compare with the current version</a>";
  out += "</p>";
  if (page.against == 0) {
    out += "<h2>The first version</h2>";
  } else {
    out += "<h2>" + escape(page.against_current ? "From the current version (" + std::to_string(page.against) + ") back to this one"
                                                : "Changes from version " + std::to_string(page.against)) +
           "</h2>";
  }
  // Unchanged runs longer than six lines are folded to three lines of context on each side.
  out += "<pre class=\"diff\" aria-label=\"Differences\">";
  const auto& d = page.diff;
  bool any_change = false;
  for (std::size_t i = 0; i < d.size();) {
    if (d[i].kind != DiffLine::Kind::same) {
      any_change = true;
      const bool removed = d[i].kind == DiffLine::Kind::removed;
      // The line end inside the element: a block-level row followed by "\n" would show a blank line.
      out += std::string(removed ? "<del>- " : "<ins>+ ") + escape(d[i].text) + (removed ? "\n</del>" : "\n</ins>");
      ++i;
      continue;
    }
    std::size_t end = i;
    while (end < d.size() && d[end].kind == DiffLine::Kind::same) ++end;
    const std::size_t run = end - i;
    const std::size_t keep_before = i == 0 ? 0 : 3;
    const std::size_t keep_after = end == d.size() ? 0 : 3;
    if (page.against == 0 || run <= keep_before + keep_after + 1) {
      for (std::size_t k = i; k < end; ++k) out += "  " + escape(d[k].text) + "\n";
    } else {
      for (std::size_t k = i; k < i + keep_before; ++k) out += "  " + escape(d[k].text) + "\n";
      out += "<span class=\"fold\">  … " + std::to_string(run - keep_before - keep_after) + " unchanged lines</span>\n";
      for (std::size_t k = end - keep_after; k < end; ++k) out += "  " + escape(d[k].text) + "\n";
    }
    i = end;
  }
  out += "</pre>";
  if (page.against != 0 && !any_change) out += "<p class=\"muted\">No differences.</p>";
  if (page.can_roll_back && v.version != page.current)
    out += "<form method=\"post\" action=\"" + base + "/rollback" + escape(org_query(page.org)) +
           "\" data-confirm=\"Make version " + std::to_string(v.version) +
           " the current profile? The next call uses it.\">" + csrf_field(frame.csrf) +
           "<button type=\"submit\">Roll back to version " + std::to_string(v.version) + "</button></form>";
  return render_page(frame, out);
}

std::string render_prompt_preview(const Frame& frame, const PromptPreviewPage& page) {
  std::string out = heading(page.org, "Prompt preview") + subnav(page.org, "prompt");
  out += "<p class=\"help\">What the assistant is told at the start of a call at this time (" + escape(page.org.timezone) +
         "), from the saved profile.</p>";
  out += "<form method=\"get\" action=\"" + std::string(k_prefix) + "/profile/prompt\" class=\"filters\">";
  if (page.org.choose) out += "<input type=\"hidden\" name=\"org\" value=\"" + escape(page.org.slug) + "\">";
  out += text_field("at", "Date and time", page.at, page.error, "datetime-local");
  if (!page.stages.empty()) {
    std::vector<std::pair<std::string, std::string>> options{{"", "(where calls start)"}};
    for (const auto& s : page.stages) options.emplace_back(s, s);
    out += select_field("stage", "Stage", options, page.stage);
  }
  out += "<div class=\"field checkbox\"><label><input type=\"checkbox\" name=\"outbound\" value=\"1\"" +
         std::string(page.outbound ? " checked" : "") + "> An outbound call</label></div>";
  out += "<button type=\"submit\">Show</button></form>";
  if (!page.prompt.empty()) out += "<pre class=\"prompt\" id=\"prompt\">" + escape(page.prompt) + "</pre>";
  return render_page(frame, out);
}

}  // namespace sonoria::dashboard
