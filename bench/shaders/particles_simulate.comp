#version 460
// particles_simulate.comp: GPU particle simulation: emission from a dead list, curl-noise turbulence,
// gravity and drag, depth-buffer collisions, lifetime, and compaction of alive particles with atomics
// for indirect drawing.
#extension GL_GOOGLE_include_directive : require

#include "common.glsl"
#include "noise.glsl"
#include "camera.glsl"

layout(local_size_x = 256) in;

struct Particle {
  vec3 position;
  float age;
  vec3 velocity;
  float lifetime;
  vec4 color;
  float size;
  float rotation;
  float angular_velocity;
  uint flags;
};

layout(set = 1, binding = 0, std430) buffer Particles { Particle particles[]; };
layout(set = 1, binding = 1, std430) buffer DeadList { uint dead_count; uint dead_indices[]; };
layout(set = 1, binding = 2, std430) buffer AliveList { uint alive_count; uint alive_indices[]; };
layout(set = 1, binding = 3, std430) buffer DrawArgs { uint vertex_count; uint instance_count; uint first_vertex; uint first_instance; } draw_args;
layout(set = 1, binding = 4) uniform sampler2D scene_depth;
layout(set = 1, binding = 5) uniform sampler2D scene_normals;

layout(set = 1, binding = 6, std140) uniform Emitter {
  vec4 position_radius;      // xyz centre, w radius
  vec4 velocity_spread;      // xyz base velocity, w spread
  vec4 color_start;
  vec4 color_end;
  vec4 gravity_drag;         // xyz gravity, w drag
  vec4 turbulence;           // x: strength, y: scale, z: speed, w: octaves
  float lifetime_min;
  float lifetime_max;
  float size_start;
  float size_end;
  uint emit_count;
  uint max_particles;
  float delta_time;
  float collision_restitution;
} emitter;

#define PARTICLE_ALIVE 1u
#define PARTICLE_COLLIDES 2u

vec3 curl_noise(vec3 p) {
  const float e = 0.1;
  vec3 dx = vec3(e, 0.0, 0.0), dy = vec3(0.0, e, 0.0), dz = vec3(0.0, 0.0, e);
  float n1 = gradient_noise(p + dy), n2 = gradient_noise(p - dy);
  float n3 = gradient_noise(p + dz), n4 = gradient_noise(p - dz);
  float n5 = gradient_noise(p + dx + vec3(31.4)), n6 = gradient_noise(p - dx + vec3(31.4));
  float n7 = gradient_noise(p + dz + vec3(31.4)), n8 = gradient_noise(p - dz + vec3(31.4));
  float n9 = gradient_noise(p + dx + vec3(-17.7)), n10 = gradient_noise(p - dx + vec3(-17.7));
  float n11 = gradient_noise(p + dy + vec3(-17.7)), n12 = gradient_noise(p - dy + vec3(-17.7));
  float x = (n1 - n2) - (n3 - n4);
  float y = (n7 - n8) - (n5 - n6);
  float z = (n9 - n10) - (n11 - n12);
  return vec3(x, y, z) / (2.0 * e);
}

void emit(uint seed) {
  uint slot = atomicAdd(dead_count, uint(-1)) - 1u;
  if (slot >= emitter.max_particles) {
    atomicAdd(dead_count, 1u);
    return;
  }
  uint index = dead_indices[slot];
  vec3 r = hash33(vec3(float(seed), emitter.delta_time * 1000.0, camera.time));
  vec3 dir = normalize(r * 2.0 - 1.0 + vec3(1e-4));
  Particle p;
  p.position = emitter.position_radius.xyz + dir * emitter.position_radius.w * r.x;
  p.velocity = emitter.velocity_spread.xyz + dir * emitter.velocity_spread.w;
  p.age = 0.0;
  p.lifetime = mix(emitter.lifetime_min, emitter.lifetime_max, r.y);
  p.color = emitter.color_start;
  p.size = emitter.size_start;
  p.rotation = r.z * TWO_PI;
  p.angular_velocity = (r.x - 0.5) * 4.0;
  p.flags = PARTICLE_ALIVE | PARTICLE_COLLIDES;
  particles[index] = p;
}

bool collide_with_depth(inout Particle p) {
  vec4 clip = camera.view_projection * vec4(p.position, 1.0);
  if (clip.w <= 0.0) return false;
  vec3 ndc = clip.xyz / clip.w;
  vec2 uv = ndc.xy * 0.5 + 0.5;
  if (any(lessThan(uv, vec2(0.0))) || any(greaterThan(uv, vec2(1.0)))) return false;
  float scene = textureLod(scene_depth, uv, 0.0).r;
  float particle_depth = linearize_depth(ndc.z);
  float surface_depth = linearize_depth(scene);
  if (particle_depth < surface_depth || particle_depth > surface_depth + 0.5) return false;
  vec3 n = normalize(textureLod(scene_normals, uv, 0.0).xyz * 2.0 - 1.0);
  if (dot(p.velocity, n) >= 0.0) return false;
  p.velocity = reflect(p.velocity, n) * emitter.collision_restitution;
  p.position = world_position_from_depth(uv, scene) + n * 0.01;
  return true;
}

void simulate(uint index) {
  Particle p = particles[index];
  if ((p.flags & PARTICLE_ALIVE) == 0u) return;
  float dt = emitter.delta_time;
  p.age += dt;
  if (p.age >= p.lifetime) {
    p.flags &= ~PARTICLE_ALIVE;
    particles[index] = p;
    uint slot = atomicAdd(dead_count, 1u);
    dead_indices[slot] = index;
    return;
  }
  vec3 turbulence = curl_noise(p.position * emitter.turbulence.y + camera.time * emitter.turbulence.z);
  vec3 accel = emitter.gravity_drag.xyz + turbulence * emitter.turbulence.x;
  p.velocity += accel * dt;
  p.velocity *= exp(-emitter.gravity_drag.w * dt);
  p.position += p.velocity * dt;
  if ((p.flags & PARTICLE_COLLIDES) != 0u) collide_with_depth(p);
  float t = p.age / p.lifetime;
  p.color = mix(emitter.color_start, emitter.color_end, smoothstep(0.0, 1.0, t));
  p.color.a *= smoothstep(0.0, 0.1, t) * (1.0 - smoothstep(0.8, 1.0, t));
  p.size = mix(emitter.size_start, emitter.size_end, t);
  p.rotation += p.angular_velocity * dt;
  particles[index] = p;

  uint alive = atomicAdd(alive_count, 1u);
  alive_indices[alive] = index;
  atomicAdd(draw_args.instance_count, 1u);
}

void main() {
  uint id = gl_GlobalInvocationID.x;
  if (id < emitter.emit_count) emit(id);
  memoryBarrierBuffer();
  barrier();
  if (id < emitter.max_particles) simulate(id);
}
