// The #include resolver handed to glslang: "quoted" names relative to the including file first,
// then the include directories; <angled> names through the include directories only. It records
// every file it read (the dependency list) and where each file was first included from, so that
// a diagnostic inside an included file can show its include chain.
#pragma once

#include <kiln/shader.h>

#include <glslang/Public/ShaderLang.h>

#include <cstdint>
#include <deque>
#include <map>
#include <string>
#include <vector>

namespace kiln::shader_detail {

class FileIncluder : public glslang::TShader::Includer {
 public:
  // main_name: the name glslang knows the main source by (CompileDesc::path, or "<source>").
  // main_has_dir: whether "quoted" includes may be looked up next to main_name.
  FileIncluder(std::string main_name, const std::string& main_source, bool main_has_dir,
               std::vector<std::string> include_dirs);

  IncludeResult* includeLocal(const char* header, const char* includer, size_t depth) override;
  IncludeResult* includeSystem(const char* header, const char* includer, size_t depth) override;
  void releaseInclude(IncludeResult* result) override;

  // Included files, in the order first read (the main file is not in it).
  const std::vector<ShaderDependency>& dependencies() const { return dependencies_; }
  // "main.frag:3", "lighting.glsl:10": outermost first; empty for the main file or an unknown name.
  std::vector<std::string> include_chain(const std::string& file) const;
  // The text of a file read so far (the main source too), by the name glslang knows it by.
  const std::string* text_of(const std::string& name) const {
    auto it = texts_.find(name);
    return it == texts_.end() ? nullptr : &it->second;
  }

 private:
  struct Origin {
    std::string includer;
    uint32_t line = 0;
  };
  IncludeResult* found(const std::string& resolved, const std::string& text, const char* header,
                       const char* includer);
  IncludeResult* failure(std::string message);
  uint32_t directive_line(const std::string& includer, const char* header);

  std::string main_name_;
  bool main_has_dir_;
  std::vector<std::string> include_dirs_;
  std::map<std::string, std::string> texts_;       // by resolved name; node-stable storage for glslang
  std::map<std::string, Origin> origins_;          // first inclusion of each file
  std::map<std::string, uint32_t> scan_from_;      // per includer: line after the last #include matched
  std::vector<ShaderDependency> dependencies_;
  std::string local_header_, local_includer_, local_tried_;  // the failed "quoted" lookup, for the error
  std::deque<std::string> messages_;               // error texts glslang reads until releaseInclude
};

}  // namespace kiln::shader_detail
