cbuffer Params : register(b0) {
  float exposure;
};

float4 ps_main(float4 position : SV_Position, float3 color : COLOR0) : SV_Target0 {
  return float4(color * exposure, 1.0);
}
