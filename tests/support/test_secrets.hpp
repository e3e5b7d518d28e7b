#pragma once
// Every secret value the tests give sonoria (auth tokens, API keys, bearer tokens), so that what
// sonoria prints can be searched for them: logs, errors, `config show`, /metrics, the API and
// exports must never carry one (issue 19 §3). A test that adds a secret adds it here.
#include <string>
#include <string_view>
#include <vector>

namespace sonoria::test {

const std::vector<std::string>& known_test_secrets();

// The first known secret found in `text`, or "".
std::string secret_in(std::string_view text);

}  // namespace sonoria::test
