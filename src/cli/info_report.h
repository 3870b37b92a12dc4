// `kiln info`'s report: what the Vulkan instance and each device offer, as one JSON document (its
// shape is documented in docs/info.md), and the same document printed for people.
#pragma once

#include <nlohmann/json.hpp>

#include <cstdio>
#include <vector>

#include "kiln/context.h"

namespace kiln::cli {

nlohmann::ordered_json instance_report(const Instance& instance);
nlohmann::ordered_json device_report(const DeviceInfo& device);

// Aligned sections and tables, from the JSON report (so both outputs always say the same things).
void print_report(std::FILE* out, const nlohmann::ordered_json& report);

}  // namespace kiln::cli
