struct VSOut {
  float4 position : SV_Position;
  float3 color : COLOR0;
};

VSOut vs_main(uint id : SV_VertexID) {
  VSOut o;
  float2 uv = float2((id << 1) & 2, id & 2);
  o.position = float4(uv * 2.0 - 1.0, 0.0, 1.0);
  o.color = float3(uv, 0.5);
  return o;
}
