// math.glsl: quaternions, frames, encodings.
#ifndef KILN_MATH_GLSL
#define KILN_MATH_GLSL

#include "common.glsl"

vec4 quat_mul(vec4 a, vec4 b) {
  return vec4(a.w * b.xyz + b.w * a.xyz + cross(a.xyz, b.xyz), a.w * b.w - dot(a.xyz, b.xyz));
}

vec4 quat_conjugate(vec4 q) { return vec4(-q.xyz, q.w); }

vec3 quat_rotate(vec4 q, vec3 v) {
  vec3 t = 2.0 * cross(q.xyz, v);
  return v + q.w * t + cross(q.xyz, t);
}

vec4 quat_from_axis_angle(vec3 axis, float angle) {
  float s = sin(angle * 0.5);
  return vec4(axis * s, cos(angle * 0.5));
}

mat3 quat_to_mat3(vec4 q) {
  float x2 = q.x + q.x, y2 = q.y + q.y, z2 = q.z + q.z;
  float xx = q.x * x2, xy = q.x * y2, xz = q.x * z2;
  float yy = q.y * y2, yz = q.y * z2, zz = q.z * z2;
  float wx = q.w * x2, wy = q.w * y2, wz = q.w * z2;
  return mat3(vec3(1.0 - (yy + zz), xy + wz, xz - wy),
              vec3(xy - wz, 1.0 - (xx + zz), yz + wx),
              vec3(xz + wy, yz - wx, 1.0 - (xx + yy)));
}

// Frisvad / Duff et al. orthonormal basis around n.
mat3 basis_from_normal(vec3 n) {
  float s = n.z >= 0.0 ? 1.0 : -1.0;
  float a = -1.0 / (s + n.z);
  float b = n.x * n.y * a;
  vec3 t = vec3(1.0 + s * n.x * n.x * a, s * b, -s * n.x);
  vec3 bt = vec3(b, s + n.y * n.y * a, -n.y);
  return mat3(t, bt, n);
}

vec2 oct_wrap(vec2 v) {
  return (1.0 - abs(v.yx)) * vec2(v.x >= 0.0 ? 1.0 : -1.0, v.y >= 0.0 ? 1.0 : -1.0);
}

vec2 oct_encode(vec3 n) {
  n /= (abs(n.x) + abs(n.y) + abs(n.z));
  vec2 p = n.z >= 0.0 ? n.xy : oct_wrap(n.xy);
  return p * 0.5 + 0.5;
}

vec3 oct_decode(vec2 f) {
  f = f * 2.0 - 1.0;
  vec3 n = vec3(f.x, f.y, 1.0 - abs(f.x) - abs(f.y));
  float t = saturate(-n.z);
  n.xy += vec2(n.x >= 0.0 ? -t : t, n.y >= 0.0 ? -t : t);
  return normalize(n);
}

mat4 translation(vec3 t) {
  mat4 m = mat4(1.0);
  m[3] = vec4(t, 1.0);
  return m;
}

vec3 transform_point(mat4 m, vec3 p) {
  vec4 h = m * vec4(p, 1.0);
  return h.xyz / h.w;
}

vec3 transform_dir(mat4 m, vec3 d) { return mat3(m) * d; }

#endif
