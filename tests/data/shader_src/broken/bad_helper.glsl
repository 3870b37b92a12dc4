// A helper with a type error on line 4.
float helper() {
  float a = 1.0;
  int b = a + vec2(1.0);
  return a;
}
