#version 450
// Includes: one relative, nested one level, one through an include directory.
#include "common/lighting.glsl"
#include <shared_constants.glsl>
layout(location = 0) in vec3 normal;
layout(location = 0) out vec4 out_color;
void main() { out_color = vec4(lambert(normal, LIGHT_DIR) * AMBIENT_BOOST, 1.0); }
