// Made against an installed kiln: a headless context, and the name of the device it chose.
#include <cstdio>
#include <exception>

#include <kiln/context.h>

int main() try {
  kiln::Context ctx;
  std::printf("kiln consumer: device %s\n", ctx.properties().deviceName);
  return 0;
} catch (const std::exception& e) {
  std::fprintf(stderr, "kiln consumer: %s\n", e.what());
  return 1;
}
