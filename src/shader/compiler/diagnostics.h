// glslang's info log → ShaderDiagnostic. glslang writes one message a line:
//   "ERROR: path/file.frag:12:5: 'foo' : undeclared identifier"   (EShMsgEnhanced adds the column)
//   "WARNING: path/file.frag:3: '#extension' : ..."
//   "ERROR: Linking fragment stage: Missing entry point: ..."      (no location)
// and closes with "ERROR: 1 compilation errors.  No code generated.", which is dropped.
#pragma once

#include <kiln/shader.h>

#include <functional>
#include <string>
#include <string_view>
#include <vector>

namespace kiln::shader_detail {

// `unlocated_file` names messages that carry no location (link errors): the main file.
std::vector<ShaderDiagnostic> parse_info_log(std::string_view log, const std::string& unlocated_file);

// glslang 12 reports lines but no columns (EShMsgEnhanced does not change that). The column is
// taken from the token glslang quotes ("'foo' : undeclared identifier") when it occurs exactly once
// on the reported line, else the line's first non-blank character. Also drops the spurious error
// glslang reports past the end of an included file (its #line epilogue) after an error inside a
// nested include. `text_of` gives a file's text by the name glslang used, or null.
void refine_locations(std::vector<ShaderDiagnostic>& diagnostics,
                      const std::function<const std::string*(const std::string&)>& text_of);

}  // namespace kiln::shader_detail
