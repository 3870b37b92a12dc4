#version 450
#extension GL_GOOGLE_include_directive : require
#include "does_not_exist.glsl"
layout(location = 0) out vec4 color;
void main() { color = vec4(1.0); }
