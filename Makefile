# harden — build, demo, tests and benchmarks. `make demo` and `make test` do all the set-up on
# a fresh Debian 12 machine with the Swift toolchain (packages come from Debian's registry).
SWIFT ?= swift
HARDEN = .build/debug/harden
RELEASE_HARDEN = .build/release/harden
BUILD_DEPS = libyaml-dev pkg-config
TEST_DEPS = $(BUILD_DEPS) python3 python3-yaml openssh-server openssh-client auditd
BENCH_DEPS = $(BUILD_DEPS) python3 time

BENCH_PROFILE ?= profiles/cis-debian12-l2.yaml
BENCH_ROOTS ?= /var/cache/harden-e2e/debian12-root.tar debian12

.PHONY: deps test-deps build release demo test e2e e2e-root fuzz fuzz-replay hostile bench bench-load crash-sweep clean

deps:
	@scripts/ensure-packages $(BUILD_DEPS)

test-deps:
	@scripts/ensure-packages $(TEST_DEPS)

build: deps
	$(SWIFT) build

release: deps
	$(SWIFT) build -c release --static-swift-stdlib

# The main job on the bundled example: validate the site tailoring, then plan the shipped CIS
# Debian 12 L1 profile against the example node root (exit 2 = changes pending, expected here).
demo: build
	$(HARDEN) validate examples/tailoring/site.yaml
	$(HARDEN) plan --root examples/roots/debian12-node --profile cis-debian12-l1 || test $$? -eq 2

# Every test: the real-root end-to-end cases first, then the XCTest suite (whose summary closes
# the output). Swift Testing is off: all tests are XCTest, so the closing line counts them.
test: test-deps
	$(SWIFT) build --build-tests
	$(MAKE) e2e
	$(SWIFT) test --disable-swift-testing

# harden on a real Debian 12 root (debootstrap, cached under /var/cache/harden-e2e), judged by
# the root's own sshd, PAM (pamtester), augenrules, procps and shadow tools in a chroot, plus
# the crash sweep there. Root only; needs Debian's mirror.
E2E_ROOT_TAR ?= /var/cache/harden-e2e/debian12-root.tar
e2e-root:
	@scripts/ensure-packages debootstrap util-linux tar python3
	Tests/e2e/make-debian12-root $(E2E_ROOT_TAR)

e2e: build e2e-root
	python3 Tests/e2e/run --no-build --harden $(HARDEN) --tar $(E2E_ROOT_TAR)

# libFuzzer targets for the YAML loader and the sshd, sysctl, PAM, audit and keyvalue parsers:
# `make fuzz SECONDS=600` fuzzes each for SECONDS; `make fuzz-replay` replays the regressions.
SECONDS ?= 60
fuzz: deps
	FUZZ_SECONDS=$(SECONDS) Tests/fuzz/build-and-run all

fuzz-replay: deps
	Tests/fuzz/build-and-run build
	Tests/fuzz/build-and-run replay

# The hostile-input corpus against the built binary, without SwiftPM (HostileCorpusTests runs
# the same cases under `make test`).
hostile: build
	python3 Tests/Fixtures/hostile/run.py --harden $(HARDEN)

# 2,000 rules across 20 files: median time and peak RSS of `harden validate`.
bench-load: release
	@scripts/ensure-packages $(BENCH_DEPS)
	python3 scripts/bench-load.py $(RELEASE_HARDEN)

# plan, check, apply, rollback with the shipped cis-debian12-l2 profile on the real Debian 12 root
# (built by e2e-root), then on the fixture root; one table each. BENCH_PROFILE / BENCH_ROOTS override.
bench: release e2e-root
	@scripts/ensure-packages $(BENCH_DEPS) openssh-server
	python3 scripts/bench.py $(RELEASE_HARDEN) $(BENCH_PROFILE) $(BENCH_ROOTS)

# The crash sweep and fault-injection tests (HARDEN_FAULT=die:N / enospc:N, test-only).
crash-sweep: test-deps
	$(SWIFT) test --disable-swift-testing --filter 'CrashSweepTests|SafetyTests'

clean:
	rm -rf .build
