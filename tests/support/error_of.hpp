#pragma once
// The message of the sonoria::UserError (or DataError) that `f` throws, or "(no error)".
#include <functional>
#include <string>

#include "core/error.hpp"

namespace sonoria::test {

inline std::string error_of(const std::function<void()>& f) {
  try {
    f();
  } catch (const UserError& e) {
    return e.what();
  }
  return "(no error)";
}

}  // namespace sonoria::test
