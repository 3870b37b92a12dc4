#ifndef MATH_GLSL
#define MATH_GLSL
float saturate(float x) { return clamp(x, 0.0, 1.0); }
#endif
