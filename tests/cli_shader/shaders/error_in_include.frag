#version 450
#extension GL_GOOGLE_include_directive : require
layout(location = 0) out vec4 color;
#include "broken.glsl"
void main() { color = vec4(broken()); }
