// Renderers for `jitscope ci`: the text summary on stdout and the files a
// pipeline keeps (JUnit XML, SARIF 2.1.0, JSON, a self-contained HTML page).
#pragma once

#include <string>
#include <vector>

#include "jitscope/validators/ci_result.h"

namespace jitscope {

/// One line per model and check, failure details indented, a summary line.
std::string renderCiText(const std::vector<CiModelResult>& results, double seconds, unsigned jobs);
/// A testsuite per model, a testcase per check; failed checks are
/// <failure>, models that could not be checked an <error>.
std::string renderCiJunit(const std::vector<CiModelResult>& results);
/// One run; audit findings located on the user's Python line (absolute paths
/// as file:// URIs: upload-sarif's checkout_path makes them repository-relative),
/// diff and op failures on the model file.
std::string renderCiSarif(const std::vector<CiModelResult>& results);
/// {"status", "models": [CiModelResult as in ci_result.h]}.
std::string renderCiJson(const std::vector<CiModelResult>& results);
/// A page with one table row per check and the details of failures; inline
/// CSS, no scripts, no network. A model's name links to its `report` page,
/// taken as a URL relative to this page (the caller makes it so).
std::string renderCiHtml(const std::vector<CiModelResult>& results, const std::string& config);

}  // namespace jitscope
