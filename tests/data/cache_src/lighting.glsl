// Included from shade.frag; includes common.glsl itself (a nested include).
#include "common.glsl"
vec3 lambert(vec3 n, vec3 l, vec3 albedo) { return albedo * scaled(max(dot(n, l), 0.0)); }
