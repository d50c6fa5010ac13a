#include "jitscope/report/compat_render.h"

#include <fmt/format.h>

#include <nlohmann/json.hpp>

#include "jitscope/report/json_util.h"
#include "jitscope/report/sarif.h"
#include "jitscope/report/text_util.h"

namespace jitscope {

using nlohmann::ordered_json;

namespace {

std::string targetTitle(const CompatReport& report) {
  if (report.operator_list_only) return fmt::format("{} (a selective build's operator list)", report.target);
  if (report.target_version.empty()) return report.target;
  return fmt::format("{} (LibTorch {})", report.target, report.target_version);
}

// Where a problem points: its first code location, else what it concerns.
std::string anchor(const CompatReport& report, const CompatProblem& problem) {
  if (!problem.locations.empty()) return problem.locations.front().str();
  if (!problem.where.empty()) return fmt::format("{}: {}", report.model, problem.where);
  return report.model;
}

constexpr CompatKind kAllKinds[] = {CompatKind::kFileFormat,  CompatKind::kMissingNamespace,
                                    CompatKind::kMissingOperator, CompatKind::kArguments,
                                    CompatKind::kCustomClass, CompatKind::kQuantizedEngine,
                                    CompatKind::kDevice, CompatKind::kBytecode};

const char* ruleSummary(CompatKind kind) {
  switch (kind) {
    case CompatKind::kFileFormat: return "the target's reader does not accept the archive's format version";
    case CompatKind::kMissingNamespace: return "no operator of a namespace the model calls is registered";
    case CompatKind::kMissingOperator: return "an operator the model calls is not registered";
    case CompatKind::kArguments: return "no overload of an operator accepts a call site's arguments";
    case CompatKind::kCustomClass: return "a TorchBind class the model holds is not registered";
    case CompatKind::kQuantizedEngine: return "quantized weights and no quantized engine";
    case CompatKind::kDevice: return "a device fixed in the archive that the target cannot honour";
    case CompatKind::kBytecode: return "no lite-interpreter bytecode, or a bytecode version the target does not read";
  }
  return "";
}

}  // namespace

std::string renderCompatText(const CompatReport& report) {
  const bool lite = report.runtime == CompatRuntime::kLite;
  std::string out =
      lite ? fmt::format("{} against {}, lite interpreter{}: {} operators in {} operator-table entries\n",
                         report.model, targetTitle(report),
                         report.bytecode_version ? fmt::format(" (bytecode version {})", *report.bytecode_version) : "",
                         report.operators_checked, report.calls_checked)
           : fmt::format("{} against {}: {} operators at {} call sites\n", report.model, targetTitle(report),
                         report.operators_checked, report.calls_checked);
  for (const auto& problem : report.problems) {
    std::string tail;
    if (problem.python && problem.python->known()) tail += fmt::format("; from {}", problem.python->str());
    if (problem.locations.size() > 1) tail += fmt::format("; {} places", problem.locations.size());
    out += fmt::format("{}: {}: {} [{}]{}\n", anchor(report, problem),
                       problem.stage == CompatStage::kLoad ? "fails to load" : "fails when run", problem.message,
                       toString(problem.kind), tail);
    if (!problem.fix.empty()) out += fmt::format("    fix: {}\n", problem.fix);
  }
  if (report.ok()) {
    out += report.operator_list_only ? "ok: every operator the model calls is in the list\n"
                                     : "ok: nothing the model needs is missing there\n";
  } else {
    out += fmt::format("{} problem{}: {}\n", report.problems.size(), report.problems.size() == 1 ? "" : "s",
                       report.loads() ? "the model loads there, and fails when it runs"
                       : lite         ? "_load_for_mobile fails there"
                                      : "torch::jit::load fails there");
  }
  return out;
}

std::string renderCompatJson(const CompatReport& report) {
  ordered_json problems = ordered_json::array();
  for (const auto& problem : report.problems) {
    ordered_json locations = ordered_json::array();
    for (const auto& at : problem.locations) {
      locations.push_back({{"record", at.record}, {"line", at.line}, {"column", at.column}});
    }
    problems.push_back({{"kind", std::string(toString(problem.kind))},
                        {"stage", std::string(toString(problem.stage))},
                        {"subject", problem.subject},
                        {"message", problem.message},
                        {"fix", problem.fix},
                        {"where", problem.where.empty() ? ordered_json(nullptr) : ordered_json(problem.where)},
                        {"python", problem.python ? locationJson(*problem.python) : ordered_json(nullptr)},
                        {"locations", locations}});
  }
  ordered_json out{{"model", report.model},
                   {"target", report.target},
                   {"target_version", report.target_version},
                   {"operator_list_only", report.operator_list_only},
                   {"runtime", std::string(toString(report.runtime))},
                   {"bytecode_version", report.bytecode_version ? ordered_json(*report.bytecode_version)
                                                                : ordered_json(nullptr)},
                   {"loads", report.loads()},
                   {"ok", report.ok()},
                   {"operators_checked", report.operators_checked},
                   {"calls_checked", report.calls_checked},
                   {"problems", problems}};
  return out.dump(2) + "\n";
}

std::string renderCompatSarif(const CompatReport& report) {
  SarifLog log;
  for (const CompatKind kind : kAllKinds) {
    log.rules.push_back({"compat-" + std::string(toString(kind)), ruleSummary(kind), std::string("error")});
  }
  for (const auto& problem : report.problems) {
    SarifResult result;
    result.rule = "compat-" + std::string(toString(problem.kind));
    result.level = "error";
    result.message = problem.message;
    if (!problem.fix.empty()) result.message += "\nfix: " + problem.fix;
    if (problem.python && problem.python->known()) {
      result.file = problem.python->file;
      result.line = problem.python->line;
      result.column = problem.python->column;
    } else {
      result.file = report.model;
    }
    if (!problem.locations.empty()) result.logical = {problem.subject, problem.locations.front().str()};
    result.properties = {{"stage", std::string(toString(problem.stage))}, {"places", problem.locations.size()}};
    log.results.push_back(std::move(result));
  }
  log.artifacts = {report.model};
  log.properties = {{"target", report.target},
                    {"runtime", std::string(toString(report.runtime))},
                    {"loads", report.loads()}};
  return renderSarif(log);
}

}  // namespace jitscope
