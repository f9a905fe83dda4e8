#include "unrest/yaml_tree.hpp"

#include <yaml-cpp/yaml.h>

#include <filesystem>
#include <fstream>
#include <set>
#include <sstream>

namespace unrest {

std::string Location::str() const {
  std::ostringstream out;
  out << (file.empty() ? "<input>" : file);
  if (line > 0) out << ':' << line << ':' << col;
  return out.str();
}

std::string Diagnostic::str() const {
  std::string s = where.str() + ": error: ";
  if (!keyPath.empty()) s += keyPath + ": ";
  return s + message;
}

static std::string joinDiagnostics(const std::vector<Diagnostic>& diagnostics) {
  std::string all;
  for (const auto& d : diagnostics) {
    if (!all.empty()) all += '\n';
    all += d.str();
  }
  return all;
}

ScenarioError::ScenarioError(std::vector<Diagnostic> diagnostics)
    : std::runtime_error(joinDiagnostics(diagnostics)), diagnostics_(std::move(diagnostics)) {}

const YamlNode* YamlNode::find(const std::string& key) const {
  for (const auto& e : entries)
    if (e.key == key) return &e.value;
  return nullptr;
}

YamlNode* YamlNode::find(const std::string& key) {
  for (auto& e : entries)
    if (e.key == key) return &e.value;
  return nullptr;
}

const char* YamlNode::kindName() const {
  switch (kind) {
    case Kind::Null: return "nothing";
    case Kind::Scalar: return "a scalar";
    case Kind::Sequence: return "a list";
    case Kind::Map: return "a mapping";
  }
  return "?";
}

namespace {

Location locationOf(const YAML::Mark& mark, const std::string& file) {
  // yaml-cpp marks are 0-based; editors count from 1.
  return Location{file, mark.line + 1, mark.column + 1};
}

// Aliases are expanded into copies, so a file of nested aliases can ask for exponential memory; no scenario needs
// anywhere near this many nodes.
constexpr std::size_t kMaxNodes = 2'000'000;

YamlNode convert(const YAML::Node& node, const std::string& file, const std::string& path, std::size_t& budget) {
  if (budget == 0)
    throw ScenarioError({{locationOf(node.Mark(), file), path,
                          "the document expands to more than 2 million nodes (expected a scenario; are aliases nested?)"}});
  --budget;
  YamlNode out;
  out.where = locationOf(node.Mark(), file);
  switch (node.Type()) {
    case YAML::NodeType::Undefined:
    case YAML::NodeType::Null:
      out.kind = YamlNode::Kind::Null;
      break;
    case YAML::NodeType::Scalar:
      out.kind = YamlNode::Kind::Scalar;
      out.scalar = node.Scalar();
      out.quoted = node.Tag() == "!";  // yaml-cpp tags quoted scalars "!"
      break;
    case YAML::NodeType::Sequence:
      out.kind = YamlNode::Kind::Sequence;
      for (const auto& item : node) out.items.push_back(convert(item, file, path + "[" + std::to_string(out.items.size()) + "]", budget));
      break;
    case YAML::NodeType::Map: {
      out.kind = YamlNode::Kind::Map;
      std::vector<Diagnostic> problems;
      for (const auto& kv : node) {
        YamlNode key = convert(kv.first, file, path, budget);
        if (key.kind != YamlNode::Kind::Scalar) {
          problems.push_back({key.where, "", "mapping keys must be plain names (expected a scalar key)"});
          continue;
        }
        const std::string childPath = path.empty() ? key.scalar : path + "." + key.scalar;
        if (out.find(key.scalar)) {
          problems.push_back({key.where, childPath, "duplicate key (expected each key once per mapping)"});
          continue;
        }
        out.entries.push_back({key.scalar, key.where, convert(kv.second, file, childPath, budget)});
      }
      if (!problems.empty()) throw ScenarioError(problems);
      break;
    }
  }
  return out;
}

YamlNode parse(const std::string& text, const std::string& origin) {
  try {
    YAML::Node root = YAML::Load(text);
    std::size_t budget = kMaxNodes;
    YamlNode tree = convert(root, origin, "", budget);
    if (tree.kind == YamlNode::Kind::Null) tree.where = Location{origin, 1, 1};
    return tree;
  } catch (const YAML::Exception& e) {
    std::string message = "invalid YAML: " + e.msg;
    // yaml-cpp reports tab indentation as some other error; name the usual cause.
    std::istringstream lines(text);
    std::string line;
    for (int n = 0; n <= e.mark.line && std::getline(lines, line);) ++n;
    if (line.find('\t') != std::string::npos) message += " (this line contains a tab: YAML indents with spaces only)";
    throw ScenarioError({{locationOf(e.mark, origin), "", message}});
  }
}

YamlNode loadChain(const std::filesystem::path& path, std::set<std::string>& seen, const Location& from) {
  std::error_code ec;
  auto canonical = std::filesystem::weakly_canonical(path, ec);
  const std::string key = ec ? path.string() : canonical.string();
  if (seen.count(key))
    throw ScenarioError({{from, "extends", "'" + path.string() + "' extends itself through a cycle (expected a chain without cycles)"}});
  seen.insert(key);

  YamlNode tree = parseYamlFile(path.string());
  if (tree.kind != YamlNode::Kind::Map)
    throw ScenarioError({{tree.where, "", std::string("a scenario is a mapping of sections, found ") + tree.kindName()}});

  for (auto it = tree.entries.begin(); it != tree.entries.end(); ++it) {
    if (it->key != "extends") continue;
    const YamlNode& ref = it->value;
    if (ref.kind != YamlNode::Kind::Scalar || ref.scalar.empty())
      throw ScenarioError({{ref.where, "extends", "expected the path of another scenario file"}});
    std::filesystem::path basePath = ref.scalar;
    if (basePath.is_relative()) basePath = path.parent_path() / basePath;
    if (!std::filesystem::is_regular_file(basePath))
      throw ScenarioError({{ref.where, "extends", "'" + basePath.string() + "' is not a file (expected the path of a scenario file, relative to this file)"}});
    const Location refWhere = ref.where;
    tree.entries.erase(it);
    YamlNode base = loadChain(basePath, seen, refWhere);
    mergeYaml(base, tree);
    return base;
  }
  return tree;
}

}  // namespace

YamlNode parseYamlText(const std::string& text, const std::string& origin) { return parse(text, origin); }

YamlNode parseYamlFile(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  if (!in) throw ScenarioError({{Location{path, 0, 0}, "", "cannot open file (expected a readable YAML file)"}});
  std::ostringstream text;
  text << in.rdbuf();
  return parse(text.str(), path);
}

void mergeYaml(YamlNode& base, const YamlNode& over) {
  if (base.kind != YamlNode::Kind::Map || over.kind != YamlNode::Kind::Map) {
    base = over;
    return;
  }
  for (const auto& e : over.entries) {
    if (YamlNode* existing = base.find(e.key)) {
      mergeYaml(*existing, e.value);
    } else {
      base.entries.push_back(e);
    }
  }
  base.where = over.where;
}

YamlNode loadYamlWithExtends(const std::string& path) {
  std::set<std::string> seen;
  return loadChain(path, seen, Location{path, 0, 0});
}

void applyOverride(YamlNode& root, const std::string& assignment) {
  const Location here{"<--set>", 0, 0};
  const auto eq = assignment.find('=');
  if (eq == std::string::npos || eq == 0)
    throw ScenarioError({{here, assignment, "expected key.path=value"}});
  YamlNode value = parseYamlText(assignment.substr(eq + 1), "<--set>");
  value.where = here;
  setAtPath(root, assignment.substr(0, eq), value, here);
}

void setAtPath(YamlNode& root, const std::string& path, const YamlNode& value, const Location& here) {
  YamlNode* node = &root;
  std::size_t start = 0;
  while (true) {
    const auto dot = path.find('.', start);
    const std::string segment = path.substr(start, dot == std::string::npos ? std::string::npos : dot - start);
    // A segment is a key, then optionally list indices: events[2] is the third item of the list under events.
    const std::string key = segment.substr(0, segment.find('['));
    if (key.empty()) throw ScenarioError({{here, path, "empty name in key path (expected names separated by dots)"}});
    if (node->kind != YamlNode::Kind::Map) {
      if (node->kind != YamlNode::Kind::Null)
        throw ScenarioError({{here, path, std::string("cannot set a key inside ") + node->kindName()}});
      node->kind = YamlNode::Kind::Map;
      node->where = here;
    }
    YamlNode* child = node->find(key);
    if (!child) {
      node->entries.push_back({key, here, YamlNode{}});
      child = &node->entries.back().value;
      child->where = here;
    }
    for (std::size_t open = key.size(); open < segment.size();) {
      const auto close = segment.find(']', open);
      const std::string digits = close == std::string::npos ? "" : segment.substr(open + 1, close - open - 1);
      if (segment[open] != '[' || digits.empty() || digits.find_first_not_of("0123456789") != std::string::npos ||
          digits.size() > 9)
        throw ScenarioError({{here, path, "'" + segment + "' is not a key or a list item (expected name or name[index])"}});
      const auto index = std::stoul(digits);
      if (child->kind != YamlNode::Kind::Sequence || index >= child->items.size())
        throw ScenarioError({{here, path, child->kind != YamlNode::Kind::Sequence
                                              ? std::string("cannot take item ") + digits + " of " + child->kindName() +
                                                    " (expected a list)"
                                              : "item " + digits + " does not exist (expected an index below " +
                                                    std::to_string(child->items.size()) + ")"}});
      child = &child->items[index];
      open = close + 1;
    }
    if (dot == std::string::npos) {
      *child = value;
      return;
    }
    node = child;
    start = dot + 1;
  }
}

}  // namespace unrest
