#version 450
layout(location = 0) out vec4 out_color;
#include "does_not_exist.glsl"
void main() { out_color = vec4(1.0); }
