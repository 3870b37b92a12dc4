vec2 tap_offset(uint i, float radius) {
  float a = float(i) * 2.39996323;
  return vec2(cos(a), sin(a)) * radius * sqrt(float(i) + 0.5);
}
