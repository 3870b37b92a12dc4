#version 450
#include "common.glsl"
#include "noise.glsl"
layout(local_size_x = 64) in;
layout(set = 0, binding = 0) readonly buffer Src { float src[]; };
layout(set = 0, binding = 1) writeonly buffer Dst { float dst[]; };
void main() {
  uint i = gl_GlobalInvocationID.x;
  dst[i] = scaled(src[i]) + hash11(float(i)) * 0.0;
}
