// The one JUnit writer and the one SARIF writer (report/junit.h, sarif.h)
// that audit, check and ci render through.
#include <gtest/gtest.h>

#include <nlohmann/json.hpp>

#include "jitscope/report/junit.h"
#include "jitscope/report/sarif.h"

namespace jitscope {
namespace {

TEST(JunitWriter, CountsCasesAndProblemsAndEscapes) {
  JunitSuite suite{"m<1>.pt", {{"verdict", "lossy"}}, {}, std::nullopt};
  suite.cases.push_back({"jitscope.audit", "passes", {}});
  suite.cases.push_back({"jitscope.audit", "two",
                         {{JunitProblem::Kind::kFailure, "warning", "a \"b\"", std::string("x & y")},
                          {JunitProblem::Kind::kFailure, "", "bare", std::nullopt}}});
  suite.cases.push_back({"jitscope.ci.m", "load", {{JunitProblem::Kind::kError, "", "gone", std::string("gone")}}});
  const std::string xml = renderJunit({std::nullopt, {suite}});
  EXPECT_NE(xml.find("<testsuites>\n  <testsuite name=\"m&lt;1&gt;.pt\" tests=\"3\" failures=\"2\" errors=\"1\">\n"
                     "    <properties>\n      <property name=\"verdict\" value=\"lossy\"/>\n    </properties>\n"),
            std::string::npos)
      << xml;
  EXPECT_NE(xml.find("    <testcase classname=\"jitscope.audit\" name=\"passes\"/>\n"), std::string::npos) << xml;
  EXPECT_NE(xml.find("      <failure type=\"warning\" message=\"a &quot;b&quot;\">x &amp; y</failure>\n"),
            std::string::npos)
      << xml;
  EXPECT_NE(xml.find("      <failure message=\"bare\"/>\n    </testcase>\n"), std::string::npos) << xml;
  EXPECT_NE(xml.find("      <error message=\"gone\">gone</error>\n"), std::string::npos) << xml;
  EXPECT_EQ(xml.find("time="), std::string::npos) << "no time unless measured";
}

TEST(JunitWriter, NamedDocumentCarriesTotalsAndTimes) {
  JunitSuite a{"a", {}, {{"c", "x", {}}}, 1.5};
  JunitSuite b{"b", {}, {{"c", "y", {{JunitProblem::Kind::kFailure, "", "no", std::string()}}}}, 0.25};
  const std::string xml = renderJunit({std::string("jitscope ci"), {a, b}});
  EXPECT_NE(xml.find("<testsuites name=\"jitscope ci\" tests=\"2\" failures=\"1\" errors=\"0\">\n"), std::string::npos)
      << xml;
  EXPECT_NE(xml.find("<testsuite name=\"a\" tests=\"1\" failures=\"0\" errors=\"0\" time=\"1.500\">"), std::string::npos)
      << xml;
  EXPECT_NE(xml.find("<failure message=\"no\"></failure>"), std::string::npos) << "an empty text is not self-closing";
}

TEST(SarifWriter, LocationsRulesArtifactsAndProperties) {
  SarifLog log;
  log.rules = {{"r1", "first", std::string("warning")}, {"r2", "second", std::nullopt}};
  log.results.push_back({"r1", "warning", "at a line", "/abs/model.py", 12, 3, std::make_pair("f", "m:f")});
  log.results.push_back({"r2", "error", "on the file", "rel.pt", 0, 7, std::nullopt});
  log.artifacts = {"/abs/m.pt"};
  log.properties = {{"verdict", "lossy"}};
  const auto sarif = nlohmann::json::parse(renderSarif(log));
  EXPECT_EQ(sarif["version"], "2.1.0");
  const auto& run = sarif["runs"][0];
  EXPECT_EQ(run["tool"]["driver"]["rules"][0]["defaultConfiguration"]["level"], "warning");
  EXPECT_FALSE(run["tool"]["driver"]["rules"][1].contains("defaultConfiguration"));
  const auto& first = run["results"][0]["locations"][0];
  EXPECT_EQ(first["physicalLocation"]["artifactLocation"]["uri"], "file:///abs/model.py");
  EXPECT_EQ(first["physicalLocation"]["region"]["startLine"], 12);
  EXPECT_EQ(first["physicalLocation"]["region"]["startColumn"], 3);
  EXPECT_EQ(first["logicalLocations"][0]["fullyQualifiedName"], "m:f");
  const auto& second = run["results"][1]["locations"][0];
  EXPECT_EQ(second["physicalLocation"]["artifactLocation"]["uri"], "rel.pt");
  EXPECT_FALSE(second["physicalLocation"].contains("region")) << "no line, no region (and no column alone)";
  EXPECT_EQ(run["artifacts"][0]["location"]["uri"], "file:///abs/m.pt");
  EXPECT_EQ(run["properties"]["verdict"], "lossy");
  log.artifacts.clear();
  log.properties.clear();
  const auto bare = nlohmann::json::parse(renderSarif(log));
  EXPECT_FALSE(bare["runs"][0].contains("artifacts"));
  EXPECT_FALSE(bare["runs"][0].contains("properties"));
}

}  // namespace
}  // namespace jitscope
