// kiln info [--json] [--device N|NAME] [--validation off|standard|sync]
#include <algorithm>
#include <cctype>
#include <cstdio>
#include <memory>
#include <string>

#include "cli/command.h"
#include "cli/info_report.h"
#include "cli/version.h"
#include "kiln/error.h"
#include "kiln/log.h"

namespace kiln::cli {
namespace {

struct InfoOptions {
  bool json = false;
  std::string device;
  std::string validation = "off";
};

bool is_number(const std::string& s) {
  return !s.empty() && std::all_of(s.begin(), s.end(), [](unsigned char c) { return std::isdigit(c); });
}

std::string lower(std::string s) {
  for (char& c : s) c = char(std::tolower(static_cast<unsigned char>(c)));
  return s;
}

bool matches(const DeviceInfo& d, const std::string& selector) {
  if (selector.empty()) return true;
  if (is_number(selector)) return std::to_string(d.index) == selector;
  return lower(d.properties.deviceName).find(lower(selector)) != std::string::npos;
}

int run_info(const InfoOptions& options) {
  ContextDesc desc;
  parse_validation(options.validation, &desc.validation);  // the option's check allows only valid names
  std::unique_ptr<Instance> created;
  try {
    created = std::make_unique<Instance>(desc);
  } catch (Error& e) {
    if (e.result() == VK_ERROR_INCOMPATIBLE_DRIVER) {
      e.add_context("no Vulkan driver found (install one, e.g. mesa-vulkan-drivers for lavapipe, or check "
                    "VK_DRIVER_FILES)");
    }
    throw;
  }
  const Instance& instance = *created;

  nlohmann::ordered_json report;
  report["kiln_version"] = KILN_VERSION;
  report["instance"] = instance_report(instance);
  report["devices"] = nlohmann::ordered_json::array();
  std::string all;
  for (const DeviceInfo& d : instance.devices()) {
    all += str("\n  ", d.index, ": ", d.properties.deviceName);
    if (matches(d, options.device)) report["devices"].push_back(device_report(d));
  }
  if (report["devices"].empty()) {
    if (all.empty()) throw Error("the Vulkan loader found no devices (is a Vulkan driver installed?)");
    throw Error(str("no device matches '", options.device, "'; the devices are:", all));
  }

  if (options.json) {
    // Replace rather than throw on invalid UTF-8 (a driver string could hold any bytes).
    std::printf("%s\n", report.dump(2, ' ', false, nlohmann::ordered_json::error_handler_t::replace).c_str());
  } else {
    print_report(stdout, report);
  }
  return kExitOk;
}

}  // namespace

Command add_info_command(CLI::App& root) {
  auto options = std::make_shared<InfoOptions>();
  CLI::App* app = root.add_subcommand("info", "Show the Vulkan loader, layers and each device: queues, "
                                              "memory, limits, and which kiln features it has.");
  app->add_flag("--json", options->json, "Print one JSON object instead of text (shape: docs/info.md)");
  app->add_option("--device", options->device, "Show only this device: an index or part of its name")
      ->type_name("N|NAME");
  app->add_option("--validation", options->validation, "Load the validation layer while listing (default off)")
      ->check(CLI::IsMember({"off", "standard", "sync"}))
      ->type_name("off|standard|sync");
  return {app, [options] { return run_info(*options); }};
}

}  // namespace kiln::cli
