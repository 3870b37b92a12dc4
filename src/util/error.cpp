#include "kiln/error.h"

namespace kiln {

Error::Error(std::string message, VkResult result, std::string call)
    : std::runtime_error(message), message_(std::move(message)), result_(result), call_(std::move(call)) {
  rebuild();
}

Error& Error::add_context(std::string what) {
  context_.insert(context_.begin(), std::move(what));
  rebuild();
  return *this;
}

Error& Error::set_object(std::string name) {
  object_ = std::move(name);
  return *this;
}

void Error::rebuild() {
  full_.clear();
  for (const std::string& c : context_) {
    full_ += c;
    full_ += ": ";
  }
  if (!call_.empty()) {
    full_ += call_;
    full_ += ": ";
  }
  full_ += message_;
}

const char* result_name(VkResult result) {
  switch (result) {
#define KILN_RESULT(name) \
  case name: return #name;
    KILN_RESULT(VK_SUCCESS)
    KILN_RESULT(VK_NOT_READY)
    KILN_RESULT(VK_TIMEOUT)
    KILN_RESULT(VK_EVENT_SET)
    KILN_RESULT(VK_EVENT_RESET)
    KILN_RESULT(VK_INCOMPLETE)
    KILN_RESULT(VK_ERROR_OUT_OF_HOST_MEMORY)
    KILN_RESULT(VK_ERROR_OUT_OF_DEVICE_MEMORY)
    KILN_RESULT(VK_ERROR_INITIALIZATION_FAILED)
    KILN_RESULT(VK_ERROR_DEVICE_LOST)
    KILN_RESULT(VK_ERROR_MEMORY_MAP_FAILED)
    KILN_RESULT(VK_ERROR_LAYER_NOT_PRESENT)
    KILN_RESULT(VK_ERROR_EXTENSION_NOT_PRESENT)
    KILN_RESULT(VK_ERROR_FEATURE_NOT_PRESENT)
    KILN_RESULT(VK_ERROR_INCOMPATIBLE_DRIVER)
    KILN_RESULT(VK_ERROR_TOO_MANY_OBJECTS)
    KILN_RESULT(VK_ERROR_FORMAT_NOT_SUPPORTED)
    KILN_RESULT(VK_ERROR_FRAGMENTED_POOL)
    KILN_RESULT(VK_ERROR_UNKNOWN)
    KILN_RESULT(VK_ERROR_OUT_OF_POOL_MEMORY)
    KILN_RESULT(VK_ERROR_INVALID_EXTERNAL_HANDLE)
    KILN_RESULT(VK_ERROR_FRAGMENTATION)
    KILN_RESULT(VK_ERROR_INVALID_OPAQUE_CAPTURE_ADDRESS)
    KILN_RESULT(VK_PIPELINE_COMPILE_REQUIRED)
    KILN_RESULT(VK_ERROR_SURFACE_LOST_KHR)
    KILN_RESULT(VK_ERROR_NATIVE_WINDOW_IN_USE_KHR)
    KILN_RESULT(VK_SUBOPTIMAL_KHR)
    KILN_RESULT(VK_ERROR_OUT_OF_DATE_KHR)
    KILN_RESULT(VK_ERROR_INCOMPATIBLE_DISPLAY_KHR)
    KILN_RESULT(VK_ERROR_VALIDATION_FAILED_EXT)
    KILN_RESULT(VK_ERROR_INVALID_SHADER_NV)
    KILN_RESULT(VK_ERROR_NOT_PERMITTED_KHR)
    KILN_RESULT(VK_THREAD_IDLE_KHR)
    KILN_RESULT(VK_THREAD_DONE_KHR)
    KILN_RESULT(VK_OPERATION_DEFERRED_KHR)
    KILN_RESULT(VK_OPERATION_NOT_DEFERRED_KHR)
#undef KILN_RESULT
    default: return "VK_RESULT_UNKNOWN";
  }
}

}  // namespace kiln
