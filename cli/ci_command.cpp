// jitscope ci --config jitscope.toml [-j N] [--junit F] [--sarif F] [--json F] [--html F] [--report-dir DIR]
//
// Option parsing and dispatch. Each model is checked in its own process
// (this binary again, with the hidden --run-model NAME), at most -j at a
// time; the steps and the process pool are session/ci_steps.h's.
#include <algorithm>
#include <chrono>
#include <filesystem>
#include <map>
#include <thread>

#include <fmt/format.h>

#include "ci_config.h"
#include "command_line.h"
#include "jitscope/core/atomic_file.h"
#include "jitscope/core/errors.h"
#include "jitscope/core/exit_code.h"
#include "jitscope/report/ci_render.h"
#include "jitscope/session/ci_steps.h"
#include "jitscope/validators/ci_result.h"

namespace jitscope::cli {

namespace fs = std::filesystem;

int runCi(CommandContext& ctx) {
  CommandSyntax syntax;
  syntax.usage =
      "--config jitscope.toml [-j N] [--only NAME ...] [--junit F] [--sarif F] [--json F] [--html F]\n"
      "                   [--report-dir DIR]";
  syntax.description =
      "Run every model's checks from a TOML file (audit with a fail-on level, diff\n"
      "against a committed snapshot with tolerances, op allow-list), models in parallel\n"
      "processes, with one exit code: 0 all pass, 1 a check failed, 3 a model could not\n"
      "be checked (unreadable file, bad inputs, crash). Format: docs/commands/ci.md.";
  std::string config_path;
  unsigned jobs = 0;
  std::vector<std::string> only;
  std::string run_model;
  std::string junit, sarif, json, html;
  std::string report_dir;
  syntax.options.add_options()
      ("config,c", po::value(&config_path)->default_value("jitscope.toml"), "the configuration (TOML)")
      ("jobs,j", po::value(&jobs), "models checked at once (default: config's jobs, else one per core)")
      ("only", po::value(&only)->multitoken(), "check only these models (by name)")
      ("junit", po::value(&junit), "write JUnit XML here (a testsuite per model, a testcase per check)")
      ("sarif", po::value(&sarif), "write SARIF 2.1.0 here (findings on the Python lines)")
      ("json", po::value(&json), "write all results as JSON here")
      ("html", po::value(&html), "write a self-contained HTML summary here")
      ("report-dir", po::value(&report_dir), "write each model's `jitscope report` page here (NAME.html)");
  po::options_description hidden;
  hidden.add_options()("run-model", po::value(&run_model), "internal: check one model, print JSON");
  syntax.arguments.add(hidden);
  const auto vm = parseCommandLine(ctx, syntax);
  if (!vm) return toInt(ExitCode::kOk);

  CiConfig config = readCiConfig(config_path);
  if (!run_model.empty()) {
    const CiModelConfig* model = config.find(run_model);
    if (!model) throw UsageError(fmt::format("no model named '{}' in '{}'", run_model, config_path));
    SessionCache sessions(tomlAdvice);  // errors and advice in the TOML's keys, not in flags
    try {
      writeOutput(ciResultToJson(runCiModel(*model, report_dir, sessions)));
    } catch (const SettingError& e) {
      throw InputError(config_path, tomlWording(e));
    } catch (const CheckRequestError& e) {
      throw InputError(config_path, tomlWording(e.problem()));
    }
    return toInt(ExitCode::kOk);
  }
  if (!only.empty()) {
    std::vector<CiModelConfig> kept;
    for (const auto& name : only) {
      const CiModelConfig* model = config.find(name);
      if (!model) throw UsageError(fmt::format("--only: no model named '{}' in '{}'", name, config_path));
      kept.push_back(*model);
    }
    config.models = std::move(kept);
  }
  if (jobs == 0) jobs = config.jobs;
  if (jobs == 0) jobs = std::max(1u, std::thread::hardware_concurrency());

  if (!report_dir.empty()) {
    // Page names are model names made safe for a file system; two names
    // that map to one file would overwrite each other's page.
    std::map<std::string, std::string> pages;
    for (const auto& model : config.models) {
      const auto [it, added] = pages.emplace(reportPageName(model.name), model.name);
      if (!added) {
        throw UsageError(fmt::format("models '{}' and '{}' would share the report page '{}.html'; rename one",
                                     it->second, model.name, it->first));
      }
    }
    std::error_code error;
    if (fs::exists(report_dir, error) && !fs::is_directory(report_dir, error)) {
      throw InputError(report_dir, "--report-dir names a file, not a folder");
    }
    fs::create_directories(report_dir, error);
    if (error) throw InputError(report_dir, "cannot create the --report-dir folder: " + error.message());
    report_dir = fs::absolute(report_dir).lexically_normal().string();
  }
  const auto started = std::chrono::steady_clock::now();
  const std::vector<CiModelResult> results = runCiModels(config, jobs, report_dir);
  const double seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - started).count();
  writeOutput(renderCiText(results, seconds, jobs));
  if (!report_dir.empty()) {
    const auto pages = std::count_if(results.begin(), results.end(), [](const CiModelResult& r) { return !r.report.empty(); });
    writeOutput(fmt::format("reports: {} page{} in {}\n", pages, pages == 1 ? "" : "s", report_dir));
  }
  if (!junit.empty()) writeFileAtomically(junit, renderCiJunit(results));
  if (!sarif.empty()) writeFileAtomically(sarif, renderCiSarif(results));
  if (!json.empty()) writeFileAtomically(json, renderCiJson(results));
  if (!html.empty()) writeFileAtomically(html, renderCiHtml(reportsRelativeTo(results, html), config_path));
  return ciExitCode(results);
}

}  // namespace jitscope::cli
