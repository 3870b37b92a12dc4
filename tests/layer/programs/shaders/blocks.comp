#version 450
// layer_blocks: every texel of the block-compressed textures, as the driver decodes them, packed to 8 bits
// a channel, one texture after another (texture t's texel (x, y) at out[first(t) + y * size + x], the sizes
// as layer_blocks.cpp lists them): the four 8x8 BC ones, the 256x256 BC7 one, then ETC2 RGB, RGBA and
// punch-through, EAC RG11 and signed R11. A signed texture's values in [-1, 1] are written as (v + 1) / 2,
// the way the layer's PNG shows them. The two BC6H textures come last, their HDR texels as the floats' bits,
// four words a texel (out[first(t) + (y * size + x) * 4 + channel]), for an exact comparison. One workgroup
// walks each texture in 8x8 steps, so the capture is still of the one vkCmdDispatch(1, 1, 1).
layout(local_size_x = 8, local_size_y = 8) in;
layout(set = 0, binding = 0) uniform sampler2D tex[12];
layout(set = 0, binding = 1) buffer Out { uint texels[]; } outp;

// Each texture is passed by a constant index: indexing the array by a loop counter would need the
// shaderSampledImageArrayDynamicIndexing feature.
uint copy_texels(sampler2D t, int size, uint first, bool is_signed) {
  ivec2 p = ivec2(gl_LocalInvocationID.xy);
  for (int y = p.y; y < size; y += 8) {
    for (int x = p.x; x < size; x += 8) {
      vec4 v = texelFetch(t, ivec2(x, y), 0);
      if (is_signed) v = v * 0.5 + 0.5;
      outp.texels[first + uint(y * size + x)] = packUnorm4x8(v);
    }
  }
  return first + uint(size * size);
}

uint copy_floats(sampler2D t, int size, uint first) {
  ivec2 p = ivec2(gl_LocalInvocationID.xy);
  for (int y = p.y; y < size; y += 8) {
    for (int x = p.x; x < size; x += 8) {
      uvec4 v = floatBitsToUint(texelFetch(t, ivec2(x, y), 0));
      uint at = first + uint(y * size + x) * 4u;
      outp.texels[at] = v.r;
      outp.texels[at + 1u] = v.g;
      outp.texels[at + 2u] = v.b;
      outp.texels[at + 3u] = v.a;
    }
  }
  return first + uint(size * size) * 4u;
}

void main() {
  uint first = 0u;
  first = copy_texels(tex[0], 8, first, false);    // bc1
  first = copy_texels(tex[1], 8, first, false);    // bc3
  first = copy_texels(tex[2], 8, first, false);    // bc4
  first = copy_texels(tex[3], 8, first, false);    // bc5
  first = copy_texels(tex[4], 256, first, false);  // bc7
  first = copy_texels(tex[5], 64, first, false);   // etc2_rgb
  first = copy_texels(tex[6], 128, first, false);  // etc2_rgba
  first = copy_texels(tex[7], 128, first, false);  // etc2_a1
  first = copy_texels(tex[8], 64, first, false);   // eac_rg11
  first = copy_texels(tex[9], 64, first, true);    // eac_r11_snorm
  first = copy_floats(tex[10], 128, first);        // bc6h_ufloat
  first = copy_floats(tex[11], 128, first);        // bc6h_sfloat
}
