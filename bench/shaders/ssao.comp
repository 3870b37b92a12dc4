#version 460
// ssao.comp: screen-space ambient occlusion at half resolution: normal-oriented hemisphere kernel,
// per-pixel rotation from interleaved gradient noise, range check, and a bent normal output.
#extension GL_GOOGLE_include_directive : require

#include "common.glsl"
#include "math.glsl"
#include "noise.glsl"
#include "sampling.glsl"
#include "camera.glsl"

layout(local_size_x = 8, local_size_y = 8) in;

layout(set = 1, binding = 0) uniform sampler2D depth_texture;
layout(set = 1, binding = 1) uniform usampler2D gbuffer_normals;   // octahedral in .x (unorm 16:16)
layout(set = 1, binding = 2, r8) uniform writeonly image2D ao_output;
layout(set = 1, binding = 3, rgba8) uniform writeonly image2D bent_normal_output;

layout(set = 1, binding = 4, std140) uniform SsaoParams {
  vec4 kernel[32];
  float radius;
  float bias;
  float intensity;
  float power;
  uint sample_count;
  uint frame;
  float max_distance;
  float pad;
} params;

vec3 load_view_normal(ivec2 pixel) {
  uint packed = texelFetch(gbuffer_normals, pixel, 0).x;
  vec3 world = oct_decode(unpackUnorm2x16(packed));
  return normalize(mat3(camera.view) * world);
}

vec3 view_position(vec2 uv) {
  float depth = textureLod(depth_texture, uv, 0.0).r;
  return view_position_from_depth(uv, depth);
}

void main() {
  ivec2 pixel = ivec2(gl_GlobalInvocationID.xy);
  ivec2 size = imageSize(ao_output);
  if (!in_bounds(pixel, size)) return;
  vec2 uv = (vec2(pixel) + 0.5) / vec2(size);
  ivec2 full_pixel = pixel * 2;

  float depth = textureLod(depth_texture, uv, 0.0).r;
  if (depth <= 0.0) {
    imageStore(ao_output, pixel, vec4(1.0));
    imageStore(bent_normal_output, pixel, vec4(0.5, 0.5, 1.0, 1.0));
    return;
  }
  vec3 p = view_position_from_depth(uv, depth);
  if (-p.z > params.max_distance) {
    imageStore(ao_output, pixel, vec4(1.0));
    return;
  }
  vec3 n = load_view_normal(full_pixel);

  float angle = interleaved_gradient_noise(vec2(pixel), params.frame) * TWO_PI;
  vec3 random_vec = vec3(cos(angle), sin(angle), 0.0);
  vec3 t = normalize(random_vec - n * dot(random_vec, n));
  vec3 b = cross(n, t);
  mat3 tbn = mat3(t, b, n);

  float occlusion = 0.0;
  vec3 bent = vec3(0.0);
  uint count = min(params.sample_count, 32u);
  for (uint i = 0u; i < count; ++i) {
    vec3 sample_dir = tbn * params.kernel[i].xyz;
    vec3 s = p + sample_dir * params.radius;
    vec4 offset = camera.projection * vec4(s, 1.0);
    vec2 suv = offset.xy / offset.w * 0.5 + 0.5;
    if (any(lessThan(suv, vec2(0.0))) || any(greaterThan(suv, vec2(1.0)))) continue;
    float scene_z = view_position(suv).z;
    float range_check = smoothstep(0.0, 1.0, params.radius / max(abs(p.z - scene_z), 1e-4));
    float occluded = (scene_z >= s.z + params.bias ? 1.0 : 0.0) * range_check;
    occlusion += occluded;
    bent += sample_dir * (1.0 - occluded);
  }
  float ao = 1.0 - occlusion / float(max(count, 1u)) * params.intensity;
  ao = pow(saturate(ao), params.power);
  vec3 bent_view = safe_normalize(bent + n * 0.1);
  vec3 bent_world = mat3(camera.inv_view) * bent_view;
  imageStore(ao_output, pixel, vec4(ao));
  imageStore(bent_normal_output, pixel, vec4(bent_world * 0.5 + 0.5, 1.0));
}
