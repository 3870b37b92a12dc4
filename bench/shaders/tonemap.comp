#version 460
// tonemap.comp: exposure, bloom composite, colour grading (LUT), tonemapping operator, vignette, film
// grain, dithering and the sRGB transfer, into an 8-bit storage image.
#extension GL_GOOGLE_include_directive : require

#include "common.glsl"
#include "color.glsl"
#include "noise.glsl"

layout(local_size_x = 8, local_size_y = 8) in;

layout(set = 0, binding = 0) uniform sampler2D hdr_color;
layout(set = 0, binding = 1) uniform sampler2D bloom_texture;
layout(set = 0, binding = 2) uniform sampler3D grading_lut;
layout(set = 0, binding = 3, rgba8) uniform writeonly image2D ldr_output;
layout(set = 0, binding = 4, std430) readonly buffer Exposure { float exposure_values[]; };  // [0] current exposure

layout(set = 0, binding = 5, std140) uniform TonemapParams {
  vec4 vignette;         // x: intensity, y: smoothness, z: roundness, w: enabled
  vec4 grain;            // x: intensity, y: response, z: size, w: enabled
  vec4 chromatic;        // x: strength, yzw unused
  float bloom_intensity;
  float lut_contribution;
  float white_point;
  float contrast;
  float saturation;
  uint operator;
  uint frame;
  uint output_srgb;
} params;

const float LUT_SIZE = 32.0;

vec3 sample_lut(vec3 c) {
  vec3 scale = vec3((LUT_SIZE - 1.0) / LUT_SIZE);
  vec3 offset = vec3(1.0 / (2.0 * LUT_SIZE));
  return textureLod(grading_lut, saturate(c) * scale + offset, 0.0).rgb;
}

vec3 adjust_contrast_saturation(vec3 c, float contrast, float saturation) {
  const float mid = 0.18;
  vec3 log_c = log2(max(c, vec3(1e-6)));
  log_c = (log_c - log2(mid)) * contrast + log2(mid);
  c = exp2(log_c);
  float l = luminance(c);
  return mix(vec3(l), c, saturation);
}

float vignette_factor(vec2 uv, vec2 size) {
  if (params.vignette.w == 0.0) return 1.0;
  vec2 d = abs(uv - 0.5) * params.vignette.x;
  d.x *= mix(1.0, size.x / size.y, params.vignette.z);
  d = pow(saturate(d), vec2(params.vignette.z * 2.0 + 1.0));
  float v = pow(saturate(1.0 - dot(d, d)), params.vignette.y * 5.0);
  return v;
}

vec3 film_grain(vec3 c, vec2 pixel) {
  if (params.grain.w == 0.0) return c;
  vec2 p = floor(pixel / max(params.grain.z, 1.0));
  float n = hash12(p + vec2(float(params.frame) * 17.0, float(params.frame) * 3.0)) * 2.0 - 1.0;
  float response = pow(1.0 - luminance(saturate(c)), params.grain.y);
  return c + c * n * params.grain.x * response;
}

vec3 chromatic_aberration(vec2 uv, vec2 texel) {
  vec2 dir = uv - 0.5;
  vec2 offset = dir * params.chromatic.x * texel * 8.0;
  float r = textureLod(hdr_color, uv + offset, 0.0).r;
  float g = textureLod(hdr_color, uv, 0.0).g;
  float b = textureLod(hdr_color, uv - offset, 0.0).b;
  return vec3(r, g, b);
}

// Triangular-PDF dither before quantising to 8 bits, so gradients do not band.
vec3 dither(vec3 c, vec2 pixel) {
  float n0 = interleaved_gradient_noise(pixel, params.frame);
  float n1 = interleaved_gradient_noise(pixel + vec2(37.0, 91.0), params.frame);
  return c + (n0 + n1 - 1.0) / 255.0;
}

void main() {
  ivec2 pixel = ivec2(gl_GlobalInvocationID.xy);
  ivec2 size = imageSize(ldr_output);
  if (!in_bounds(pixel, size)) return;
  vec2 texel = 1.0 / vec2(size);
  vec2 uv = (vec2(pixel) + 0.5) * texel;

  vec3 hdr = params.chromatic.x > 0.0 ? chromatic_aberration(uv, texel) : textureLod(hdr_color, uv, 0.0).rgb;
  vec3 bloom = textureLod(bloom_texture, uv, 0.0).rgb;
  hdr = mix(hdr, bloom, params.bloom_intensity);
  hdr *= exposure_values[0];
  hdr = adjust_contrast_saturation(hdr, params.contrast, params.saturation);

  vec3 ldr = params.operator == 5u ? tonemap_reinhard_extended(hdr, params.white_point) : tonemap(hdr, params.operator);
  if (params.lut_contribution > 0.0) ldr = mix(ldr, sample_lut(ldr), params.lut_contribution);
  ldr *= vignette_factor(uv, vec2(size));
  ldr = film_grain(ldr, vec2(pixel));
  if (params.output_srgb != 0u) ldr = linear_to_srgb(saturate(ldr));
  ldr = dither(ldr, vec2(pixel));
  imageStore(ldr_output, pixel, vec4(saturate(ldr), luminance(ldr)));
}
