#ifndef LIGHTING_GLSL
#define LIGHTING_GLSL
#include "math.glsl"
vec3 lambert(vec3 n, vec3 l) { return vec3(saturate(dot(normalize(n), normalize(l)))); }
#endif
