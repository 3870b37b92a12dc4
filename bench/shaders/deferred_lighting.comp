#version 460
// deferred_lighting.comp: the deferred lighting pass: unpacks the G-buffer, shades with the sun
// (cascaded shadows), clustered point/spot lights and ambient IBL, writes HDR colour.
#extension GL_GOOGLE_include_directive : require

#include "common.glsl"
#include "math.glsl"
#include "brdf.glsl"
#include "lights.glsl"
#include "noise.glsl"
#include "camera.glsl"
#include "shadow.glsl"
#include "packing.glsl"
#include "cluster.glsl"

layout(local_size_x = 8, local_size_y = 8) in;

layout(set = 2, binding = 0) uniform sampler2D gbuffer0;
layout(set = 2, binding = 1) uniform usampler2D gbuffer1;
layout(set = 2, binding = 2) uniform sampler2D gbuffer2;
layout(set = 2, binding = 3) uniform sampler2D gbuffer3;
layout(set = 2, binding = 4) uniform sampler2D depth_texture;
layout(set = 2, binding = 5) uniform sampler2D ssao_texture;
layout(set = 2, binding = 6) uniform samplerCube irradiance_map;
layout(set = 2, binding = 7, rgba16f) uniform writeonly image2D hdr_output;
layout(set = 2, binding = 8, std430) readonly buffer Lights { Light lights[]; };
layout(set = 2, binding = 9, std430) readonly buffer ClusterRanges { ClusterRange cluster_ranges[]; };
layout(set = 2, binding = 10, std430) readonly buffer ClusterLightIndices { uint cluster_light_indices[]; };

layout(push_constant) uniform Push {
  vec4 sun_direction_intensity;
  vec4 sun_color;
  vec4 sky_color;
  uint light_count;
  uint shadows_enabled;
  float ibl_intensity;
  float pad;
} push;

vec3 shade_light(GBufferData g, vec3 f0, vec3 v, vec3 l, vec3 radiance) {
  BrdfInput b;
  b.n = g.normal;
  b.v = v;
  b.l = l;
  b.albedo = g.albedo;
  b.f0 = f0;
  b.roughness = max(g.roughness, 0.045);
  b.metallic = g.metallic;
  vec3 specular;
  return evaluate_brdf(b, specular) * radiance;
}

void main() {
  ivec2 pixel = ivec2(gl_GlobalInvocationID.xy);
  ivec2 size = imageSize(hdr_output);
  if (!in_bounds(pixel, size)) return;
  vec2 uv = (vec2(pixel) + 0.5) / vec2(size);
  float depth = texelFetch(depth_texture, pixel, 0).r;
  if (depth <= 0.0) {
    vec3 world_dir = normalize(world_position_from_depth(uv, 1e-6) - camera.position.xyz);
    imageStore(hdr_output, pixel, vec4(push.sky_color.rgb * (0.6 + 0.4 * world_dir.y), 1.0));
    return;
  }
  GBufferData g = unpack_gbuffer(texelFetch(gbuffer0, pixel, 0), texelFetch(gbuffer1, pixel, 0).xy,
                                 texelFetch(gbuffer2, pixel, 0), texelFetch(gbuffer3, pixel, 0));
  vec3 world_pos = world_position_from_depth(uv, depth);
  vec3 v = view_direction(world_pos);
  vec3 f0 = mix(vec3(0.04), g.albedo, g.metallic);
  float view_depth = linearize_depth(depth);

  vec3 color = vec3(0.0);
  vec3 sun_l = -normalize(push.sun_direction_intensity.xyz);
  float shadow = 1.0;
  if (push.shadows_enabled != 0u) {
    float rotation = interleaved_gradient_noise(vec2(pixel), camera.frame_index) * TWO_PI;
    shadow = cascaded_shadow(world_pos, g.normal, view_depth, rotation, false);
  }
  color += shade_light(g, f0, v, sun_l, push.sun_color.rgb * push.sun_direction_intensity.w * shadow);

  uint cluster = cluster_from_pixel(vec2(pixel), vec2(size), view_depth, camera.near_plane, camera.far_plane);
  ClusterRange range = cluster_ranges[cluster];
  for (uint i = 0u; i < range.count; ++i) {
    Light light = lights[cluster_light_indices[range.offset + i]];
    float attenuation;
    vec3 l = light_vector(light, world_pos, attenuation);
    if (attenuation > 0.0) color += shade_light(g, f0, v, l, light.color * light.intensity * attenuation);
  }

  float ao = min(texture(ssao_texture, uv).r, g.occlusion);
  vec3 irradiance = texture(irradiance_map, g.normal).rgb;
  color += irradiance * g.albedo * (1.0 - g.metallic) * ao * push.ibl_intensity;
  color += g.emissive;
  imageStore(hdr_output, pixel, vec4(color, 1.0));
}
