// A YAML document as a plain tree whose every node remembers the file, line and column it came from, so that
// errors found after `extends:` merging and `--set` overrides still point at the right place.
#pragma once

#include "unrest/location.hpp"

#include <cstdint>
#include <stdexcept>
#include <string>
#include <string_view>
#include <vector>

namespace unrest {

struct Diagnostic {
  Location where;
  std::string keyPath;  // "populations.west.count"
  std::string message;  // what is wrong, with what was expected
  std::string str() const;  // "file:line:col: error: key.path: message"
};

// Thrown for any user error in a scenario; carries every problem found, not just the first.
class ScenarioError : public std::runtime_error {
public:
  explicit ScenarioError(std::vector<Diagnostic> diagnostics);
  const std::vector<Diagnostic>& diagnostics() const { return diagnostics_; }

private:
  std::vector<Diagnostic> diagnostics_;
};

struct YamlNode {
  enum class Kind { Null, Scalar, Sequence, Map };
  struct Entry;

  Kind kind = Kind::Null;
  std::string scalar;           // for Scalar
  bool quoted = false;          // scalar was written in quotes (so it is a string, never a number)
  std::vector<YamlNode> items;  // for Sequence
  std::vector<Entry> entries;   // for Map, in file order
  Location where;

  const YamlNode* find(const std::string& key) const;
  YamlNode* find(const std::string& key);
  const char* kindName() const;
};

struct YamlNode::Entry {
  std::string key;
  Location keyWhere;
  YamlNode value;
};

// Parses one file (no `extends` handling). Syntax errors and duplicate keys become ScenarioError.
YamlNode parseYamlFile(const std::string& path);
YamlNode parseYamlText(const std::string& text, const std::string& origin);

// Parses a file and resolves its `extends:` chain: mappings merge key by key, everything else is replaced.
YamlNode loadYamlWithExtends(const std::string& path);

// Applies "key.path=value" (value parsed as YAML) onto the tree, creating mappings along the way.
void applyOverride(YamlNode& root, const std::string& assignment);
// Sets the node at "key.path" to `value`, creating mappings along the way; a segment may index an existing list
// ("events[2].at"). Keys it creates, and its errors, are located at `where` (so a value that came from another
// file, a sweep file say, is reported there).
void setAtPath(YamlNode& root, const std::string& path, const YamlNode& value, const Location& where);

// The content of a tree, without comments or layout: two trees give the same text exactly when they say the same.
std::string canonicalText(const YamlNode& node);
// FNV-1a, 64 bits: a fingerprint of bytes (not a defence against tampering).
inline std::uint64_t fnv1a(std::string_view bytes, std::uint64_t h = 0xcbf29ce484222325ULL) {
  for (unsigned char c : bytes) {
    h ^= c;
    h *= 0x100000001b3ULL;
  }
  return h;
}
// fnv1a as 16 hex digits.
std::string hashText(const std::string& text);

// Deep merge: `over` wins; mappings merge recursively.
void mergeYaml(YamlNode& base, const YamlNode& over);

}  // namespace unrest
