#pragma once
// One file into an organization's knowledge base: its format from its name, its text read and
// split into passages (core/kb), stored in one transaction replacing an earlier import of the
// same name (KnowledgeStore::put). A file that cannot be read as a document is refused before
// anything is written (DataError naming the file and why): what is indexed stays as it was.

#include <cstdint>
#include <string>
#include <string_view>

#include "core/db/stores.hpp"

namespace sonoria::db {

struct KbImportResult {
  KbImport what = KbImport::added;
  std::string source;
  std::string title;
  int64_t passages = 0;
};

// `name`: the file's name as given (the source is its last path component).
KbImportResult import_document(KnowledgeStore& store, int64_t organization_id, std::string_view name,
                               std::string_view bytes);

}  // namespace sonoria::db
