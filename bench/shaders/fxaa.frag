#version 460
// fxaa.frag: FXAA 3.11-style edge anti-aliasing as a fullscreen fragment pass (luma in alpha from the
// tonemapper), with edge search along the detected direction and sub-pixel blending.
#extension GL_GOOGLE_include_directive : require

#include "common.glsl"

layout(location = 0) in vec2 in_uv;
layout(location = 0) out vec4 out_color;

layout(set = 0, binding = 0) uniform sampler2D ldr_color;

layout(push_constant) uniform Push {
  vec2 texel;
  float edge_threshold;
  float edge_threshold_min;
  float subpixel;
} push;

#define SEARCH_STEPS 10
const float QUALITY[SEARCH_STEPS] = float[](1.0, 1.0, 1.0, 1.0, 1.0, 1.5, 2.0, 2.0, 4.0, 8.0);

float luma(vec2 uv) { return textureLod(ldr_color, uv, 0.0).a; }

void main() {
  vec2 uv = in_uv;
  vec4 center = textureLod(ldr_color, uv, 0.0);
  float l_c = center.a;
  float l_n = luma(uv + vec2(0.0, -push.texel.y));
  float l_s = luma(uv + vec2(0.0, push.texel.y));
  float l_e = luma(uv + vec2(push.texel.x, 0.0));
  float l_w = luma(uv + vec2(-push.texel.x, 0.0));
  float l_min = min(l_c, min(min(l_n, l_s), min(l_e, l_w)));
  float l_max = max(l_c, max(max(l_n, l_s), max(l_e, l_w)));
  float range = l_max - l_min;
  if (range < max(push.edge_threshold_min, l_max * push.edge_threshold)) {
    out_color = center;
    return;
  }
  float l_nw = luma(uv - push.texel);
  float l_se = luma(uv + push.texel);
  float l_ne = luma(uv + vec2(push.texel.x, -push.texel.y));
  float l_sw = luma(uv + vec2(-push.texel.x, push.texel.y));

  float edge_h = abs(l_nw + l_ne - 2.0 * l_n) + 2.0 * abs(l_w + l_e - 2.0 * l_c) + abs(l_sw + l_se - 2.0 * l_s);
  float edge_v = abs(l_nw + l_sw - 2.0 * l_w) + 2.0 * abs(l_n + l_s - 2.0 * l_c) + abs(l_ne + l_se - 2.0 * l_e);
  bool horizontal = edge_h >= edge_v;

  float l1 = horizontal ? l_n : l_w;
  float l2 = horizontal ? l_s : l_e;
  float g1 = abs(l1 - l_c), g2 = abs(l2 - l_c);
  bool steepest_first = g1 >= g2;
  float gradient_scaled = 0.25 * max(g1, g2);
  float step_length = horizontal ? push.texel.y : push.texel.x;
  float l_local = steepest_first ? 0.5 * (l1 + l_c) : 0.5 * (l2 + l_c);
  if (steepest_first) step_length = -step_length;

  vec2 current = uv;
  if (horizontal) current.y += step_length * 0.5; else current.x += step_length * 0.5;
  vec2 offset = horizontal ? vec2(push.texel.x, 0.0) : vec2(0.0, push.texel.y);
  vec2 uv1 = current - offset, uv2 = current + offset;
  float end1 = luma(uv1) - l_local, end2 = luma(uv2) - l_local;
  bool reached1 = abs(end1) >= gradient_scaled, reached2 = abs(end2) >= gradient_scaled;
  for (int i = 2; i < SEARCH_STEPS && !(reached1 && reached2); ++i) {
    if (!reached1) { uv1 -= offset * QUALITY[i]; end1 = luma(uv1) - l_local; reached1 = abs(end1) >= gradient_scaled; }
    if (!reached2) { uv2 += offset * QUALITY[i]; end2 = luma(uv2) - l_local; reached2 = abs(end2) >= gradient_scaled; }
  }
  float d1 = horizontal ? uv.x - uv1.x : uv.y - uv1.y;
  float d2 = horizontal ? uv2.x - uv.x : uv2.y - uv.y;
  bool direction1 = d1 < d2;
  float d_final = min(d1, d2);
  float edge_thickness = d1 + d2;
  bool luma_center_smaller = l_c < l_local;
  bool correct_variation = ((direction1 ? end1 : end2) < 0.0) != luma_center_smaller;
  float pixel_offset = correct_variation ? -d_final / edge_thickness + 0.5 : 0.0;

  float l_avg = (1.0 / 12.0) * (2.0 * (l_n + l_s + l_e + l_w) + l_nw + l_ne + l_sw + l_se);
  float sub = saturate(abs(l_avg - l_c) / range);
  sub = smoothstep(0.0, 1.0, sub);
  float sub_offset = sub * sub * push.subpixel;
  pixel_offset = max(pixel_offset, sub_offset);

  vec2 final_uv = uv;
  if (horizontal) final_uv.y += pixel_offset * step_length; else final_uv.x += pixel_offset * step_length;
  out_color = vec4(textureLod(ldr_color, final_uv, 0.0).rgb, l_c);
}
