#include "kiln/sequence_stream.h"

#include <algorithm>
#include <atomic>
#include <chrono>
#include <exception>
#include <limits>
#include <mutex>
#include <thread>
#include <unordered_map>
#include <vector>

#include "kiln/buffer.h"
#include "kiln/context.h"
#include "kiln/error.h"
#include "kiln/format.h"
#include "kiln/image.h"
#include "kiln/jobs.h"
#include "kiln/log.h"
#include "kiln/sequence_file.h"
#include "stream/sequence_stream/frame_resources.h"
#include "stream/sequence_stream/prefetch.h"

namespace kiln {

const char* prefetch_policy_name(PrefetchPolicy policy) {
  switch (policy) {
    case PrefetchPolicy::Sequence: return "sequence";
    case PrefetchPolicy::Spatial: return "spatial";
  }
  return "unknown";
}

const StreamField& StreamFrame::field(std::string_view name) const {
  for (uint32_t i = 0; i < field_count_; ++i) {
    if (fields_[i].name == name) return fields_[i];
  }
  std::string names;
  for (uint32_t i = 0; i < field_count_; ++i) names += str(i ? ", " : "", "'", fields_[i].name, "'");
  throw Error(str("frame ", index_, " has no field '", name, "' (fields: ", names, ")"));
}

Buffer& StreamFrame::buffer(std::string_view name) const {
  const StreamField& f = field(name);
  if (!f.buffer) throw Error(str("field '", name, "' is an image, not a buffer: use image()"));
  return *f.buffer;
}

Image& StreamFrame::image(std::string_view name) const {
  const StreamField& f = field(name);
  if (!f.image) throw Error(str("field '", name, "' is a buffer, not an image: use buffer()"));
  return *f.image;
}

uint64_t StreamFrame::size(std::string_view name) const { return field(name).size; }

namespace {

using Clock = std::chrono::steady_clock;
constexpr int kTopPriority = 1 << 20;

// What the pieces of one frame's load report. A load is one job per piece (a whole blob, or a chunk
// of a large raw blob, so that several threads share one frame); the last piece to end sets `done`.
struct LoadResult {
  std::atomic<uint32_t> pending{0};
  std::atomic<bool> done{false};
  std::mutex mutex;  // the fields below
  bool cancelled = false;
  std::exception_ptr error;
  UploadTicket ticket;
  uint64_t bytes_read = 0;
  uint64_t bytes_uploaded = 0;
  double seconds = 0, wait_seconds = 0, read_seconds = 0;  // StreamStats' load_* times

  void end_piece() {
    if (pending.fetch_sub(1, std::memory_order_acq_rel) == 1) done.store(true, std::memory_order_release);
  }
};

// One job's share of a frame: bytes [offset, offset + size) of one field's blob.
struct LoadPiece {
  uint32_t field = 0;
  uint64_t offset = 0, size = 0;
  bool whole = true;  // the whole blob, through read() (compressed, verified, or small)
};

// Raw blobs above this are read by several jobs at once.
constexpr uint64_t kPieceBytes = uint64_t(8) << 20;

enum class EntryState { Loading, Resident, Failed };

struct Entry {
  uint32_t frame = 0;
  EntryState state = EntryState::Loading;
  std::unique_ptr<detail::FrameResources> resources;
  StreamFrame view;
  std::vector<JobHandle> jobs;  // one per piece
  bool seen_done = false;       // collect_loads: done before its flush
  std::shared_ptr<LoadResult> result;
  std::exception_ptr error;
  uint64_t last_used = 0;
  struct Pin {
    Queue* queue;
    uint64_t serial;
  };
  std::vector<Pin> pins;
};

}  // namespace

struct SequenceStream::Impl {
  Context* ctx;
  SequenceStreamDesc desc;
  std::string name;
  std::unique_ptr<SequenceReader> reader;
  // Owned helpers come first: destroyed last, after every load that uses them finished.
  std::unique_ptr<JobPool> own_jobs;
  std::unique_ptr<Uploader> own_uploader;
  JobPool* jobs = nullptr;
  Uploader* uploader = nullptr;

  std::unique_ptr<detail::SequencePrefetch> sequence;
  std::unique_ptr<detail::SpatialPrefetch> spatial;

  std::unordered_map<uint32_t, Entry> entries;
  // Loads cancelled while running: their resources come back once the job finished.
  std::vector<Entry> retiring;
  detail::FramePool pool;
  uint64_t tick = 0;
  StreamStats stats;
  std::vector<uint32_t> wanted;  // scratch, kept to avoid allocating every frame

  Impl(Context& c, const std::string& path, const SequenceStreamDesc& d)
      : ctx(&c), desc(d), name(d.name ? d.name : "sequence"),
        reader(std::make_unique<SequenceReader>(path)),
        pool(c, *reader, frame_pool_desc(c, d, name)) {
    if (!desc.jobs) {
      own_jobs = std::make_unique<JobPool>(JobPoolDesc{.name = "kiln-stream"});
    }
    jobs = desc.jobs ? desc.jobs : own_jobs.get();
    if (!desc.uploader) {
      // Every load thread holds a span as large as a field while it reads into it: a ring smaller
      // than that leaves threads waiting for ring space instead of reading.
      uint64_t largest = 0;
      for (uint32_t f = 0; f < reader->layout().fields.size(); ++f) {
        if (reader->frame_count()) largest = std::max<uint64_t>(largest, reader->blob(0, f).raw_size);
      }
      const VkDeviceSize wanted_ring = VkDeviceSize(largest) * jobs->threads() * 5 / 4;
      const VkDeviceSize ring = std::clamp<VkDeviceSize>(wanted_ring, VkDeviceSize(256) << 20, VkDeviceSize(2) << 30);
      const bool cpu = c.properties().deviceType == VK_PHYSICAL_DEVICE_TYPE_CPU;
      own_uploader = std::make_unique<Uploader>(c, UploaderDesc{.staging_size = cpu ? 0 : ring, .path = desc.path,
                                                                .jobs = jobs, .name = "sequence.uploader"});
    }
    uploader = desc.uploader ? desc.uploader : own_uploader.get();
    if (desc.max_loads == 0) desc.max_loads = std::max(2u, 2 * jobs->threads());
    const uint32_t n = reader->frame_count();
    if (desc.policy == PrefetchPolicy::Sequence) {
      sequence = std::make_unique<detail::SequencePrefetch>(n, desc.prefetch, desc.loop);
    } else {
      std::vector<std::array<float, 3>> positions(n);
      for (uint32_t i = 0; i < n; ++i) positions[i] = reader->frame(i).position;
      spatial = std::make_unique<detail::SpatialPrefetch>(std::move(positions), desc.prefetch);
    }
    stats.budget = pool.budget();
  }

  ~Impl() {
    for (auto& [frame, e] : entries) {
      for (JobHandle& h : e.jobs) h.cancel();
    }
    for (auto& [frame, e] : entries) finish_job(e);
    for (Entry& e : retiring) finish_job(e);
    // The copies into the frames' buffers must be submitted before the buffers go (they are then
    // destroyed once the GPU finished: Context::defer).
    uploader->flush();
  }

  static detail::FramePoolDesc frame_pool_desc(Context& c, const SequenceStreamDesc& d, const std::string& n) {
    detail::FramePoolDesc p;
    p.budget = d.gpu_budget;
    p.buffer_usage = d.buffer_usage | VK_BUFFER_USAGE_TRANSFER_DST_BIT;
    p.image_usage = d.image_usage | VK_IMAGE_USAGE_TRANSFER_DST_BIT | VK_IMAGE_USAGE_SAMPLED_BIT;
    // Direct writes need a mapping: integrated and CPU devices have device memory the CPU can write
    // at full speed; discrete GPUs get bulk data faster through staging and the copy engine.
    const bool discrete = c.properties().deviceType == VK_PHYSICAL_DEVICE_TYPE_DISCRETE_GPU;
    p.host_writable = d.path == UploadPath::Direct || (d.path == UploadPath::Auto && !discrete);
    p.name = n;
    return p;
  }

  static void finish_job(Entry& e) {
    for (JobHandle& h : e.jobs) {
      try {
        h.wait();
      } catch (...) {
        // The load's own error: reported through the entry when anyone asks; here it is going away.
      }
    }
  }

  bool pinned(Entry& e) {
    auto it = std::remove_if(e.pins.begin(), e.pins.end(), [](const Entry::Pin& p) { return p.queue->finished(p.serial); });
    e.pins.erase(it, e.pins.end());
    return !e.pins.empty();
  }

  void add_times(const LoadResult& r) {
    stats.load_seconds += r.seconds;
    stats.load_wait_seconds += r.wait_seconds;
    stats.load_read_seconds += r.read_seconds;
  }

  // Loads that finished become resident once their copies are submitted (flush after seeing `done`:
  // a copy recorded after the flush would otherwise be waited on before it was submitted).
  void collect_loads() {
    // Only loads seen done BEFORE the flush: one that ends between the flush and its handling would
    // hand out a ticket whose copies were never submitted.
    bool any = false;
    for (auto& [frame, e] : entries) {
      e.seen_done = e.state == EntryState::Loading && e.result->done.load(std::memory_order_acquire);
      any = any || e.seen_done;
    }
    for (Entry& e : retiring) {
      e.seen_done = e.result && e.result->done.load(std::memory_order_acquire);
      any = any || e.seen_done;
    }
    if (!any) return;
    uploader->flush();
    for (auto& [frame, e] : entries) {
      if (!e.seen_done) continue;
      e.seen_done = false;
      LoadResult& r = *e.result;
      stats.bytes_read += r.bytes_read;
      stats.bytes_uploaded += r.bytes_uploaded;
      add_times(r);
      e.jobs.clear();
      if (r.error) {
        e.state = EntryState::Failed;
        e.error = r.error;
        ++stats.loads_failed;
      } else {
        e.state = EntryState::Resident;
        e.view.ready = r.ticket;
        ++stats.loads_done;
      }
    }
    for (auto it = retiring.begin(); it != retiring.end();) {
      if (it->seen_done) {
        add_times(*it->result);
        pool.give_back(std::move(it->resources));
        it = retiring.erase(it);
      } else {
        ++it;
      }
    }
  }

  void cancel_unwanted() {
    for (auto it = entries.begin(); it != entries.end();) {
      Entry& e = it->second;
      if (e.state != EntryState::Loading || rank_of(e.frame) != SIZE_MAX) {
        ++it;
        continue;
      }
      ++stats.loads_cancelled;
      bool all_never_ran = true;
      for (JobHandle& h : e.jobs) {
        if (h.cancel()) {
          e.result->end_piece();  // a piece that never runs ends here
        } else {
          all_never_ran = false;
        }
      }
      if (all_never_ran) {
        pool.give_back(std::move(e.resources));  // nothing written
      } else {
        retiring.push_back(std::move(e));
      }
      it = entries.erase(it);
    }
  }

  // Frees budget for the frame wanted at `rank`: evicts the least recently used resident frame nobody
  // wants, else the wanted one furthest down the list below `rank` (prefetch never pushes out what is
  // needed sooner). Frames that submitted work still uses stay. False when nothing may go.
  // The frame's place in `wanted` (a short list: the prefetch window); SIZE_MAX when not wanted.
  size_t rank_of(uint32_t frame) const {
    auto it = std::find(wanted.begin(), wanted.end(), frame);
    return it == wanted.end() ? SIZE_MAX : size_t(it - wanted.begin());
  }

  bool evict_one(size_t rank) {
    Entry* victim = nullptr;
    size_t victim_rank = 0;
    for (auto& [frame, e] : entries) {
      if (e.state == EntryState::Loading || pinned(e)) continue;
      const size_t r = rank_of(frame);
      if (r <= rank) continue;
      const bool better = !victim || r > victim_rank || (r == victim_rank && e.last_used < victim->last_used);
      if (better) {
        victim = &e;
        victim_rank = r;
      }
    }
    if (!victim) return false;
    ++stats.evictions;
    pool.give_back(std::move(victim->resources));
    entries.erase(victim->frame);
    return true;
  }

  void start_load(uint32_t frame, std::unique_ptr<detail::FrameResources> res, int priority) {
    Entry& e = entries[frame];
    e.frame = frame;
    e.state = EntryState::Loading;
    e.resources = std::move(res);
    e.result = std::make_shared<LoadResult>();
    e.view.index_ = frame;
    e.view.field_count_ = uint32_t(e.resources->fields.size());
    e.view.fields_ = std::make_unique<StreamField[]>(e.view.field_count_);
    const SequenceLayout& layout = reader->layout();
    for (uint32_t f = 0; f < e.view.field_count_; ++f) {
      StreamField& sf = e.view.fields_[f];
      sf.name = layout.fields[f].name;
      sf.buffer = e.resources->fields[f].buffer ? &*e.resources->fields[f].buffer : nullptr;
      sf.image = e.resources->fields[f].image ? &*e.resources->fields[f].image : nullptr;
      sf.size = reader->blob(frame, f).raw_size;
    }
    ++stats.loads_started;
    std::vector<LoadPiece> pieces;
    for (uint32_t f = 0; f < e.view.field_count_; ++f) {
      const BlobInfo& blob = reader->blob(frame, f);
      if (blob.raw_size == 0) continue;
      const bool split = !desc.verify && blob.compression == Compression::None && !e.resources->fields[f].image &&
                         blob.raw_size > 2 * kPieceBytes;
      if (!split) {
        pieces.push_back({f, 0, blob.raw_size, true});
        continue;
      }
      for (uint64_t at = 0; at < blob.raw_size; at += kPieceBytes) {
        pieces.push_back({f, at, std::min(kPieceBytes, blob.raw_size - at), false});
      }
    }
    std::shared_ptr<LoadResult> result = e.result;
    if (pieces.empty()) {
      result->ticket.semaphore = uploader->timeline();
      result->done.store(true, std::memory_order_release);
      return;
    }
    result->pending.store(uint32_t(pieces.size()), std::memory_order_relaxed);
    detail::FrameResources* target = e.resources.get();
    SequenceReader* rd = reader.get();
    Uploader* up = uploader;
    const bool verify = desc.verify;
    const UploadOptions options{.path = pool.host_writable() ? UploadPath::Direct : desc.path};
    const Use image_use = desc.image_use;
    const uint64_t max_span = uploader->stats().staging_size / 2;  // the most one staging span holds
    e.jobs.reserve(pieces.size());
    for (const LoadPiece& piece : pieces) {
      e.jobs.push_back(jobs->submit(
          [=](const JobControl& control) {
            const auto start = Clock::now();
            UploadTicket ticket;
            std::exception_ptr error;
            bool cancelled = false;
            PieceTimes times;
            try {
              if (control.cancelled()) {
                cancelled = true;
              } else {
                ticket = load_piece(*rd, *up, frame, piece, *target, options, image_use, verify, max_span, times);
              }
            } catch (...) {
              error = std::current_exception();
            }
            {
              std::lock_guard lock(result->mutex);
              if (error && !result->error) result->error = error;
              result->cancelled = result->cancelled || cancelled;
              if (!cancelled && !error) {
                const BlobInfo& blob = rd->blob(frame, piece.field);
                result->bytes_read += piece.whole ? blob.stored_size : piece.size;
                result->bytes_uploaded += piece.size;
                if (ticket.value >= result->ticket.value) result->ticket = ticket;
              }
              result->seconds += std::chrono::duration<double>(Clock::now() - start).count();
              result->wait_seconds += times.wait;
              result->read_seconds += times.read;
              if (!result->ticket.semaphore) result->ticket.semaphore = up->timeline();
            }
            result->end_piece();
          },
          priority));
    }
  }

  // Where a piece's time went: waiting in begin() for staging space, and reading (and decoding) into
  // the span; the rest of the job's time is finish() and the bookkeeping.
  struct PieceTimes {
    double wait = 0, read = 0;
  };

  static UploadTicket load_piece(const SequenceReader& rd, Uploader& up, uint32_t frame, const LoadPiece& piece,
                                 detail::FrameResources& target, const UploadOptions& options, Use image_use,
                                 bool verify, uint64_t max_span, PieceTimes& times) {
    detail::FieldResource& field = target.fields[piece.field];
    auto t0 = Clock::now();
    const auto since = [](Clock::time_point& t) {
      const Clock::time_point now = Clock::now();
      const double s = std::chrono::duration<double>(now - t).count();
      t = now;
      return s;
    };
    if (field.image) {
      UploadSpan span = up.begin_image(*field.image, 0, 0, {.path = options.path == UploadPath::Direct ? UploadPath::Auto : options.path, .next_use = image_use});
      times.wait += since(t0);
      rd.read(frame, piece.field, std::span<uint8_t>(span.data(), piece.size), verify, ReadTarget::Mapped);
      times.read += since(t0);
      return up.finish(std::move(span));
    }
    if (options.path != UploadPath::Direct && piece.size > max_span) {
      // Larger than a staging span (a big compressed blob): through host memory, which upload() cuts
      // into chunks.
      std::vector<uint8_t> bytes(piece.size);
      rd.read(frame, piece.field, bytes, verify);
      times.read += since(t0);
      return up.upload(*field.buffer, bytes.data(), bytes.size(), 0, options);
    }
    UploadSpan span = up.begin(*field.buffer, piece.offset, piece.size, options);
    times.wait += since(t0);
    if (piece.whole) {
      rd.read(frame, piece.field, std::span<uint8_t>(span.data(), piece.size), verify, ReadTarget::Mapped);
    } else {
      rd.read_range(frame, piece.field, piece.offset, std::span<uint8_t>(span.data(), piece.size), ReadTarget::Mapped);
    }
    times.read += since(t0);
    return up.finish(std::move(span));
  }

  void schedule() {
    uint32_t in_flight = 0;
    for (auto& [frame, e] : entries) in_flight += e.state == EntryState::Loading;
    in_flight += uint32_t(retiring.size());
    for (size_t rank = 0; rank < wanted.size(); ++rank) {
      const uint32_t frame = wanted[rank];
      const int priority = kTopPriority - int(rank);
      auto it = entries.find(frame);
      if (it != entries.end()) {
        if (it->second.state == EntryState::Loading) {
          for (JobHandle& h : it->second.jobs) h.set_priority(priority);
        }
        continue;
      }
      if (in_flight >= desc.max_loads) break;
      std::unique_ptr<detail::FrameResources> res = pool.take(frame);
      while (!res && evict_one(rank)) res = pool.take(frame);
      if (!res) break;  // budget full of frames still needed: prefetch waits
      start_load(frame, std::move(res), priority);
      ++in_flight;
    }
  }

  void update() {
    collect_loads();
    if (sequence) {
      sequence->wanted(wanted);
    } else {
      spatial->wanted(wanted);
    }
    cancel_unwanted();
    schedule();
    if (spatial) spatial->clear_requests();
  }

  const StreamFrame* lookup(uint32_t index) {
    auto it = entries.find(index);
    if (it == entries.end()) return nullptr;
    Entry& e = it->second;
    if (e.state == EntryState::Failed) {
      std::exception_ptr error = e.error;
      entries.erase(it);  // the next request tries again
      std::rethrow_exception(error);
    }
    if (e.state != EntryState::Resident) return nullptr;
    e.last_used = ++tick;
    return &e.view;
  }

  void check_index(uint32_t index) const {
    if (index >= reader->frame_count()) {
      throw Error(str(reader->path(), ": frame ", index, " asked for, the sequence has ", reader->frame_count(),
                      " frames (0..", reader->frame_count() - 1, ")"));
    }
  }

  void request(uint32_t index) {
    if (sequence) {
      sequence->request(index);
    } else {
      spatial->request(index);
    }
  }
};

SequenceStream::SequenceStream(Context& ctx, const std::string& path, const SequenceStreamDesc& desc)
    : impl_(std::make_unique<Impl>(ctx, path, desc)) {}

SequenceStream::~SequenceStream() = default;

const StreamFrame* SequenceStream::get(uint32_t index) {
  Impl& m = *impl_;
  m.check_index(index);
  ++m.stats.requests;
  m.request(index);
  m.update();
  const StreamFrame* frame = m.lookup(index);
  if (frame) {
    ++m.stats.hits;
  } else {
    ++m.stats.late;
  }
  return frame;
}

const StreamFrame& SequenceStream::wait(uint32_t index) {
  Impl& m = *impl_;
  m.check_index(index);
  m.request(index);
  for (;;) {
    m.update();
    if (const StreamFrame* frame = m.lookup(index)) return *frame;
    auto it = m.entries.find(index);
    if (it != m.entries.end() && it->second.state == EntryState::Loading && !it->second.jobs.empty()) {
      Impl::finish_job(it->second);
      continue;
    }
    // Not loading: the budget is held by frames in flight. Wait for the oldest pinned work.
    bool waited = false;
    for (auto& [frame, e] : m.entries) {
      if (frame == index || !m.pinned(e)) continue;
      for (const Entry::Pin& p : e.pins) p.queue->wait(p.serial);
      waited = true;
      break;
    }
    if (!waited && !m.retiring.empty()) {
      Impl::finish_job(m.retiring.front());
      waited = true;
    }
    if (!waited && it == m.entries.end()) {
      throw Error(str(m.name, ": frame ", index, " (", m.reader->frame_raw_size(index),
                      " bytes) does not fit in the GPU budget of ", m.pool.budget(),
                      " bytes: raise SequenceStreamDesc::gpu_budget"));
    }
    std::this_thread::yield();
  }
}

void SequenceStream::used(const StreamFrame& frame, Queue& queue, uint64_t serial) {
  auto it = impl_->entries.find(frame.index());
  if (it == impl_->entries.end() || &it->second.view != &frame) return;
  for (Entry::Pin& p : it->second.pins) {
    if (p.queue == &queue) {
      p.serial = std::max(p.serial, serial);
      return;
    }
  }
  it->second.pins.push_back({&queue, serial});
}

void SequenceStream::set_point(const std::array<float, 3>& point) {
  if (impl_->spatial) impl_->spatial->set_point(point);
}

void SequenceStream::update() { impl_->update(); }

const SequenceReader& SequenceStream::reader() const { return *impl_->reader; }
uint32_t SequenceStream::frame_count() const { return impl_->reader->frame_count(); }

StreamStats SequenceStream::stats() const {
  Impl& m = *impl_;
  StreamStats s = m.stats;
  s.loads_queued = 0;
  s.loads_running = 0;
  s.resident_frames = 0;
  for (auto& [frame, e] : m.entries) {
    if (e.state == EntryState::Resident) ++s.resident_frames;
    if (e.state == EntryState::Loading) {
      bool running = false;
      for (const JobHandle& h : e.jobs) running = running || h.status() != JobStatus::Queued;
      if (running) ++s.loads_running;
      else ++s.loads_queued;
    }
  }
  s.loads_running += uint32_t(m.retiring.size());
  s.resident_bytes = m.pool.bytes();
  s.budget = m.pool.budget();
  return s;
}

}  // namespace kiln
