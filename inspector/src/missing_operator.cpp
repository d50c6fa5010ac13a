#include "missing_operator.h"

#include <glob.h>

#include <caffe2/serialize/inline_container.h>

#include <regex>
#include <set>
#include <string>
#include <vector>

#include <fmt/format.h>
#include <fmt/ranges.h>

#include "jitscope/core/operator_library.h"

namespace jitscope {

namespace {

// Where the packages people use install the library that registers each
// namespace: Debian's python3-* packages first, then pip's wheels.
struct KnownLibrary {
  const char* ns;
  const char* package;
  std::vector<const char*> patterns;
};

const std::vector<KnownLibrary>& knownLibraries() {
  static const std::vector<KnownLibrary> table = {
      {"torchvision", "torchvision",
       {"/usr/lib/python3/dist-packages/torchvision/_C*.so",
        "/usr/local/lib/python3*/dist-packages/torchvision/_C*.so",
        "/usr/local/lib/python3*/site-packages/torchvision/_C*.so"}},
      {"torchaudio", "torchaudio",
       {"/usr/lib/python3/dist-packages/torchaudio/lib/libtorchaudio.so",
        "/usr/local/lib/python3*/dist-packages/torchaudio/lib/libtorchaudio.so",
        "/usr/local/lib/python3*/site-packages/torchaudio/lib/libtorchaudio.so"}},
  };
  return table;
}

std::optional<std::string> firstMatch(const char* pattern) {
  glob_t found{};
  std::optional<std::string> path;
  if (::glob(pattern, 0, nullptr, &found) == 0 && found.gl_pathc > 0) path = found.gl_pathv[0];
  ::globfree(&found);
  return path;
}

// The operators of `ns` that the archive's TorchScript code calls
// (`ops.ns.name(...)` in code/*.py), sorted; empty when unreadable.
std::set<std::string> operatorsCalled(const std::string& archive_path, const std::string& ns) {
  std::set<std::string> names;
  try {
    caffe2::serialize::PyTorchStreamReader reader(archive_path);
    const std::regex call("ops\\." + ns + "\\.([A-Za-z_][A-Za-z0-9_]*)");
    for (const auto& record : reader.getAllRecords()) {
      if (record.size() < 3 || record.compare(record.size() - 3, 3, ".py") != 0) continue;
      auto [data, size] = reader.getRecord(record);
      const std::string text(static_cast<const char*>(data.get()), size);
      for (std::sregex_iterator it(text.begin(), text.end(), call), end; it != end; ++it) {
        names.insert(ns + "::" + (*it)[1].str());
      }
    }
  } catch (const std::exception&) {
    names.clear();  // the advice still names the namespace
  }
  return names;
}

}  // namespace

std::optional<std::string> missingOperatorAdvice(const std::string& loader_message,
                                                  const std::string& archive_path) {
  static const std::regex unknown("Unknown builtin op: ([A-Za-z_][A-Za-z0-9_]*)::([A-Za-z0-9_]+(?:\\.[A-Za-z_][A-Za-z0-9_]*)?)");
  std::smatch match;
  if (!std::regex_search(loader_message, match, unknown)) return std::nullopt;
  const std::string ns = match[1].str();
  if (ns == "aten" || ns == "prim") return std::nullopt;  // a LibTorch version question, not a library

  std::set<std::string> called = operatorsCalled(archive_path, ns);
  called.insert(ns + "::" + match[2].str());
  std::string advice = fmt::format("the model calls operators of the '{}' namespace ({}), which no {}library registers",
                                   ns, fmt::join(called, ", "),
                                   loadedOperatorLibraries().empty() ? "" : "loaded ");
  for (const auto& known : knownLibraries()) {
    if (ns != known.ns) continue;
    for (const char* pattern : known.patterns) {
      if (auto path = firstMatch(pattern)) {
        return advice + fmt::format("; add --load-library {} ({}'s operator library)", *path, known.package);
      }
    }
    return advice + fmt::format("; add --load-library with {}'s operator library (Debian: python3-{} installs it under "
                                "/usr/lib/python3/dist-packages/{}/)", known.package, known.package, known.package);
  }
  return advice + "; add --load-library with the shared library that registers them (the one the "
                  "exporting code loaded with torch.ops.load_library)";
}

}  // namespace jitscope
