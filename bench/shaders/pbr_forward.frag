#version 460
// pbr_forward.frag: the forward+ opaque pass. Clustered lights, cascaded shadows (PCF/PCSS), image based
// lighting, clear coat, height fog and debug views. The largest shader of the corpus (10 includes).
#extension GL_GOOGLE_include_directive : require
#extension GL_EXT_nonuniform_qualifier : require

#include "common.glsl"
#include "math.glsl"
#include "brdf.glsl"
#include "lights.glsl"
#include "noise.glsl"
#include "color.glsl"
#include "camera.glsl"
#include "shadow.glsl"
#include "material.glsl"
#include "cluster.glsl"

layout(location = 0) in vec3 in_world_pos;
layout(location = 1) in vec3 in_normal;
layout(location = 2) in vec4 in_tangent;
layout(location = 3) in vec2 in_uv0;
layout(location = 4) in vec2 in_uv1;
layout(location = 5) in vec4 in_color;
layout(location = 6) in float in_view_depth;
layout(location = 7) flat in uint in_material_index;

layout(location = 0) out vec4 out_color;
layout(location = 1) out vec2 out_velocity;

layout(set = 2, binding = 0, std430) readonly buffer Materials { Material materials[]; };
layout(set = 2, binding = 1, std430) readonly buffer Lights { Light lights[]; };
layout(set = 2, binding = 2, std430) readonly buffer ClusterRanges { ClusterRange cluster_ranges[]; };
layout(set = 2, binding = 3, std430) readonly buffer ClusterLightIndices { uint cluster_light_indices[]; };
layout(set = 2, binding = 4) uniform samplerCube irradiance_map;
layout(set = 2, binding = 5) uniform samplerCube prefiltered_map;
layout(set = 2, binding = 6) uniform sampler2D brdf_lut;
layout(set = 2, binding = 7) uniform sampler2D ssao_texture;
layout(set = 3, binding = 0) uniform sampler2D textures[];

layout(set = 2, binding = 8, std140) uniform FrameParams {
  DirectionalLight sun;
  vec4 fog_color_density;     // rgb colour, a density
  vec4 fog_height_falloff;    // x: base height, y: falloff, z: max opacity, w: start distance
  vec4 ambient_color;
  float ibl_intensity;
  float prefiltered_mip_count;
  float exposure;
  uint debug_view;
  uint light_count;
  uint shadow_flags;          // bit 0: enabled, bit 1: soft (PCSS)
  uint tonemap_operator;
  float emissive_scale;
} frame;

layout(push_constant) uniform DrawPush {
  mat4 model;
  uint material_offset;
  uint instance_flags;
  float lod_fade;
  float pad0;
} draw;

#define DEBUG_NONE 0u
#define DEBUG_ALBEDO 1u
#define DEBUG_NORMAL 2u
#define DEBUG_ROUGHNESS 3u
#define DEBUG_METALLIC 4u
#define DEBUG_AO 5u
#define DEBUG_SHADOW 6u
#define DEBUG_CLUSTER_LIGHTS 7u
#define DEBUG_CASCADE 8u
#define DEBUG_SPECULAR_ONLY 9u
#define DEBUG_DIFFUSE_ONLY 10u

#define INVALID_TEXTURE 0xFFFFFFFFu

vec4 sample_texture(uint index, vec2 uv) {
  if (index == INVALID_TEXTURE) return vec4(1.0);
  return texture(textures[nonuniformEXT(index)], uv);
}

vec4 sample_texture_grad(uint index, vec2 uv, vec2 dx, vec2 dy) {
  if (index == INVALID_TEXTURE) return vec4(1.0);
  return textureGrad(textures[nonuniformEXT(index)], uv, dx, dy);
}

// LOD cross-fade: dither pixels away as the object fades out.
void apply_lod_fade() {
  if (draw.lod_fade >= 1.0) return;
  float noise = interleaved_gradient_noise(gl_FragCoord.xy);
  if (noise > draw.lod_fade) discard;
}

SurfaceSample sample_surface(Material m) {
  SurfaceSample s;
  vec2 dx = dFdx(in_uv0), dy = dFdy(in_uv0);
  vec4 base = m.base_color_factor * in_color * sample_texture_grad(m.base_color_texture, in_uv0, dx, dy);
  s.albedo = base.rgb;
  s.alpha = base.a;

  vec3 geometric_normal = normalize(in_normal);
  if ((m.flags & MATERIAL_FLAG_DOUBLE_SIDED) != 0u && !gl_FrontFacing) geometric_normal = -geometric_normal;
  if (m.normal_texture != INVALID_TEXTURE) {
    vec3 tn = decode_normal_rg(sample_texture_grad(m.normal_texture, in_uv0, dx, dy).rg);
    s.normal = perturb_normal(geometric_normal, in_tangent, tn, m.normal_scale);
  } else {
    s.normal = geometric_normal;
  }

  vec4 mr = sample_texture_grad(m.metallic_roughness_texture, in_uv0, dx, dy);
  s.roughness = clamp(m.roughness_factor * mr.g, 0.045, 1.0);
  s.metallic = saturate(m.metallic_factor * mr.b);
  s.roughness = specular_aa_roughness(s.normal, s.roughness);

  float ao = sample_texture(m.occlusion_texture, in_uv1).r;
  s.occlusion = mix(1.0, ao, m.occlusion_strength);
  s.emissive = m.emissive_factor * srgb_to_linear(sample_texture(m.emissive_texture, in_uv0).rgb);
  s.clearcoat = (m.flags & MATERIAL_FLAG_CLEARCOAT) != 0u ? m.clearcoat : 0.0;
  s.clearcoat_roughness = clamp(m.clearcoat_roughness, 0.045, 1.0);
  return s;
}

struct LightingResult {
  vec3 diffuse;
  vec3 specular;
};

// One analytic light: base layer BRDF plus the clear-coat lobe attenuating it.
void accumulate_light(inout LightingResult result, SurfaceSample s, vec3 f0, vec3 v, vec3 l, vec3 radiance,
                      float source_radius, float dist) {
  vec3 n = s.normal;
  float n_dot_l = saturate(dot(n, l));
  if (n_dot_l <= 0.0) return;
  vec3 h = normalize(v + l);
  float n_dot_v = max(dot(n, v), 1e-4);
  float n_dot_h = saturate(dot(n, h));
  float l_dot_h = saturate(dot(l, h));

  float roughness = s.roughness;
  float normalization = source_radius > 0.0 ? sphere_light_normalization(roughness, source_radius, dist) : 1.0;
  float d = d_ggx(n_dot_h, roughness) * normalization;
  float vis = v_smith_ggx_correlated(n_dot_v, n_dot_l, roughness);
  vec3 f = f_schlick(f0, l_dot_h);
  vec3 specular = d * vis * f;
  vec3 diffuse = (1.0 - s.metallic) * s.albedo * fd_burley(n_dot_v, n_dot_l, l_dot_h, roughness);
  diffuse *= vec3(1.0) - f;

  if (s.clearcoat > 0.0) {
    float dc = d_ggx(n_dot_h, s.clearcoat_roughness);
    float vc = 0.25 / max(l_dot_h * l_dot_h, 1e-4);
    float fc = f_schlick(vec3(0.04), l_dot_h).x * s.clearcoat;
    float coat = dc * vc * fc;
    float base_attenuation = 1.0 - fc;
    diffuse *= base_attenuation;
    specular = specular * base_attenuation + vec3(coat);
  }

  result.diffuse += diffuse * radiance * n_dot_l;
  result.specular += specular * radiance * n_dot_l;
}

float sun_shadow(SurfaceSample s) {
  if ((frame.shadow_flags & 1u) == 0u) return 1.0;
  float rotation = interleaved_gradient_noise(gl_FragCoord.xy, camera.frame_index) * TWO_PI;
  bool soft = (frame.shadow_flags & 2u) != 0u;
  return cascaded_shadow(in_world_pos, s.normal, in_view_depth, rotation, soft);
}

void accumulate_sun(inout LightingResult result, SurfaceSample s, vec3 f0, vec3 v, float shadow) {
  vec3 l = -normalize(frame.sun.direction);
  // Treat the sun as a disk: bend the light vector towards the reflection ray inside its angular radius.
  vec3 r = reflect(-v, s.normal);
  float d = sin(frame.sun.angular_radius);
  float r_ = cos(frame.sun.angular_radius);
  float d_dot_r = dot(l, r);
  vec3 s_ = r - d_dot_r * l;
  vec3 l_spec = d_dot_r < r_ ? normalize(r_ * l + normalize(s_) * d) : r;
  vec3 radiance = frame.sun.color * frame.sun.intensity * shadow;
  LightingResult sun_result = LightingResult(vec3(0.0), vec3(0.0));
  accumulate_light(sun_result, s, f0, v, l, radiance, 0.0, 1.0);
  result.diffuse += sun_result.diffuse;
  LightingResult spec_result = LightingResult(vec3(0.0), vec3(0.0));
  accumulate_light(spec_result, s, f0, v, normalize(mix(l, l_spec, 0.5)), radiance, 0.0, 1.0);
  result.specular += spec_result.specular;
}

uint accumulate_cluster_lights(inout LightingResult result, SurfaceSample s, vec3 f0, vec3 v) {
  uint cluster = cluster_from_pixel(gl_FragCoord.xy, camera.viewport_size, in_view_depth, camera.near_plane,
                                    camera.far_plane);
  ClusterRange range = cluster_ranges[cluster];
  uint count = min(range.count, uint(MAX_LIGHTS_PER_CLUSTER));
  for (uint i = 0u; i < count; ++i) {
    uint light_index = cluster_light_indices[range.offset + i];
    if (light_index >= frame.light_count) continue;
    Light light = lights[light_index];
    float attenuation;
    vec3 l = light_vector(light, in_world_pos, attenuation);
    if (attenuation <= 0.0) continue;
    float dist = length(light.position - in_world_pos);
    if (light.type == LIGHT_AREA_SPHERE) {
      vec3 r = reflect(-v, s.normal);
      vec3 closest = sphere_light_closest_point(light.position - in_world_pos, r, light.source_radius);
      l = normalize(closest);
    }
    vec3 radiance = light.color * light.intensity * attenuation;
    accumulate_light(result, s, f0, v, l, radiance, light.source_radius, dist);
  }
  return count;
}

vec3 image_based_lighting(SurfaceSample s, vec3 f0, vec3 v, float ambient_occlusion, out vec3 specular_out) {
  vec3 n = s.normal;
  float n_dot_v = max(dot(n, v), 1e-4);
  vec3 r = reflect(-v, n);
  // Dominant direction for rough surfaces (Lagarde).
  float a = s.roughness * s.roughness;
  r = normalize(mix(n, r, (1.0 - a) * (sqrt(1.0 - a) + a)));

  vec3 irradiance = texture(irradiance_map, n).rgb;
  float lod = s.roughness * (frame.prefiltered_mip_count - 1.0);
  vec3 prefiltered = textureLod(prefiltered_map, r, lod).rgb;
  vec2 env = texture(brdf_lut, vec2(n_dot_v, s.roughness)).rg;

  vec3 f = f_schlick_roughness(f0, n_dot_v, s.roughness);
  vec3 specular = prefiltered * (f0 * env.x + env.y);
  // Multiple scattering compensation (Fdez-Agüera 2019).
  float ess = env.x + env.y;
  vec3 fss_ess = f * env.x + env.y;
  float ems = 1.0 - ess;
  vec3 f_avg = f0 + (1.0 - f0) / 21.0;
  vec3 fms_ems = ems * fss_ess * f_avg / (1.0 - f_avg * ems);
  vec3 kd = s.albedo * (1.0 - s.metallic) * (1.0 - fss_ess - fms_ems);
  vec3 diffuse = (fms_ems + kd) * irradiance;

  // Specular occlusion from ambient occlusion (Lagarde).
  float spec_occlusion = saturate(pow(n_dot_v + ambient_occlusion, exp2(-16.0 * a - 1.0)) - 1.0 + ambient_occlusion);
  specular_out = specular * spec_occlusion * frame.ibl_intensity;

  if (s.clearcoat > 0.0) {
    vec3 coat_prefiltered = textureLod(prefiltered_map, reflect(-v, n), s.clearcoat_roughness *
                                       (frame.prefiltered_mip_count - 1.0)).rgb;
    float fc = f_schlick(vec3(0.04), n_dot_v).x * s.clearcoat;
    diffuse *= 1.0 - fc;
    specular_out = specular_out * (1.0 - fc) + coat_prefiltered * fc * frame.ibl_intensity;
  }
  return diffuse * ambient_occlusion * frame.ibl_intensity;
}

vec3 apply_height_fog(vec3 color, vec3 world_pos) {
  vec3 camera_pos = camera.position.xyz;
  vec3 ray = world_pos - camera_pos;
  float dist = length(ray);
  float start = frame.fog_height_falloff.w;
  if (dist <= start) return color;
  float density = frame.fog_color_density.a;
  float falloff = max(frame.fog_height_falloff.y, 1e-4);
  float height = camera_pos.y - frame.fog_height_falloff.x;
  float ray_y = ray.y / dist;
  float fog_integral = density * exp(-falloff * height);
  if (abs(ray_y) > 1e-4) {
    float t = falloff * ray_y * (dist - start);
    fog_integral *= (1.0 - exp(-t)) / t;
  }
  float fog = 1.0 - exp(-fog_integral * (dist - start));
  fog = min(fog, frame.fog_height_falloff.z);
  vec3 sun_dir = -normalize(frame.sun.direction);
  float inscatter = pow(saturate(dot(ray / dist, sun_dir)), 8.0);
  vec3 fog_color = mix(frame.fog_color_density.rgb, frame.sun.color * frame.sun.intensity * 0.1, inscatter);
  return mix(color, fog_color, fog);
}

vec3 heatmap(float t) {
  t = saturate(t);
  vec3 c = vec3(smoothstep(0.5, 0.8, t), smoothstep(0.0, 0.5, t) - smoothstep(0.8, 1.0, t),
                1.0 - smoothstep(0.2, 0.5, t));
  return c;
}

vec3 cascade_color(int cascade) {
  const vec3 colors[4] = vec3[](vec3(1.0, 0.3, 0.3), vec3(0.3, 1.0, 0.3), vec3(0.3, 0.3, 1.0), vec3(1.0, 1.0, 0.3));
  return colors[cascade & 3];
}

vec2 compute_velocity() {
  vec4 current = camera.view_projection * vec4(in_world_pos, 1.0);
  vec4 previous = camera.prev_view_projection * vec4(in_world_pos, 1.0);
  vec2 a = current.xy / current.w - camera.jitter;
  vec2 b = previous.xy / previous.w - camera.prev_jitter;
  return (a - b) * 0.5;
}

void main() {
  apply_lod_fade();
  Material material = materials[draw.material_offset + in_material_index];
  SurfaceSample s = sample_surface(material);
  if ((material.flags & MATERIAL_FLAG_ALPHA_TEST) != 0u && s.alpha < material.alpha_cutoff) discard;

  vec3 v = view_direction(in_world_pos);
  vec3 f0 = f0_from_material(s.albedo, s.metallic, 1.5);
  vec2 screen_uv = gl_FragCoord.xy * camera.inv_viewport_size;
  float ssao = texture(ssao_texture, screen_uv).r;
  float ambient_occlusion = min(ssao, s.occlusion);

  LightingResult lighting = LightingResult(vec3(0.0), vec3(0.0));
  float shadow = 1.0;
  vec3 emissive = s.emissive * frame.emissive_scale;
  uint cluster_light_count = 0u;

  if ((material.flags & MATERIAL_FLAG_UNLIT) != 0u) {
    lighting.diffuse = s.albedo;
  } else {
    shadow = sun_shadow(s);
    accumulate_sun(lighting, s, f0, v, shadow);
    cluster_light_count = accumulate_cluster_lights(lighting, s, f0, v);
    vec3 ibl_specular;
    vec3 ibl_diffuse = image_based_lighting(s, f0, v, ambient_occlusion, ibl_specular);
    lighting.diffuse += ibl_diffuse + frame.ambient_color.rgb * s.albedo * ambient_occlusion;
    lighting.specular += ibl_specular;
  }

  vec3 color = lighting.diffuse + lighting.specular + emissive;
  color = apply_height_fog(color, in_world_pos);

  switch (frame.debug_view) {
    case DEBUG_ALBEDO: color = s.albedo; break;
    case DEBUG_NORMAL: color = s.normal * 0.5 + 0.5; break;
    case DEBUG_ROUGHNESS: color = vec3(s.roughness); break;
    case DEBUG_METALLIC: color = vec3(s.metallic); break;
    case DEBUG_AO: color = vec3(ambient_occlusion); break;
    case DEBUG_SHADOW: color = vec3(shadow); break;
    case DEBUG_CLUSTER_LIGHTS: color = heatmap(float(cluster_light_count) / 32.0); break;
    case DEBUG_CASCADE: color = cascade_color(select_cascade(in_view_depth)) * shadow; break;
    case DEBUG_SPECULAR_ONLY: color = lighting.specular; break;
    case DEBUG_DIFFUSE_ONLY: color = lighting.diffuse; break;
    default: break;
  }

  out_color = vec4(color * frame.exposure, s.alpha);
  out_velocity = compute_velocity();
}
