#version 450
// The hooked dispatch of layer_cow: reads a large read-only buffer, writes one weighted sum per invocation.
layout(local_size_x = 64) in;
layout(set = 0, binding = 0) readonly buffer Input { uint v[]; } inp;
layout(set = 0, binding = 1) writeonly buffer Sums { uint v[]; } sums;
layout(push_constant) uniform Push { uint per; } push;
void main() {
  uint i = gl_GlobalInvocationID.x;
  uint s = 0u;
  for (uint j = 0u; j < push.per; ++j) s += inp.v[i * push.per + j] * (j + 1u);
  sums.v[i] = s;
}
