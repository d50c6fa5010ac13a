// `jitscope ci`'s configuration file (TOML, read with toml++) into the
// CiConfig data of session/ci_config.h, and ci's words for the settings
// lower layers name (core/errors.h's Setting): its TOML keys, where the
// command line says flags (error_wording.h). Format: docs/commands/ci.md.
#pragma once

#include <string>

#include "jitscope/core/errors.h"
#include "jitscope/session/ci_config.h"
#include "jitscope/validators/check_request.h"

namespace jitscope::cli {

/// Reads `path`; throws InputError (exit 3) naming the line of a syntax
/// error, an unknown key (with a suggestion) or a missing required key.
CiConfig readCiConfig(const std::string& path);

/// How the TOML gives `setting`, as advice shows it ("source-root =
/// [\"DIR\"] in [model.audit]"); a setting ci has no key for: its plain
/// name. ci's SettingNames.
std::string tomlAdvice(Setting setting);

/// A model's SettingError in the TOML's keys: "[model.check] 'devices' has
/// 'tpu': unknown device; use cpu or cuda[:N]".
std::string tomlWording(const SettingError& error);

/// The check request's problem in [model.check]'s keys.
std::string tomlWording(CheckRequestProblem problem);

}  // namespace jitscope::cli
