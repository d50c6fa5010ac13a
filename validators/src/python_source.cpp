#include "jitscope/validators/python_source.h"

#include "jitscope/core/paths.h"

#include <cstdlib>
#include <fstream>
#include <sstream>
#include <sys/stat.h>

namespace jitscope {
namespace {

bool isFile(const std::string& path) {
  struct stat st {};
  return ::stat(path.c_str(), &st) == 0 && S_ISREG(st.st_mode);
}

bool startsWith(const std::string& s, const std::string& prefix) {
  return s.compare(0, prefix.size(), prefix) == 0;
}

// Name after a keyword: "def forward(self" -> "forward".
std::string nameAfter(const std::string& text, size_t pos) {
  while (pos < text.size() && text[pos] == ' ') ++pos;
  size_t end = pos;
  while (end < text.size() && (std::isalnum(static_cast<unsigned char>(text[end])) || text[end] == '_')) {
    ++end;
  }
  return text.substr(pos, end - pos);
}

std::string dirname(const std::string& path) {
  const auto slash = path.rfind('/');
  return slash == std::string::npos ? "." : path.substr(0, slash);
}

}  // namespace

bool PythonFunction::isScripted() const {
  for (const auto& decorator : decorators) {
    if (decorator.find("script_if_tracing") != std::string::npos ||
        decorator.find("jit.script") != std::string::npos) {
      return true;
    }
  }
  return false;
}

std::shared_ptr<const PythonSourceFile> PythonSourceFile::read(const std::string& path) {
  std::ifstream in(path);
  if (!in) return nullptr;
  auto file = std::make_shared<PythonSourceFile>();
  file->path_ = path;
  for (std::string line; std::getline(in, line);) {
    if (!line.empty() && line.back() == '\r') line.pop_back();
    file->lines_.push_back(line);
  }

  // One pass over the text: track strings, brackets and continuations to
  // find where logical lines start, then open and close class/def blocks by
  // indentation.
  std::vector<int> open;  // indexes into blocks_
  std::vector<std::string> decorators;
  char quote = 0;
  bool triple = false;
  int depth = 0;
  bool continued = false;
  size_t last_content = 0;
  for (size_t i = 0; i < file->lines_.size(); ++i) {
    const std::string& line = file->lines_[i];
    const size_t number = i + 1;
    const bool statement_start = quote == 0 && depth == 0 && !continued;
    size_t pos = 0;
    if (statement_start) {
      size_t indent = 0;
      while (pos < line.size() && (line[pos] == ' ' || line[pos] == '\t')) {
        indent = line[pos] == '\t' ? (indent / 8 + 1) * 8 : indent + 1;
        ++pos;
      }
      if (pos == line.size() || line[pos] == '#') continue;  // blank or comment
      const std::string text = line.substr(pos);
      while (!open.empty() && file->blocks_[open.back()].indent >= indent) {
        file->blocks_[open.back()].end = last_content;
        open.pop_back();
      }
      const bool is_def = startsWith(text, "def ") || startsWith(text, "async def ");
      const bool is_class = startsWith(text, "class ");
      if (startsWith(text, "@")) {
        decorators.push_back(text);
      } else if (is_def || is_class) {
        Block block;
        block.kind = is_def ? Block::Kind::kDef : Block::Kind::kClass;
        block.name = nameAfter(text, text.find(is_def ? "def " : "class ") + (is_def ? 4 : 6));
        block.start = number;
        block.indent = indent;
        block.parent = open.empty() ? -1 : open.back();
        block.decorators = std::move(decorators);
        block.header = text;
        decorators.clear();
        open.push_back(static_cast<int>(file->blocks_.size()));
        file->blocks_.push_back(std::move(block));
      } else {
        decorators.clear();
      }
    }
    last_content = number;
    continued = false;
    for (; pos < line.size(); ++pos) {
      const char c = line[pos];
      if (quote != 0) {
        if (c == '\\') {
          ++pos;
        } else if (c == quote && (!triple || line.compare(pos, 3, std::string(3, quote)) == 0)) {
          if (triple) pos += 2;
          quote = 0;
        }
        continue;
      }
      if (c == '#') break;
      if (c == '"' || c == '\'') {
        quote = c;
        triple = line.compare(pos, 3, std::string(3, c)) == 0;
        if (triple) pos += 2;
      } else if (c == '(' || c == '[' || c == '{') {
        ++depth;
      } else if ((c == ')' || c == ']' || c == '}') && depth > 0) {
        --depth;
      } else if (c == '\\' && pos + 1 == line.size()) {
        continued = true;
      }
    }
    if (quote != 0 && !triple) quote = 0;  // unterminated single-line string
  }
  for (int index : open) file->blocks_[index].end = last_content;
  return file;
}

const std::string& PythonSourceFile::line(size_t number) const {
  static const std::string empty;
  return number >= 1 && number <= lines_.size() ? lines_[number - 1] : empty;
}

std::optional<PythonFunction> PythonSourceFile::toFunction(const Block& block) const {
  PythonFunction function;
  function.file = path_;
  function.name = block.name;
  if (block.parent >= 0 && blocks_[block.parent].kind == Block::Kind::kClass) {
    function.class_name = blocks_[block.parent].name;
  }
  function.def_line = block.start;
  function.end_line = block.end;
  function.indent = block.indent;
  function.decorators = block.decorators;
  for (size_t n = block.start; n <= block.end; ++n) {
    const std::string& text = line(n);
    size_t strip = 0;
    while (strip < block.indent && strip < text.size() && (text[strip] == ' ' || text[strip] == '\t')) {
      ++strip;
    }
    function.text += text.substr(strip);
    function.text += '\n';
  }
  return function;
}

std::optional<PythonFunction> PythonSourceFile::findMethod(const std::string& class_name,
                                                           const std::string& method) const {
  for (size_t i = 0; i < blocks_.size(); ++i) {
    const Block& block = blocks_[i];
    if (block.kind != Block::Kind::kDef || block.name != method || block.parent < 0) continue;
    const Block& owner = blocks_[block.parent];
    if (owner.kind == Block::Kind::kClass && owner.name == class_name) return toFunction(block);
  }
  return std::nullopt;
}

std::optional<PythonFunction> PythonSourceFile::findFunction(const std::string& name) const {
  for (const Block& block : blocks_) {
    if (block.kind == Block::Kind::kDef && block.parent < 0 && block.name == name) {
      return toFunction(block);
    }
  }
  return std::nullopt;
}

std::optional<PythonFunction> PythonSourceFile::functionContaining(size_t line_number) const {
  const Block* best = nullptr;
  for (const Block& block : blocks_) {
    if (block.kind == Block::Kind::kDef && block.start <= line_number && line_number <= block.end &&
        (!best || block.start >= best->start)) {
      best = &block;
    }
  }
  return best ? toFunction(*best) : std::nullopt;
}

bool PythonSourceFile::hasClass(const std::string& class_name) const {
  for (const Block& block : blocks_) {
    if (block.kind == Block::Kind::kClass && block.name == class_name) return true;
  }
  return false;
}

bool PythonSourceFile::classDerivesFrom(const std::string& class_name, const std::string& base) const {
  for (const Block& block : blocks_) {
    if (block.kind != Block::Kind::kClass || block.name != class_name) continue;
    const auto open = block.header.find('(');
    const auto close = block.header.rfind(')');
    if (open != std::string::npos && close != std::string::npos &&
        block.header.substr(open, close - open).find(base) != std::string::npos) {
      return true;
    }
  }
  return false;
}

SourceLocator::SourceLocator(std::vector<std::string> source_roots) : roots_(std::move(source_roots)) {
  for (auto& root : roots_) {
    while (root.size() > 1 && root.back() == '/') root.pop_back();
  }
}

std::shared_ptr<const PythonSourceFile> SourceLocator::open(const std::string& path) {
  auto it = cache_.find(path);
  if (it != cache_.end()) return it->second;
  std::shared_ptr<const PythonSourceFile> file;
  if (isFile(path)) {
    // One canonical path per file, so findings from the recorded stacks,
    // the class lookup and the reference meet on the same name.
    const std::string canonical = canonicalPath(path);
    auto known = cache_.find(canonical);
    file = known != cache_.end() && known->second ? known->second : PythonSourceFile::read(canonical);
    cache_[canonical] = file;
  }
  cache_[path] = file;
  return file;
}

std::shared_ptr<const PythonSourceFile> SourceLocator::fileForRecordedPath(const std::string& path) {
  if (path.empty() || path.front() == '<') return nullptr;  // "<string>", "<stdin>"
  const std::string key = "recorded:" + path;
  auto it = cache_.find(key);
  if (it != cache_.end()) return it->second;
  std::shared_ptr<const PythonSourceFile> found = open(path);
  // Exported elsewhere: try the recorded path's tails under each root,
  // longest first (/ci/build/src/pkg/m.py -> ROOT/src/pkg/m.py, ROOT/pkg/m.py, ...).
  for (size_t slash = path.find('/', 1); !found && slash != std::string::npos;
       slash = path.find('/', slash + 1)) {
    for (const auto& root : roots_) {
      if ((found = open(root + path.substr(slash)))) break;
    }
  }
  if (found) {
    recorded_files_.push_back(found->path());
  } else {
    missing_.push_back(path);
  }
  cache_[key] = found;
  return found;
}

std::shared_ptr<const PythonSourceFile> SourceLocator::fileForClass(const std::string& qualified) {
  const auto dot = qualified.rfind('.');
  const std::string class_name = dot == std::string::npos ? qualified : qualified.substr(dot + 1);
  if (dot == std::string::npos) {
    // Defined in a script run as __main__: only recorded files can hold it.
    for (const auto& recorded : recorded_files_) {
      auto file = open(recorded);
      if (file && file->hasClass(class_name)) return file;
    }
    return nullptr;
  }
  std::string module_path = qualified.substr(0, dot);
  for (char& c : module_path) {
    if (c == '.') c = '/';
  }
  // Candidate roots: the given ones, then each folder above a recorded file.
  std::vector<std::string> roots = roots_;
  for (const auto& recorded : recorded_files_) {
    for (std::string dir = dirname(recorded); dir.size() > 1; dir = dirname(dir)) {
      roots.push_back(dir);
    }
  }
  for (const auto& root : roots) {
    for (const std::string candidate : {root + "/" + module_path + ".py",
                                        root + "/" + module_path + "/__init__.py"}) {
      auto file = open(candidate);
      if (file && file->hasClass(class_name)) return file;
    }
  }
  return nullptr;
}

}  // namespace jitscope
