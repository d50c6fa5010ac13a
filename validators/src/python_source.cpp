#include "jitscope/validators/python_source.h"

#include "jitscope/core/paths.h"
#include "python_syntax.h"

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
  std::ifstream in(path, std::ios::binary);
  if (!in) return nullptr;
  std::string text;
  char buffer[1 << 16];
  while (in.read(buffer, sizeof buffer) || in.gcount() > 0) {
    text.append(buffer, static_cast<size_t>(in.gcount()));
    if (text.size() > kMaxBytes) return nullptr;
  }
  auto file = std::make_shared<PythonSourceFile>();
  file->path_ = path;
  std::istringstream lines(text);
  for (std::string line; std::getline(lines, line);) {
    if (!line.empty() && line.back() == '\r') line.pop_back();
    file->lines_.push_back(line);
  }
  file->syntax_ = PythonSyntax::parse(std::move(text));
  if (!file->syntax_) return nullptr;
  file->index(file->syntax_->root(), -1, 0);
  return file;
}

// Indexes every class and def, at any depth (methods, nested defs, defs
// under `if TYPE_CHECKING:`), with its decorators and enclosing block, and
// records the imports. Only statements can hold definitions, so expressions
// are not descended into; nesting past kMaxNesting (hostile files) is not
// indexed.
void PythonSourceFile::index(const SyntaxNode& node, int parent, int depth) {
  constexpr int kMaxNesting = 100;
  if (depth > kMaxNesting) return;
  for (const SyntaxNode& child : node.named()) {
    if (child.is("import_statement") || child.is("import_from_statement")) {
      recordImport(child);
      continue;
    }
    std::vector<std::string> decorators;
    SyntaxNode definition = child;
    if (child.is("decorated_definition")) {
      for (const SyntaxNode& d : child.named()) {
        if (d.is("decorator")) decorators.emplace_back(d.text());
      }
      definition = child.field("definition");
    }
    const bool is_def = definition.is("function_definition");
    if (!is_def && !definition.is("class_definition")) {
      const std::string_view type = child.type();
      const bool holds_statements =
          type == "block" || type.find("_statement") != std::string_view::npos ||
          type.find("_clause") != std::string_view::npos;
      if (holds_statements) index(child, parent, depth + 1);
      continue;
    }
    Block block;
    block.kind = is_def ? Block::Kind::kDef : Block::Kind::kClass;
    block.name = std::string(definition.field("name").text());
    block.start = definition.line();
    block.end = definition.endLine();
    block.indent = definition.column() - 1;
    block.parent = parent;
    block.decorators = std::move(decorators);
    if (!is_def) block.bases = std::string(definition.field("superclasses").text());
    block.start_byte = definition.startByte();
    block.end_byte = definition.endByte();
    block.has_error = definition.hasError();
    blocks_.push_back(std::move(block));
    index(definition.field("body"), static_cast<int>(blocks_.size()) - 1, depth + 1);
  }
}

void PythonSourceFile::recordImport(const SyntaxNode& statement) {
  // `import a.b.c` binds a; `import a.b as x` binds x to a.b;
  // `from m import n as x` binds x to m.n.
  std::string from;
  if (statement.is("import_from_statement")) {
    from = std::string(statement.field("module_name").text());
    if (from.empty() || from.front() == '.') return;  // relative: the user's own package
  }
  for (const SyntaxNode& name : statement.fields("name")) {
    std::string target, bound;
    if (name.is("aliased_import")) {
      target = std::string(name.field("name").text());
      bound = std::string(name.field("alias").text());
    } else {
      target = std::string(name.text());
      bound = from.empty() ? target.substr(0, target.find('.')) : target;
      if (from.empty()) target = bound;
    }
    if (!bound.empty()) imports_[bound] = from.empty() ? target : from + "." + target;
  }
}

std::string PythonSourceFile::statementText(size_t line) const {
  if (!syntax_ || line == 0 || line > lines_.size()) return "";
  // Where the line's code starts, then the smallest statement around it (a
  // call spanning lines belongs to its statement).
  const std::string& text = lines_[line - 1];
  const size_t first = text.find_first_not_of(" \t");
  if (first == std::string::npos) return "";
  for (SyntaxNode node = syntax_->nodeAtPoint(line, first); node; node = node.parent()) {
    const std::string_view type = node.type();
    const bool simple = type == "expression_statement" || type == "return_statement" ||
                        type == "assert_statement" || type == "raise_statement" ||
                        type == "delete_statement";
    if (simple) return std::string(node.text());
    if (type == "block" || type == "module") break;
  }
  return text;
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
  function.syntax = syntax_;
  function.start_byte = block.start_byte;
  function.end_byte = block.end_byte;
  function.has_syntax_error = block.has_error;
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
    if (block.bases.find(base) != std::string::npos) return true;
  }
  return false;
}

SourceLocator::SourceLocator(std::vector<std::string> source_roots, bool read_files)
    : roots_(std::move(source_roots)), read_files_(read_files) {
  for (auto& root : roots_) {
    while (root.size() > 1 && root.back() == '/') root.pop_back();
  }
}

std::shared_ptr<const PythonSourceFile> SourceLocator::open(const std::string& path) {
  auto it = cache_.find(path);
  if (it != cache_.end()) return it->second;
  std::shared_ptr<const PythonSourceFile> file;
  if (read_files_ && isFile(path)) {
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
    if (read_files_) missing_.push_back(path);  // not looked for is not missing
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
