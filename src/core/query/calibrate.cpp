#include "kiln/context.h"
#include "kiln/error.h"
#include "kiln/log.h"
#include "kiln/query.h"

namespace kiln {

std::optional<ClockCalibration> calibrate_clocks(const Context& ctx, std::string* why_not) {
  auto no = [&](std::string why) -> std::optional<ClockCalibration> {
    if (why_not) *why_not = std::move(why);
    return std::nullopt;
  };
  if (!ctx.has(Feature::CalibratedTimestamps) || !ctx.fn().get_calibrated_timestamps) {
    return no(str("VK_EXT_calibrated_timestamps is not enabled on '", ctx.properties().deviceName, "'"));
  }
  auto get_domains = reinterpret_cast<PFN_vkGetPhysicalDeviceCalibrateableTimeDomainsEXT>(
      vkGetInstanceProcAddr(ctx.instance(), "vkGetPhysicalDeviceCalibrateableTimeDomainsEXT"));
  if (!get_domains) return no("vkGetPhysicalDeviceCalibrateableTimeDomainsEXT is missing");
  uint32_t count = 0;
  check(get_domains(ctx.physical_device(), &count, nullptr), "vkGetPhysicalDeviceCalibrateableTimeDomainsEXT");
  std::vector<VkTimeDomainEXT> domains(count);
  check(get_domains(ctx.physical_device(), &count, domains.data()),
        "vkGetPhysicalDeviceCalibrateableTimeDomainsEXT");
  bool device = false, monotonic = false;
  for (VkTimeDomainEXT d : domains) {
    device |= d == VK_TIME_DOMAIN_DEVICE_EXT;
    monotonic |= d == VK_TIME_DOMAIN_CLOCK_MONOTONIC_EXT;
  }
  if (!device || !monotonic) {
    return no("the device cannot calibrate its timestamps against CLOCK_MONOTONIC");
  }

  VkCalibratedTimestampInfoEXT infos[2] = {
      {VK_STRUCTURE_TYPE_CALIBRATED_TIMESTAMP_INFO_EXT, nullptr, VK_TIME_DOMAIN_DEVICE_EXT},
      {VK_STRUCTURE_TYPE_CALIBRATED_TIMESTAMP_INFO_EXT, nullptr, VK_TIME_DOMAIN_CLOCK_MONOTONIC_EXT},
  };
  uint64_t stamps[2] = {};
  uint64_t deviation = 0;
  check(ctx.fn().get_calibrated_timestamps(ctx.device(), 2, infos, stamps, &deviation),
        "vkGetCalibratedTimestampsEXT");

  // The graphics family's valid bits: timestamps of the device domain are the ones queries write.
  const uint32_t family = const_cast<Context&>(ctx).queue(QueueKind::Graphics).family();
  const uint32_t bits = ctx.info().queue_families[family].timestampValidBits;
  const uint64_t mask = bits >= 64 || bits == 0 ? ~uint64_t(0) : (uint64_t(1) << bits) - 1;
  ClockCalibration c;
  c.gpu_ticks = stamps[0] & mask;
  c.gpu_ns = uint64_t((long double)c.gpu_ticks * (long double)ctx.limits().timestampPeriod);
  c.cpu_ns = stamps[1];
  c.max_deviation_ns = deviation;
  return c;
}

}  // namespace kiln
