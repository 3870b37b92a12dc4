// A 1D box blur: HLSL compute with a structured buffer pair.
#include "hlsl_common.hlsli"
StructuredBuffer<float> input : register(t0);
RWStructuredBuffer<float> output : register(u1);

[numthreads(64, 1, 1)]
void main(uint3 id : SV_DispatchThreadID) {
  float sum = 0.0;
  for (int i = -RADIUS; i <= RADIUS; ++i) sum += input[max(int(id.x) + i, 0)];
  output[id.x] = sum / float(2 * RADIUS + 1);
}
