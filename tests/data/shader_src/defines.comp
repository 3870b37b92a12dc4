#version 450
layout(local_size_x = 32) in;
layout(set = 0, binding = 0) buffer Data { float values[]; };
#ifndef SCALE
#define SCALE 1.0
#endif
void main() {
  float v = values[gl_GlobalInvocationID.x] * SCALE;
#ifdef ADD_ONE
  v += 1.0;
#endif
  values[gl_GlobalInvocationID.x] = v;
}
