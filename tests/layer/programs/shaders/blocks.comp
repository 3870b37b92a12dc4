#version 450
// layer_blocks: every texel of the block-compressed textures, as the driver decodes them, packed to 8 bits
// a channel: the four 8x8 ones at out[t * 64 + y * 8 + x] for texture t, then the 256x256 BC7 one at
// out[256 + y * 256 + x]. One workgroup walks the large texture in 8x8 steps, so the capture is still of
// the one vkCmdDispatch(1, 1, 1).
layout(local_size_x = 8, local_size_y = 8) in;
layout(set = 0, binding = 0) uniform sampler2D tex[5];
layout(set = 0, binding = 1) buffer Out { uint texels[]; } outp;
void main() {
  ivec2 p = ivec2(gl_LocalInvocationID.xy);
  for (int t = 0; t < 4; ++t) outp.texels[t * 64 + p.y * 8 + p.x] = packUnorm4x8(texelFetch(tex[t], p, 0));
  for (int y = p.y; y < 256; y += 8) {
    for (int x = p.x; x < 256; x += 8) {
      outp.texels[256 + y * 256 + x] = packUnorm4x8(texelFetch(tex[4], ivec2(x, y), 0));
    }
  }
}
