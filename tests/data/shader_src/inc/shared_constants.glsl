#ifndef SHARED_CONSTANTS_GLSL
#define SHARED_CONSTANTS_GLSL
const vec3 LIGHT_DIR = vec3(0.3, 0.8, 0.5);
const float AMBIENT_BOOST = 1.25;
#endif
