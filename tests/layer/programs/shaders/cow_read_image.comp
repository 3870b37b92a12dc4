#version 450
// The hooked dispatch of layer_cow's image cases: samples a texture (texelFetch), one weighted row sum per invocation.
layout(local_size_x = 64) in;
layout(set = 0, binding = 0) uniform sampler2D tex;
layout(set = 0, binding = 1) writeonly buffer Sums { uint v[]; } sums;
layout(push_constant) uniform Push { uint per; } push;
void main() {
  uint i = gl_GlobalInvocationID.x;
  uint s = 0u;
  for (uint j = 0u; j < push.per; ++j) s += packUnorm4x8(texelFetch(tex, ivec2(int(j), int(i)), 0)) * (j + 1u);
  sums.v[i] = s;
}
