// The check table (checks.def) against what is generated from it and what
// documents it: every row has its docs/checks/<name>.md page with the row's
// default severity, every page has its row, and the README's table lists
// each row once.
#include <gtest/gtest.h>

#include <filesystem>
#include <fstream>
#include <set>
#include <sstream>
#include <string>

#include "jitscope/validators/finding.h"

namespace jitscope {
namespace {

const std::filesystem::path kChecksDocs = std::filesystem::path(JITSCOPE_SOURCE_DIR) / "docs" / "checks";

std::string readText(const std::filesystem::path& path) {
  std::ifstream in(path);
  std::stringstream text;
  text << in.rdbuf();
  return text.str();
}

TEST(CheckTable, IdsIndexTheirRowsAndNamesAreUnique) {
  std::set<std::string> names;
  for (size_t i = 0; i < allChecks().size(); ++i) {
    const CheckInfo& row = allChecks()[i];
    EXPECT_EQ(static_cast<size_t>(row.id), i) << row.name;
    EXPECT_EQ(&checkInfo(row.id), &row) << row.name;
    EXPECT_EQ(findCheck(row.name), &row) << row.name;
    EXPECT_TRUE(names.insert(row.name).second) << "two rows named " << row.name;
  }
  EXPECT_EQ(findCheck("trace-data-dependant-branch"), nullptr) << "a misspelt name is no check";
}

TEST(CheckTable, FindingTakesItsRowsNameAndDefaultSeverity) {
  for (const CheckInfo& row : allChecks()) {
    const Finding finding(row.id, "message");
    EXPECT_EQ(finding.check, row.name);
    EXPECT_EQ(finding.severity, row.severity) << row.name;
    EXPECT_EQ(finding.message, "message");
  }
  EXPECT_EQ(Finding(CheckId::kTraceDivergesFromReference, "").severity, Severity::kError);
  EXPECT_EQ(Finding(CheckId::kAuditSourceUnavailable, "").severity, Severity::kNote);
}

TEST(CheckTable, SpecificChecksWinOnASharedLine) {
  // The priorities mergeByLine (trace_audit.cpp) orders same-line findings by.
  EXPECT_LT(checkInfo(CheckId::kTraceConstantTensor).priority, checkInfo(CheckId::kTraceShapeDependentLoop).priority);
  EXPECT_LT(checkInfo(CheckId::kTraceShapeDependentLoop).priority, checkInfo(CheckId::kTracePythonNumber).priority);
}

TEST(CheckTable, EveryRowHasItsPageWithItsSeverity) {
  for (const CheckInfo& row : allChecks()) {
    const auto page = kChecksDocs / (std::string(row.name) + ".md");
    ASSERT_TRUE(std::filesystem::is_regular_file(page)) << "no page for check " << row.name << ": " << page;
    const std::string text = readText(page);
    EXPECT_EQ(text.rfind("# " + std::string(row.name) + "\n", 0), 0u) << page << " does not start with its name";
    const std::string severity = "Default severity: **" + std::string(toString(row.severity)) + "**";
    EXPECT_NE(text.find(severity), std::string::npos) << page << " lacks '" << severity << "'";
  }
}

TEST(CheckTable, EveryPageHasItsRow) {
  size_t pages = 0;
  for (const auto& entry : std::filesystem::directory_iterator(kChecksDocs)) {
    if (entry.path().extension() != ".md" || entry.path().filename() == "README.md") continue;
    ++pages;
    EXPECT_NE(findCheck(entry.path().stem().string()), nullptr)
        << entry.path() << " documents a check that checks.def does not have";
  }
  EXPECT_EQ(pages, allChecks().size());
}

TEST(CheckTable, ReadmeListsEveryRowOnceWithItsSeverity) {
  const std::string readme = readText(kChecksDocs / "README.md");
  for (const CheckInfo& row : allChecks()) {
    const std::string name(row.name);
    const std::string entry =
        "| [" + name + "](" + name + ".md) | " + std::string(toString(row.severity)) + " |";
    const size_t at = readme.find(entry);
    EXPECT_NE(at, std::string::npos) << "README.md lacks the row '" << entry << "'";
    if (at != std::string::npos) EXPECT_EQ(readme.find(entry, at + 1), std::string::npos) << name;
  }
}

}  // namespace
}  // namespace jitscope
