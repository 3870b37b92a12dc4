// Runs the chunks of one large upload on several threads: the JobPool's when the Uploader was given
// one, else threads started for this upload (a 256 MiB upload takes tens of milliseconds; starting
// a few threads costs tens of microseconds). The calling thread always takes part. Each worker pulls
// the next chunk index until none is left; the first exception is rethrown once all stopped.
#pragma once

#include <cstdint>
#include <functional>

namespace kiln {
class JobPool;
}

namespace kiln::detail {

void run_chunks(JobPool* jobs, uint32_t workers, uint32_t chunks, const std::function<void(uint32_t)>& chunk);

}  // namespace kiln::detail
