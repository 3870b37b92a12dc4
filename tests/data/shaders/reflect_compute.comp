#version 450
// Reflection test: buffers read/written directly and through a helper, images, nested uniform
// block, push constants, spec constants and a fixed workgroup size.
layout(local_size_x = 8, local_size_y = 4, local_size_z = 1) in;

layout(constant_id = 0) const int kIterations = 3;
layout(constant_id = 1) const float kScale = 1.5;
layout(constant_id = 7) const bool kEnabled = true;

struct Light {
  vec3 position;
  float intensity;
  mat3 rotation;
};

layout(set = 0, binding = 0, std140) uniform Params {
  mat4 transform;
  Light lights[2];
  vec4 tint;
  layout(row_major) mat2x3 skew;
  float weights[3];
  uint count;
} params;

layout(set = 0, binding = 1, std430) readonly buffer Input {
  float values[];
} src;

layout(set = 0, binding = 2, std430) buffer Output {
  uint total;
  vec2 pairs[];
} dst;

layout(set = 1, binding = 0, rgba8) uniform writeonly image2D result;
layout(set = 1, binding = 1, r32f) uniform readonly image2DArray history;
layout(set = 1, binding = 3) buffer Unused { uvec4 pad[4]; } unused;

layout(push_constant) uniform Push {
  uint offset;
  float gain;
  ivec2 size;
} pc;

void store_pair(uint i, vec2 v) {
  dst.pairs[i] = v;
}

void main() {
  uint i = gl_GlobalInvocationID.x + pc.offset;
  float v = src.values[i] * params.weights[1] * kScale * pc.gain;
  if (kEnabled) {
    for (int k = 0; k < kIterations; ++k) v += params.lights[k & 1].intensity;
  }
  store_pair(i, vec2(v, params.tint.x));
  vec4 h = imageLoad(history, ivec3(gl_GlobalInvocationID.xy, 0));
  imageStore(result, ivec2(gl_GlobalInvocationID.xy), h * float(params.count));
}
