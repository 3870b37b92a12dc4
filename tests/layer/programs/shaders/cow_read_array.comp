#version 450
// The hooked dispatch of layer_cow's mips_layers cases: one invocation per (mip, layer) of a 2D array
// texture, a weighted sum of every texel of that subresource (texelFetch), so each one is really read.
layout(local_size_x = 8) in;
layout(set = 0, binding = 0) uniform sampler2DArray tex;
layout(set = 0, binding = 1) writeonly buffer Sums { uint v[]; } sums;
layout(push_constant) uniform Push { uint mips; uint layers; uint side; } push;
void main() {
  uint i = gl_GlobalInvocationID.x;
  if (i >= push.mips * push.layers) return;
  int mip = int(i / push.layers), layer = int(i % push.layers);
  uint w = push.side >> uint(mip);
  uint s = 0u;
  for (uint y = 0u; y < w; ++y)
    for (uint x = 0u; x < w; ++x)
      s += packUnorm4x8(texelFetch(tex, ivec3(int(x), int(y), layer), mip)) * (y * w + x + 1u);
  sums.v[i] = s;
}
