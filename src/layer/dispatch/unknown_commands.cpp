#include "dispatch/unknown_commands.h"

#include <cstring>
#include <mutex>
#include <string>

#include "state.h"

namespace {
constexpr int kSlots = 64;
std::string g_names[kSlots];
int g_used = 0;
std::mutex g_mutex;
}  // namespace

// Read by the trampolines (assembly below): the next layer's function of each slot.
extern "C" {
__attribute__((visibility("hidden"))) void* kiln_unknown_cmd_next[kSlots];
__attribute__((visibility("hidden"))) void kiln_unknown_cmd_mark(VkCommandBuffer cb, int slot) {
  if (kiln::layer::CommandBuffer* s = kiln::layer::command_buffer(cb))
    s->fail(g_names[slot] + " is not recorded by the layer");
}
}

#if defined(__x86_64__) && defined(__ELF__)
// Each trampoline: save the six integer and eight vector argument registers (the stack stays 16-byte
// aligned for the call), mark, restore, jump to the next function (stack arguments stay in place).
#define KILN_TRAMP(n)                                          \
  ".globl kiln_unknown_cmd_" #n "\n"                           \
  ".hidden kiln_unknown_cmd_" #n "\n"                          \
  ".type kiln_unknown_cmd_" #n ", @function\n"                 \
  "kiln_unknown_cmd_" #n ":\n"                                 \
  "  push %rdi\n  push %rsi\n  push %rdx\n  push %rcx\n"       \
  "  push %r8\n  push %r9\n  push %rax\n"                      \
  "  sub $128, %rsp\n"                                         \
  "  movdqu %xmm0, 0(%rsp)\n  movdqu %xmm1, 16(%rsp)\n"        \
  "  movdqu %xmm2, 32(%rsp)\n  movdqu %xmm3, 48(%rsp)\n"       \
  "  movdqu %xmm4, 64(%rsp)\n  movdqu %xmm5, 80(%rsp)\n"       \
  "  movdqu %xmm6, 96(%rsp)\n  movdqu %xmm7, 112(%rsp)\n"      \
  "  mov $" #n ", %esi\n"                                      \
  "  call kiln_unknown_cmd_mark\n"                             \
  "  movdqu 0(%rsp), %xmm0\n  movdqu 16(%rsp), %xmm1\n"        \
  "  movdqu 32(%rsp), %xmm2\n  movdqu 48(%rsp), %xmm3\n"       \
  "  movdqu 64(%rsp), %xmm4\n  movdqu 80(%rsp), %xmm5\n"       \
  "  movdqu 96(%rsp), %xmm6\n  movdqu 112(%rsp), %xmm7\n"      \
  "  add $128, %rsp\n"                                         \
  "  pop %rax\n  pop %r9\n  pop %r8\n  pop %rcx\n"             \
  "  pop %rdx\n  pop %rsi\n  pop %rdi\n"                       \
  "  jmp *(kiln_unknown_cmd_next + 8 * " #n ")(%rip)\n"       \
  ".size kiln_unknown_cmd_" #n ", .-kiln_unknown_cmd_" #n "\n"
#define KILN_TRAMP8(a) KILN_TRAMP(a##0) KILN_TRAMP(a##1) KILN_TRAMP(a##2) KILN_TRAMP(a##3) \
  KILN_TRAMP(a##4) KILN_TRAMP(a##5) KILN_TRAMP(a##6) KILN_TRAMP(a##7)
asm(".text\n" KILN_TRAMP8(0) KILN_TRAMP8(1) KILN_TRAMP8(2) KILN_TRAMP8(3) KILN_TRAMP8(4) KILN_TRAMP8(5)
        KILN_TRAMP8(6) KILN_TRAMP8(7));

#define KILN_DECL(n) extern "C" void kiln_unknown_cmd_##n();
#define KILN_DECL8(a) KILN_DECL(a##0) KILN_DECL(a##1) KILN_DECL(a##2) KILN_DECL(a##3) KILN_DECL(a##4) \
  KILN_DECL(a##5) KILN_DECL(a##6) KILN_DECL(a##7)
KILN_DECL8(0) KILN_DECL8(1) KILN_DECL8(2) KILN_DECL8(3) KILN_DECL8(4) KILN_DECL8(5) KILN_DECL8(6) KILN_DECL8(7)
#define KILN_ADDR(n) &kiln_unknown_cmd_##n,
#define KILN_ADDR8(a) KILN_ADDR(a##0) KILN_ADDR(a##1) KILN_ADDR(a##2) KILN_ADDR(a##3) KILN_ADDR(a##4) \
  KILN_ADDR(a##5) KILN_ADDR(a##6) KILN_ADDR(a##7)
static void (*const g_trampolines[kSlots])() = {KILN_ADDR8(0) KILN_ADDR8(1) KILN_ADDR8(2) KILN_ADDR8(3)
                                                    KILN_ADDR8(4) KILN_ADDR8(5) KILN_ADDR8(6) KILN_ADDR8(7)};
#endif

namespace kiln::layer {

PFN_vkVoidFunction unknown_command_trampoline(const char* name, PFN_vkVoidFunction next) {
#if defined(__x86_64__) && defined(__ELF__)
  std::lock_guard lock(g_mutex);
  for (int i = 0; i < g_used; ++i)
    if (kiln_unknown_cmd_next[i] == reinterpret_cast<void*>(next) && g_names[i] == name)
      return reinterpret_cast<PFN_vkVoidFunction>(g_trampolines[i]);
  if (g_used == kSlots) return nullptr;
  int i = g_used++;
  g_names[i] = name;
  kiln_unknown_cmd_next[i] = reinterpret_cast<void*>(next);
  return reinterpret_cast<PFN_vkVoidFunction>(g_trampolines[i]);
#else
  (void)name;
  (void)next;
  return nullptr;
#endif
}

}  // namespace kiln::layer
