# igprep: the two commands a new user types are `make run` and `make test`.
# Everything here wraps scripts/install-deps.sh and CMake.

SHOOT   ?= samples/nobisuku-halloween
OUT     ?= out/nobisuku-halloween
BUILD   ?= build
ASAN    ?= build-asan
JOBS    ?= $(shell nproc)
FUZZ_SECONDS ?= 60

.PHONY: all deps build run test po test-long test-sanitize fuzz bench manual format format-check clean

all: build

# Install the Debian packages that are missing (idempotent; says what it installs).
deps:
	@bash scripts/install-deps.sh
	@sh scripts/fetch-models.sh
	@sh scripts/fetch-js.sh

build: deps
	@cmake -S . -B $(BUILD) -DCMAKE_BUILD_TYPE=RelWithDebInfo -DIGP_WERROR=ON >/dev/null
	@cmake --build $(BUILD) -j $(JOBS) -- --no-print-directory

# Run the whole pipeline on the sample shoot.
run: build
	$(BUILD)/bin/igprep run $(SHOOT) --out $(OUT)
	@echo "Posts: $(OUT)/posts   masters: $(OUT)/masters   reports: $(OUT)/reports"

# The whole test suite: unit and integration tests, output shown on failure.
# (The long cases, 12 MP photos, 4K and long clips, are `make test-long`.)
test: build
	@ctest --test-dir $(BUILD) --output-on-failure -j $(JOBS) -LE long

# The long cases: tests/long/ (CI runs them too).
test-long: build
	@ctest --test-dir $(BUILD) --output-on-failure -j $(JOBS) -L long

# The same suite built with AddressSanitizer and UndefinedBehaviorSanitizer.
test-sanitize: deps
	@cmake -S . -B $(ASAN) -DCMAKE_BUILD_TYPE=Debug -DIGP_SANITIZE=ON -DIGP_WERROR=ON >/dev/null
	@cmake --build $(ASAN) -j $(JOBS) -- --no-print-directory
	@ASAN_OPTIONS=$$(cat tests/asan.options) \
	  LSAN_OPTIONS=suppressions=$(CURDIR)/tests/lsan.supp:print_suppressions=0 \
	  UBSAN_OPTIONS=print_stacktrace=1:halt_on_error=1 \
	  ctest --test-dir $(ASAN) --output-on-failure -j $(JOBS) -LE long

# The libFuzzer harnesses of fuzz/ (clang, ASan, UBSan), each run for
# FUZZ_SECONDS, two at a time; an input that crashes is kept in
# build-fuzz/crashes/<harness>/ and the exit status is non-zero (fuzz/README.md).
fuzz: deps
	@FUZZ_SECONDS=$(FUZZ_SECONDS) bash scripts/fuzz.sh

# Benchmarks against vipsthumbnail and ImageMagick, and the reel path against
# the ffmpeg command line (bench/run.sh, bench/reel.sh; not part of `make test`).
bench: build
	@BUILD_DIR=$(BUILD) bash bench/run.sh

# The operation and posting manual (docs/manual/, in Japanese): its pictures
# made again from a run on a copy of samples/, then HTML and PDF in build/manual/
# (pandoc and WeasyPrint, installed by scripts/install-deps.sh).
manual: build
	@IGP_BIN=$(CURDIR)/$(BUILD)/bin bash scripts/make-manual.sh --out $(BUILD)/manual

# Extract the programs' strings and merge them into po/ja.po (then translate
# what is new; tests/integration/t-translations.sh fails until every one is).
po:
	@bash scripts/update-po.sh

format:
	@clang-format -i $$(git ls-files '*.c' '*.h' '*.cpp')

format-check:
	@clang-format --dry-run --Werror $$(git ls-files '*.c' '*.h' '*.cpp')

clean:
	rm -rf $(BUILD) $(ASAN) build-fuzz out
