// Shared by the cache tests' shaders.
#ifndef COMMON_GLSL
#define COMMON_GLSL
#ifndef SCALE
#define SCALE 1.0
#endif
float scaled(float x) { return x * SCALE; }
#endif
