// Found through an include directory (tests pass cache_src/inc).
float hash11(float p) { return fract(sin(p * 127.1) * 43758.5453); }
