#version 450
layout(local_size_x = 64) in;
layout(set = 0, binding = 0) uniform Params { float scale; uint count; } params;
layout(set = 0, binding = 1) readonly buffer Input { float values[]; } inp;
layout(set = 0, binding = 2) buffer Output { float values[]; } outp;
layout(push_constant) uniform Push { float add; } push;
void main() {
  uint i = gl_GlobalInvocationID.x;
  if (i < params.count) outp.values[i] = inp.values[i] * params.scale + push.add;
}
