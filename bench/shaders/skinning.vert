#version 460
// skinning.vert: linear blend and dual quaternion skinning with up to 8 influences, morph targets, and
// previous-frame positions for motion vectors.
#extension GL_GOOGLE_include_directive : require

#include "common.glsl"
#include "math.glsl"
#include "camera.glsl"

layout(location = 0) in vec3 in_position;
layout(location = 1) in vec3 in_normal;
layout(location = 2) in vec4 in_tangent;
layout(location = 3) in vec2 in_uv;
layout(location = 4) in uvec4 in_joints0;
layout(location = 5) in vec4 in_weights0;
layout(location = 6) in uvec4 in_joints1;
layout(location = 7) in vec4 in_weights1;

layout(location = 0) out vec3 out_world_pos;
layout(location = 1) out vec3 out_normal;
layout(location = 2) out vec4 out_tangent;
layout(location = 3) out vec2 out_uv;
layout(location = 4) out vec4 out_clip_current;
layout(location = 5) out vec4 out_clip_previous;

struct DualQuat {
  vec4 real;
  vec4 dual;
};

layout(set = 1, binding = 0, std430) readonly buffer JointMatrices { mat4 joint_matrices[]; };
layout(set = 1, binding = 1, std430) readonly buffer PrevJointMatrices { mat4 prev_joint_matrices[]; };
layout(set = 1, binding = 2, std430) readonly buffer JointDualQuats { DualQuat joint_dual_quats[]; };
layout(set = 1, binding = 3, std430) readonly buffer MorphDeltas { vec4 morph_deltas[]; };  // pos.xyz, normal packed in w
layout(set = 1, binding = 4, std430) readonly buffer MorphWeights { float morph_weights[]; };

layout(push_constant) uniform SkinPush {
  mat4 model;
  mat4 prev_model;
  uint joint_offset;
  uint morph_target_count;
  uint vertex_count;
  uint use_dual_quaternions;
} push;

const uint MAX_MORPH_TARGETS = 8u;

vec3 unpack_normal_delta(float packed) {
  uint bits = floatBitsToUint(packed);
  vec3 n = vec3(float(bits & 1023u), float((bits >> 10u) & 1023u), float((bits >> 20u) & 1023u));
  return n / 511.5 - 1.0;
}

void apply_morphs(inout vec3 position, inout vec3 normal) {
  uint count = min(push.morph_target_count, MAX_MORPH_TARGETS);
  for (uint t = 0u; t < count; ++t) {
    float w = morph_weights[t];
    if (w == 0.0) continue;
    vec4 delta = morph_deltas[t * push.vertex_count + uint(gl_VertexIndex)];
    position += delta.xyz * w;
    normal += unpack_normal_delta(delta.w) * w;
  }
  normal = safe_normalize(normal);
}

mat4 blend_matrices(bool previous) {
  mat4 skin = mat4(0.0);
  for (int i = 0; i < 4; ++i) {
    uint j0 = push.joint_offset + in_joints0[i];
    uint j1 = push.joint_offset + in_joints1[i];
    skin += in_weights0[i] * (previous ? prev_joint_matrices[j0] : joint_matrices[j0]);
    skin += in_weights1[i] * (previous ? prev_joint_matrices[j1] : joint_matrices[j1]);
  }
  return skin;
}

// Kavan et al. 2007: blend dual quaternions, keeping every quaternion in the first one's hemisphere.
DualQuat blend_dual_quats() {
  DualQuat first = joint_dual_quats[push.joint_offset + in_joints0.x];
  DualQuat sum = DualQuat(vec4(0.0), vec4(0.0));
  for (int i = 0; i < 8; ++i) {
    uint joint = i < 4 ? in_joints0[i] : in_joints1[i - 4];
    float w = i < 4 ? in_weights0[i] : in_weights1[i - 4];
    DualQuat dq = joint_dual_quats[push.joint_offset + joint];
    if (dot(dq.real, first.real) < 0.0) w = -w;
    sum.real += dq.real * w;
    sum.dual += dq.dual * w;
  }
  float len = length(sum.real);
  sum.real /= len;
  sum.dual /= len;
  return sum;
}

vec3 dq_transform_point(DualQuat dq, vec3 p) {
  vec3 rotated = quat_rotate(dq.real, p);
  vec3 translation = 2.0 * (dq.real.w * dq.dual.xyz - dq.dual.w * dq.real.xyz + cross(dq.real.xyz, dq.dual.xyz));
  return rotated + translation;
}

void main() {
  vec3 position = in_position;
  vec3 normal = in_normal;
  apply_morphs(position, normal);

  vec3 skinned_pos, skinned_normal, skinned_tangent, prev_pos;
  if (push.use_dual_quaternions != 0u) {
    DualQuat dq = blend_dual_quats();
    skinned_pos = dq_transform_point(dq, position);
    skinned_normal = quat_rotate(dq.real, normal);
    skinned_tangent = quat_rotate(dq.real, in_tangent.xyz);
    prev_pos = (blend_matrices(true) * vec4(position, 1.0)).xyz;
  } else {
    mat4 skin = blend_matrices(false);
    skinned_pos = (skin * vec4(position, 1.0)).xyz;
    skinned_normal = mat3(skin) * normal;
    skinned_tangent = mat3(skin) * in_tangent.xyz;
    prev_pos = (blend_matrices(true) * vec4(position, 1.0)).xyz;
  }

  vec4 world = push.model * vec4(skinned_pos, 1.0);
  vec4 prev_world = push.prev_model * vec4(prev_pos, 1.0);
  out_world_pos = world.xyz;
  out_normal = normalize(mat3(push.model) * skinned_normal);
  out_tangent = vec4(normalize(mat3(push.model) * skinned_tangent), in_tangent.w);
  out_uv = in_uv;
  out_clip_current = camera.view_projection * world;
  out_clip_previous = camera.prev_view_projection * prev_world;
  gl_Position = out_clip_current + vec4(camera.jitter * out_clip_current.w, 0.0, 0.0);
}
