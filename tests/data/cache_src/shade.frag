#version 450
#include "lighting.glsl"
layout(location = 0) in vec3 normal;
layout(location = 0) out vec4 color;
layout(set = 0, binding = 0) uniform Params { vec3 light; vec3 albedo; };
void main() { color = vec4(lambert(normalize(normal), light, albedo), 1.0); }
