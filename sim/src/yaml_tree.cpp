#include "unrest/yaml_tree.hpp"

#include <yaml-cpp/depthguard.h>
#include <yaml-cpp/eventhandler.h>
#include <yaml-cpp/yaml.h>

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <cstdio>
#include <cstring>
#include <filesystem>
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
// anywhere near this many nodes (the Bishkek map, the largest, has about 1,200).
constexpr std::size_t kMaxNodes = 100'000;
// A scenario nests a few levels deep; the limit keeps every recursive walk of the tree (here, merging, copying,
// freeing) far from the end of the stack, and stops an alias that refers to a node containing it.
constexpr int kMaxDepth = 64;
// Scenarios are a few kilobytes; a larger file is not one (and /dev/zero-like inputs must not fill the memory).
constexpr std::size_t kMaxFileBytes = 4u << 20;

struct Converter {
  const std::string& file;
  std::size_t budget = kMaxNodes;
  // The sequences and mappings being converted, outermost first, with their key paths: an alias that points at one
  // of them makes the document infinite.
  std::vector<std::pair<YAML::Node, const std::string*>> open;

  // Key paths this deep are mostly repetition: the start says where.
  static std::string shortened(const std::string& path) {
    return path.size() <= 60 ? path : path.substr(0, 60) + "...";
  }

  [[noreturn]] void tooDeep(const YAML::Node& node, const std::string& path) const {
    // A cycle shows as the same node twice among those open; the first is where the anchor was written.
    for (std::size_t i = 0; i < open.size(); ++i)
      for (std::size_t j = i + 1; j < open.size(); ++j)
        if (open[i].first.is(open[j].first))
          throw ScenarioError({{locationOf(open[i].first.Mark(), file), shortened(*open[i].second),
                                "an alias refers to the node that contains it (expected aliases to finished nodes, "
                                "without cycles)"}});
    throw ScenarioError({{locationOf(node.Mark(), file), shortened(path),
                          "nested more than " + std::to_string(kMaxDepth) +
                              " levels deep (expected a scenario's few levels of mappings and lists)"}});
  }

  YamlNode convert(const YAML::Node& node, const std::string& path) {
    if (budget == 0)
      throw ScenarioError({{locationOf(node.Mark(), file), shortened(path),
                            "the document expands to more than 100,000 nodes (expected a scenario; are aliases nested?)"}});
    --budget;
    YamlNode out;
    out.where = locationOf(node.Mark(), file);
    switch (node.Type()) {
      case YAML::NodeType::Undefined:
      case YAML::NodeType::Null:
        out.kind = YamlNode::Kind::Null;
        return out;
      case YAML::NodeType::Scalar:
        out.kind = YamlNode::Kind::Scalar;
        out.scalar = node.Scalar();
        out.quoted = node.Tag() == "!";  // yaml-cpp tags quoted scalars "!"
        return out;
      case YAML::NodeType::Sequence:
      case YAML::NodeType::Map:
        break;
    }
    if (open.size() >= std::size_t(kMaxDepth)) tooDeep(node, path);
    open.emplace_back(node, &path);
    if (node.IsSequence()) {
      out.kind = YamlNode::Kind::Sequence;
      for (const auto& item : node) out.items.push_back(convert(item, path + "[" + std::to_string(out.items.size()) + "]"));
    } else {
      out.kind = YamlNode::Kind::Map;
      std::vector<Diagnostic> problems;
      for (const auto& kv : node) {
        YamlNode key = convert(kv.first, path);
        if (key.kind != YamlNode::Kind::Scalar) {
          problems.push_back({key.where, "", "mapping keys must be plain names (expected a scalar key)"});
          continue;
        }
        const std::string childPath = path.empty() ? key.scalar : path + "." + key.scalar;
        if (out.find(key.scalar)) {
          problems.push_back({key.where, childPath, "duplicate key (expected each key once per mapping)"});
          continue;
        }
        out.entries.push_back({key.scalar, key.where, convert(kv.second, childPath)});
      }
      if (!problems.empty()) throw ScenarioError(problems);
    }
    open.pop_back();
    return out;
  }
};

// yaml-cpp reads a NUL as the end of the text, silently cutting a value short.
void rejectNul(const std::string& text, const std::string& origin) {
  const auto nul = text.find('\0');
  if (nul == std::string::npos) return;
  const auto lineStart = text.rfind('\n', nul);
  const int line = 1 + static_cast<int>(std::count(text.begin(), text.begin() + static_cast<std::ptrdiff_t>(nul), '\n'));
  const int col = static_cast<int>(nul - (lineStart == std::string::npos ? 0 : lineStart + 1)) + 1;
  throw ScenarioError({{Location{origin, line, col}, "", "a NUL byte (expected a text file)"}});
}

// Notes where documents start, and nothing else.
struct DocumentStarts : YAML::EventHandler {
  std::vector<YAML::Mark> starts;
  void OnDocumentStart(const YAML::Mark& mark) override { starts.push_back(mark); }
  void OnDocumentEnd() override {}
  void OnNull(const YAML::Mark&, YAML::anchor_t) override {}
  void OnAlias(const YAML::Mark&, YAML::anchor_t) override {}
  void OnScalar(const YAML::Mark&, const std::string&, YAML::anchor_t, const std::string&) override {}
  void OnSequenceStart(const YAML::Mark&, const std::string&, YAML::anchor_t, YAML::EmitterStyle::value) override {}
  void OnSequenceEnd() override {}
  void OnMapStart(const YAML::Mark&, const std::string&, YAML::anchor_t, YAML::EmitterStyle::value) override {}
  void OnMapEnd() override {}
};

// yaml-cpp's Load reads the first document and ignores the rest. Only two are asked for: on a stray token at the
// top (a lone ',') the parser makes empty documents for ever without moving on, and YAML::LoadAll never returns.
void rejectSecondDocument(const std::string& text, const std::string& origin) {
  std::istringstream stream(text);
  YAML::Parser parser(stream);
  DocumentStarts documents;
  if (!parser.HandleNextDocument(documents) || !parser.HandleNextDocument(documents)) return;
  const YAML::Mark& second = documents.starts.back();
  if (documents.starts.size() == 2 && second.pos == documents.starts.front().pos)
    throw ScenarioError({{locationOf(second, origin), "",
                          "invalid YAML: unexpected '" + text.substr(static_cast<std::size_t>(second.pos), 1) +
                              "' (expected a mapping of sections)"}});
  throw ScenarioError({{locationOf(second, origin), "",
                        "a second YAML document (expected one scenario per file, without '---' between parts)"}});
}

YamlNode parse(const std::string& text, const std::string& origin) {
  rejectNul(text, origin);
  try {
    rejectSecondDocument(text, origin);
    Converter converter{origin, kMaxNodes, {}};
    YamlNode tree = converter.convert(YAML::Load(text), "");
    if (tree.kind == YamlNode::Kind::Null) tree.where = Location{origin, 1, 1};
    return tree;
  } catch (const YAML::DeepRecursion& e) {
    throw ScenarioError({{locationOf(e.mark, origin), "",
                          "invalid YAML: nested too deep for the parser (expected a scenario's few levels of "
                          "mappings and lists)"}});
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

// Reads a whole scenario file. Only regular files: a device or a FIFO could block or never end. The file is opened
// without blocking and checked with fstat, so what is read is what was checked.
std::string readScenarioText(const std::string& path, const Location& from) {
  auto fail = [&](const std::string& what) {
    throw ScenarioError({{from, "", "'" + path + "' " + what}});
  };
  const int fd = ::open(path.c_str(), O_RDONLY | O_NONBLOCK | O_CLOEXEC);
  if (fd < 0) fail(std::string("cannot be opened: ") + std::strerror(errno) + " (expected a readable YAML file)");
  struct FdCloser {
    int fd;
    ~FdCloser() { ::close(fd); }
  } closer{fd};
  struct stat st {};
  if (::fstat(fd, &st) != 0) fail(std::string("cannot be read: ") + std::strerror(errno));
  if (!S_ISREG(st.st_mode)) {
    const char* kind = S_ISDIR(st.st_mode) ? "a directory" : S_ISFIFO(st.st_mode) ? "a FIFO" :
                       S_ISCHR(st.st_mode) || S_ISBLK(st.st_mode) ? "a device" : S_ISSOCK(st.st_mode) ? "a socket" : "not a file";
    fail(std::string("is ") + kind + " (expected a regular YAML file)");
  }
  std::string text;
  char buffer[1 << 16];
  while (true) {
    const ssize_t got = ::read(fd, buffer, sizeof buffer);
    if (got < 0 && errno == EINTR) continue;
    if (got < 0) fail(std::string("cannot be read: ") + std::strerror(errno));
    if (got == 0) break;
    text.append(buffer, static_cast<std::size_t>(got));
    if (text.size() > kMaxFileBytes) fail("is larger than 4 MiB (expected a scenario of a few kilobytes)");
  }
  return text;
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
    std::error_code notThere;  // a name the file system refuses (too long, say) is no file either, not a crash
    if (!std::filesystem::is_regular_file(basePath, notThere))
      throw ScenarioError({{ref.where, "extends", "'" + basePath.string() + "' is not a file (expected the path of a scenario file, relative to this file)"}});
    const Location refWhere = ref.where;
    tree.entries.erase(it);
    YamlNode base = loadChain(basePath, seen, refWhere);
    // add_events accumulate along a chain: each file adds to the timeline of the file it extends.
    const YamlNode* baseAdded = base.find("add_events");
    YamlNode* added = tree.find("add_events");
    if (baseAdded && added && baseAdded->kind == YamlNode::Kind::Sequence && added->kind == YamlNode::Kind::Sequence)
      added->items.insert(added->items.begin(), baseAdded->items.begin(), baseAdded->items.end());
    mergeYaml(base, tree);
    return base;
  }
  return tree;
}

}  // namespace

YamlNode parseYamlText(const std::string& text, const std::string& origin) { return parse(text, origin); }

YamlNode parseYamlFile(const std::string& path) { return parse(readScenarioText(path, Location{path, 1, 1}), path); }

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

std::string canonicalText(const YamlNode& node) {
  // Lengths before contents, so no two different trees give the same text.
  auto counted = [](const std::string& s) { return std::to_string(s.size()) + ":" + s; };
  switch (node.kind) {
    case YamlNode::Kind::Null:
      return "~";
    case YamlNode::Kind::Scalar:
      return std::string(node.quoted ? "q" : "p").append(counted(node.scalar));
    case YamlNode::Kind::Sequence: {
      std::string s = "[";
      for (const auto& item : node.items) s += canonicalText(item) + ",";
      return s + "]";
    }
    case YamlNode::Kind::Map: {
      std::string s = "{";
      for (const auto& e : node.entries) s += counted(e.key) + "=" + canonicalText(e.value) + ",";
      return s + "}";
    }
  }
  return "";
}

std::string hashText(const std::string& text) {
  char buf[17];
  std::snprintf(buf, sizeof buf, "%016llx", static_cast<unsigned long long>(fnv1a(text)));
  return buf;
}

}  // namespace unrest
