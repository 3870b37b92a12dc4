#version 450
layout(location = 0) out vec4 out_color;
#include "bad_helper.glsl"
void main() { out_color = vec4(helper()); }
