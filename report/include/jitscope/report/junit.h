// The one JUnit XML writer: audit, check and ci describe their results as
// suites of test cases, and this turns them into the document CI servers
// read. Every attribute and text is escaped here.
#pragma once

#include <optional>
#include <string>
#include <utility>
#include <vector>

namespace jitscope {

struct JunitProblem {
  enum class Kind { kFailure, kError };
  Kind kind = Kind::kFailure;
  std::string type;                 ///< the `type` attribute; left out when empty
  std::string message;              ///< the `message` attribute
  std::optional<std::string> text;  ///< the element's text; none: a self-closing element
};

struct JunitCase {
  std::string classname;
  std::string name;
  std::vector<JunitProblem> problems;  ///< none: the case passed
};

struct JunitSuite {
  std::string name;
  std::vector<std::pair<std::string, std::string>> properties;  ///< a <properties> block when any
  std::vector<JunitCase> cases;
  std::optional<double> seconds;  ///< the `time` attribute, when measured
};

struct JunitDocument {
  /// With a name, <testsuites> carries it and the totals of its suites.
  std::optional<std::string> name;
  std::vector<JunitSuite> suites;
};

/// The document: `tests` counts cases, `failures` and `errors` count the
/// problems of each kind.
std::string renderJunit(const JunitDocument& document);

}  // namespace jitscope
