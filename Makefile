# kiln — the commands a newcomer runs. Each installs what is missing first (scripts/deps.sh).
#   make demo     build, run the headless examples, print where their PNGs went
#   make test     build, run every test on lavapipe with validation; the unit, Vulkan and cache
#                 tests again under ASan+UBSan, the job pool and stream tests under ThreadSanitizer
#   make bench    build, run the benchmarks (JSON on stdout, one object per line)
#   make build    build only (build/)
#   make install  PREFIX=/usr/local
PREFIX ?= /usr/local
JOBS ?= $(shell nproc)
BUILD ?= build
ASAN_BUILD ?= build-asan
TSAN_BUILD ?= build-tsan
CMAKE_FLAGS ?=
LAVAPIPE := VK_DRIVER_FILES=/usr/share/vulkan/icd.d/lvp_icd.x86_64.json VK_ICD_FILENAMES=/usr/share/vulkan/icd.d/lvp_icd.x86_64.json

.PHONY: deps build demo test test-fast test-asan test-tsan bench install clean

deps:
	@scripts/deps.sh

$(BUILD)/build.ninja:
	cmake -S . -B $(BUILD) -G Ninja -DCMAKE_BUILD_TYPE=RelWithDebInfo -DKILN_WERROR=ON -DCMAKE_INSTALL_PREFIX=$(PREFIX) $(CMAKE_FLAGS)

build: deps $(BUILD)/build.ninja
	cmake --build $(BUILD) -j $(JOBS)

demo: build
	@scripts/demo.sh $(BUILD)

# Every test: the normal build, then the unit and Vulkan tests again under ASan+UBSan, then the
# stream layer's tests (job pool, uploads, streaming: the threaded parts) under ThreadSanitizer.
test: test-fast test-asan test-tsan

test-fast: build
	cd $(BUILD) && ctest --output-on-failure -j $(JOBS) --timeout 600

$(ASAN_BUILD)/build.ninja:
	cmake -S . -B $(ASAN_BUILD) -G Ninja -DCMAKE_BUILD_TYPE=Debug -DKILN_SANITIZE=ON -DKILN_BENCH=OFF -DKILN_EXAMPLES=OFF -DKILN_INSTALL_TESTS=OFF $(CMAKE_FLAGS)

test-asan: deps $(ASAN_BUILD)/build.ninja
	cmake --build $(ASAN_BUILD) -j $(JOBS)
	cd $(ASAN_BUILD) && ctest --output-on-failure -j $(JOBS) --timeout 900 -L 'unit|gpu|cache|stream'
	# The capture layer under ASan+UBSan, inside the test programs (built with it). Leak checking off:
	# the driver stack's leaks surface as unknown modules once unloaded. vkcube is not instrumented.
	cd $(ASAN_BUILD) && ASAN_OPTIONS=detect_leaks=0:abort_on_error=0 UBSAN_OPTIONS=print_stacktrace=1:halt_on_error=1 \
	  ctest --output-on-failure -j $(JOBS) --timeout 900 -L layer -E vkcube

$(TSAN_BUILD)/build.ninja:
	cmake -S . -B $(TSAN_BUILD) -G Ninja -DCMAKE_BUILD_TYPE=RelWithDebInfo -DKILN_TSAN=ON -DKILN_BENCH=OFF -DKILN_EXAMPLES=OFF -DKILN_INSTALL_TESTS=OFF $(CMAKE_FLAGS)

test-tsan: deps $(TSAN_BUILD)/build.ninja
	cmake --build $(TSAN_BUILD) -j $(JOBS) --target kiln_stream_tests kiln_unit_tests
	cd $(TSAN_BUILD) && ctest --output-on-failure -j $(JOBS) --timeout 900 -L stream
	# The compile worker's server threads and clients.
	cd $(TSAN_BUILD) && ctest --output-on-failure -j $(JOBS) --timeout 900 -R '^ShaderWorker\.'

bench: build
	@scripts/bench.sh $(BUILD)

install: build
	cmake --install $(BUILD) --prefix $(PREFIX)

clean:
	rm -rf $(BUILD) $(ASAN_BUILD) $(TSAN_BUILD)
