#version 450
layout(local_size_x = 64) in;
layout(set = 0, binding = 0) buffer Data { float values[]; };
float unused_helper(float x) { return sin(x) * cos(x) + tan(x); }
void main() {
  float v = values[gl_GlobalInvocationID.x];
  float a = v * 2.0;
  float b = a * 0.5;       // b == v: a copy chain the optimiser folds
  float unused = unused_helper(b) * 3.0;
  if (false) { values[0] = unused; }
  const int n = 4;
  for (int i = 0; i < n; ++i) { b += 0.0; }
  values[gl_GlobalInvocationID.x] = b + 1.0;
}
