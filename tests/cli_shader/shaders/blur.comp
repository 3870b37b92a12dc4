#version 450
#extension GL_GOOGLE_include_directive : require
// A small compute shader with an include, a storage image, a uniform block and push constants.
#include "blur_common.glsl"

layout(local_size_x = 8, local_size_y = 8) in;
layout(set = 0, binding = 0) uniform sampler2D source_image;
layout(set = 0, binding = 1, rgba8) uniform writeonly image2D blurred;
layout(set = 0, binding = 2) uniform BlurParams { vec2 texel; float radius; uint taps; } params;
layout(push_constant) uniform Push { ivec2 offset; float strength; } push;

void main() {
  ivec2 p = ivec2(gl_GlobalInvocationID.xy) + push.offset;
  vec2 uv = (vec2(p) + 0.5) * params.texel;
  vec4 sum = vec4(0.0);
  for (uint i = 0u; i < params.taps; ++i) sum += texture(source_image, uv + tap_offset(i, params.radius) * params.texel);
  imageStore(blurred, p, mix(texture(source_image, uv), sum / float(max(params.taps, 1u)), push.strength));
}
