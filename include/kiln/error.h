// kiln/error.h — what kiln throws, and how a failure keeps its context.
//
// A kiln::Error carries the VkResult, the Vulkan call that failed, the debug name of the object
// involved, and a context chain from the outermost task inwards, so that what() reads:
//   "creating image 'gbuffer.albedo': vkCreateImage: VK_ERROR_OUT_OF_DEVICE_MEMORY"
// Creation-time functions throw; hot paths (recording, submitting) do not allocate or throw except
// for device loss, which is reported with the debug labels of the work last submitted (queue.h).
#pragma once

#include <vulkan/vulkan.h>

#include <stdexcept>
#include <string>
#include <string_view>
#include <type_traits>
#include <utility>
#include <vector>

namespace kiln {

class Error : public std::runtime_error {
 public:
  explicit Error(std::string message, VkResult result = VK_SUCCESS, std::string call = {});

  VkResult result() const { return result_; }
  // The Vulkan call that failed ("vkCreateImage"), empty for kiln's own checks.
  const std::string& call() const { return call_; }
  // The innermost message, without context.
  const std::string& message() const { return message_; }
  // Outermost first: {"creating image 'gbuffer.albedo'"}.
  const std::vector<std::string>& context() const { return context_; }
  // The debug name of the object the failure is about, when one was given.
  const std::string& object() const { return object_; }

  // Adds an outer layer of context ("loading scene.glb") and rebuilds what().
  Error& add_context(std::string what);
  Error& set_object(std::string name);

  const char* what() const noexcept override { return full_.c_str(); }

 private:
  void rebuild();

  std::string message_;
  VkResult result_;
  std::string call_;
  std::string object_;
  std::vector<std::string> context_;
  std::string full_;
};

// "VK_ERROR_OUT_OF_DEVICE_MEMORY"
const char* result_name(VkResult result);

// Throws Error("call: RESULT") when result is negative (an error code).
inline void check(VkResult result, const char* call) {
  if (result < 0) [[unlikely]] {
    throw Error(result_name(result), result, call);
  }
}

// Runs f; a kiln::Error escaping it gets `what` added as context. For creation paths:
//   with_context(str("creating image '", name, "'"), [&] { ... });
template <class F>
decltype(auto) with_context(std::string_view what, F&& f) {
  try {
    return std::forward<F>(f)();
  } catch (Error& e) {
    e.add_context(std::string(what));
    throw;
  }
}

// The same for hot paths: `what()` builds the context only when an error escapes.
//   with_context([&] { return str("uploading ", n, " bytes to '", name, "'"); }, [&] { ... });
template <class W, class F>
  requires std::is_invocable_r_v<std::string, W>
decltype(auto) with_context(W&& what, F&& f) {
  try {
    return std::forward<F>(f)();
  } catch (Error& e) {
    e.add_context(what());
    throw;
  }
}

}  // namespace kiln
