#pragma once
// The knowledge base page: an organization's documents (and its FAQs, indexed from the profile),
// uploading and removing documents, and "what would the assistant find" for a question. Pure.

#include <string>
#include <utility>
#include <vector>

#include "core/dashboard/layout.hpp"
#include "core/db/stores.hpp"

namespace sonoria::dashboard {

struct KnowledgePage {
  std::vector<std::pair<std::string, std::string>> orgs;  // (slug, name) the viewer may see
  std::string org;                                        // the one shown (slug)
  std::string org_name;
  bool choose = false;                                    // links and forms carry ?org=
  std::vector<db::KbDocument> documents;
  bool can_edit = false;
  std::string upload_error;                               // beside the file input
  std::string question;                                   // searched for; "" = no search
  std::vector<db::KbHit> hits;
};

std::string render_knowledge(const Frame& frame, const KnowledgePage& page);

}  // namespace sonoria::dashboard
