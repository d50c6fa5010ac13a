#include "jitscope/report/junit.h"

#include <fmt/format.h>

#include "jitscope/report/text_util.h"

namespace jitscope {
namespace {

struct Counts {
  size_t tests = 0;
  size_t failures = 0;
  size_t errors = 0;
};

Counts countsOf(const JunitSuite& suite) {
  Counts counts;
  counts.tests = suite.cases.size();
  for (const auto& test : suite.cases) {
    for (const auto& problem : test.problems) {
      (problem.kind == JunitProblem::Kind::kError ? counts.errors : counts.failures)++;
    }
  }
  return counts;
}

std::string problemXml(const JunitProblem& problem) {
  const char* element = problem.kind == JunitProblem::Kind::kError ? "error" : "failure";
  std::string out = fmt::format("      <{}", element);
  if (!problem.type.empty()) out += fmt::format(" type=\"{}\"", xmlEscape(problem.type));
  out += fmt::format(" message=\"{}\"", xmlEscape(problem.message));
  if (!problem.text) return out + "/>\n";
  return out + fmt::format(">{}</{}>\n", xmlEscape(*problem.text), element);
}

std::string caseXml(const JunitCase& test) {
  std::string out = fmt::format("    <testcase classname=\"{}\" name=\"{}\"", xmlEscape(test.classname),
                                xmlEscape(test.name));
  if (test.problems.empty()) return out + "/>\n";
  out += ">\n";
  for (const auto& problem : test.problems) out += problemXml(problem);
  return out + "    </testcase>\n";
}

}  // namespace

std::string renderJunit(const JunitDocument& document) {
  std::string suites;
  Counts total;
  for (const auto& suite : document.suites) {
    const Counts counts = countsOf(suite);
    total.tests += counts.tests;
    total.failures += counts.failures;
    total.errors += counts.errors;
    suites += fmt::format("  <testsuite name=\"{}\" tests=\"{}\" failures=\"{}\" errors=\"{}\"",
                          xmlEscape(suite.name), counts.tests, counts.failures, counts.errors);
    if (suite.seconds) suites += fmt::format(" time=\"{:.3f}\"", *suite.seconds);
    suites += ">\n";
    if (!suite.properties.empty()) {
      suites += "    <properties>\n";
      for (const auto& [name, value] : suite.properties) {
        suites += fmt::format("      <property name=\"{}\" value=\"{}\"/>\n", xmlEscape(name), xmlEscape(value));
      }
      suites += "    </properties>\n";
    }
    for (const auto& test : suite.cases) suites += caseXml(test);
    suites += "  </testsuite>\n";
  }
  std::string open = "<testsuites>";
  if (document.name) {
    open = fmt::format("<testsuites name=\"{}\" tests=\"{}\" failures=\"{}\" errors=\"{}\">",
                       xmlEscape(*document.name), total.tests, total.failures, total.errors);
  }
  return "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n" + open + "\n" + suites + "</testsuites>\n";
}

}  // namespace jitscope
