#version 460
// pbr_forward.vert: the forward+ vertex stage. Instanced transforms from a storage buffer, TAA jitter,
// LOD cross-fade data, and view depth for cluster and cascade selection.
#extension GL_GOOGLE_include_directive : require

#include "common.glsl"
#include "math.glsl"
#include "camera.glsl"

layout(location = 0) in vec3 in_position;
layout(location = 1) in vec3 in_normal;
layout(location = 2) in vec4 in_tangent;
layout(location = 3) in vec2 in_uv0;
layout(location = 4) in vec2 in_uv1;
layout(location = 5) in vec4 in_color;

layout(location = 0) out vec3 out_world_pos;
layout(location = 1) out vec3 out_normal;
layout(location = 2) out vec4 out_tangent;
layout(location = 3) out vec2 out_uv0;
layout(location = 4) out vec2 out_uv1;
layout(location = 5) out vec4 out_color;
layout(location = 6) out float out_view_depth;
layout(location = 7) flat out uint out_material_index;

struct Instance {
  mat4 model;
  mat4 normal_matrix;   // inverse transpose of model, as a mat4 for std430 alignment
  vec4 scale_bias_uv;   // uv transform
  uint material_index;
  uint flags;
  float wind_strength;
  float wind_phase;
};

layout(set = 1, binding = 0, std430) readonly buffer Instances { Instance instances[]; };

layout(push_constant) uniform DrawPush {
  mat4 model;
  uint material_offset;
  uint instance_flags;
  float lod_fade;
  float pad0;
} draw;

#define INSTANCE_FLAG_WIND 1u
#define INSTANCE_FLAG_BILLBOARD 2u
#define INSTANCE_FLAG_FLIP_WINDING 4u

// Simple vegetation wind: sway that grows with height above the pivot.
vec3 apply_wind(vec3 position, Instance inst) {
  if ((inst.flags & INSTANCE_FLAG_WIND) == 0u) return position;
  float height = max(position.y, 0.0);
  float t = camera.time + inst.wind_phase;
  float primary = sin(t * 1.3) * 0.6 + sin(t * 2.7 + position.x) * 0.25;
  float secondary = sin(t * 6.1 + dot(position, vec3(3.1, 1.7, 2.3))) * 0.1;
  float bend = (primary + secondary) * inst.wind_strength * height * height * 0.05;
  return position + vec3(bend, -abs(bend) * 0.2, bend * 0.5);
}

// Billboards face the camera around their Y axis.
mat4 billboard_model(mat4 model) {
  vec3 center = model[3].xyz;
  vec3 to_camera = camera.position.xyz - center;
  to_camera.y = 0.0;
  to_camera = safe_normalize(to_camera);
  vec3 right = normalize(cross(vec3(0.0, 1.0, 0.0), to_camera));
  float sx = length(model[0].xyz), sy = length(model[1].xyz), sz = length(model[2].xyz);
  return mat4(vec4(right * sx, 0.0), vec4(0.0, sy, 0.0, 0.0), vec4(to_camera * sz, 0.0), vec4(center, 1.0));
}

vec4 jittered(vec4 clip) {
  clip.xy += camera.jitter * clip.w;
  return clip;
}

void main() {
  Instance inst = instances[gl_InstanceIndex];
  mat4 model = draw.model * inst.model;
  if ((inst.flags & INSTANCE_FLAG_BILLBOARD) != 0u) model = billboard_model(model);

  vec3 local = apply_wind(in_position, inst);
  vec4 world = model * vec4(local, 1.0);
  mat3 normal_matrix = mat3(draw.model) * mat3(inst.normal_matrix);

  out_world_pos = world.xyz;
  out_normal = normalize(normal_matrix * in_normal);
  float handedness = in_tangent.w;
  if ((inst.flags & INSTANCE_FLAG_FLIP_WINDING) != 0u) handedness = -handedness;
  out_tangent = vec4(normalize(mat3(model) * in_tangent.xyz), handedness);
  out_uv0 = in_uv0 * inst.scale_bias_uv.xy + inst.scale_bias_uv.zw;
  out_uv1 = in_uv1;
  out_color = in_color;
  vec4 view = camera.view * world;
  out_view_depth = -view.z;
  out_material_index = inst.material_index;
  gl_Position = jittered(camera.projection * view);
}
