#version 450
// layer_blocks: every texel of four 8x8 block-compressed textures, as the driver decodes them, packed
// to 8 bits a channel: out[t * 64 + y * 8 + x] for texture t.
layout(local_size_x = 8, local_size_y = 8) in;
layout(set = 0, binding = 0) uniform sampler2D tex[4];
layout(set = 0, binding = 1) buffer Out { uint texels[]; } outp;
void main() {
  ivec2 p = ivec2(gl_LocalInvocationID.xy);
  for (int t = 0; t < 4; ++t) outp.texels[t * 64 + p.y * 8 + p.x] = packUnorm4x8(texelFetch(tex[t], p, 0));
}
