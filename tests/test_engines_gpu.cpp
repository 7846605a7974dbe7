// The CUDA engine computes the same answers: against the reference engine on random variants
// of a thinned 802.3ck C2C grid, and against the CPU engine (itself proven against the
// reference by test_engines) on many random variants of the full 802.3ck KR-size grid
// (638,715 points, 12 DFE taps): $EYESWEEP_GPU_TEST_VARIANTS of them, 10,000 by default
// ($EYESWEEP_GPU_REFERENCE_VARIANTS against the reference, 200 by default). With the MMSE Rx
// FFE receiver of the 802.3dj sheet: against the reference on random variants of a thinned
// grid (50 by default), and against the CPU engine on the full grid (794,640 Tx combinations x
// 176 CTLE settings; $EYESWEEP_GPU_MMSE_VARIANTS of them, 1 by default: the CPU engine needs
// about a minute per variant on 16 cores).
// Labelled `gpu`: skips with the reason where no GPU answers, fails instead when
// EYESWEEP_REQUIRE_GPU=1.
#include <gtest/gtest.h>

#include <algorithm>
#include <chrono>
#include <cstdio>
#include <cstdlib>

#include "host/engine.hpp"
#include "io/config_toml.hpp"
#include "tests/engine_comparison.hpp"

namespace eyesweep {
namespace {

ComConfig load(const char* name) {
  return load_com_config(std::filesystem::path(EYESWEEP_SOURCE_DIR) / "configs" / name);
}

std::size_t env_count(const char* name, std::size_t fallback) {
  const char* env = std::getenv(name);
  return env && *env ? std::strtoull(env, nullptr, 10) : fallback;
}

double seconds_since(std::chrono::steady_clock::time_point t) {
  return std::chrono::duration<double>(std::chrono::steady_clock::now() - t).count();
}

/// The cuda engine against the reference engine on `variants`.
void expect_reference_answers(const ComConfig& spec, const std::vector<ChannelVariant>& variants, std::uint64_t seed) {
  const EngineBatch batch{&spec, variants, 0};
  const auto cuda = make_engine(Backend::cuda, spec, {});
  std::printf("CUDA engine on %s\n", cuda->device().c_str());
  test::expect_same_answers(spec, variants, cuda->run(batch), make_engine(Backend::reference, spec, {})->run(batch), seed);
}

/// The cuda engine against the cpu engine (itself proven against the reference in CI) on
/// `variants`, both timed for information.
void expect_cpu_engine_answers(const ComConfig& spec, const std::vector<ChannelVariant>& variants, std::uint64_t seed) {
  const EngineBatch batch{&spec, variants, 0};
  auto t = std::chrono::steady_clock::now();
  const std::vector<VariantResult> cuda = make_engine(Backend::cuda, spec, {})->run(batch);
  const double cuda_s = seconds_since(t);
  t = std::chrono::steady_clock::now();
  const std::vector<VariantResult> cpu = make_engine(Backend::cpu, spec, {})->run(batch);
  const double cpu_s = seconds_since(t);
  std::printf("%zu variants x %zu points: cuda engine %.1f s, cpu engine %.1f s (for information; not a benchmark)\n",
              variants.size(), cuda.empty() ? std::size_t{0} : cuda.front().com.grid_points, cuda_s, cpu_s);
  test::expect_same_answers(spec, variants, cuda, cpu, seed);
}

TEST(CudaEngine, GivesTheReferenceAnswersOnRandomVariants) {
  if (!test::gpu_available()) GTEST_SKIP() << "no CUDA device answers (or built without CUDA)";
  const std::uint64_t seed = test::test_seed();
  const ComConfig spec = test::thinned_grid(load("ieee8023ck_c2c.toml"), 3);
  expect_reference_answers(spec, test::random_variants(spec, env_count("EYESWEEP_GPU_REFERENCE_VARIANTS", 200), seed), seed);
}

TEST(CudaEngine, GivesTheCpuEngineAnswersOnTheKrSizeGrid) {
  if (!test::gpu_available()) GTEST_SKIP() << "no CUDA device answers (or built without CUDA)";
  const std::uint64_t seed = test::test_seed();
  ComConfig spec = load("ieee8023ck_kr.toml");
  spec.floating.N_bg = 0;  // the fixed 12-tap DFE: the fast engines' KR-size search
  expect_cpu_engine_answers(spec, test::random_variants(spec, env_count("EYESWEEP_GPU_TEST_VARIANTS", 10000), seed), seed);
}

TEST(CudaEngine, GivesTheReferenceAnswersWithTheMmseReceiver) {
  if (!test::gpu_available()) GTEST_SKIP() << "no CUDA device answers (or built without CUDA)";
  const std::uint64_t seed = test::test_seed();
  ComConfig spec = test::thinned_grid(load("ieee8023dj.toml"), 3);
  spec.g_DC_HP_dB = {-4.0, -1.5};
  expect_reference_answers(spec, test::random_variants(spec, env_count("EYESWEEP_GPU_MMSE_REFERENCE_VARIANTS", 50), seed), seed);
}

TEST(CudaEngine, GivesTheCpuEngineAnswersOnTheFull8023djGrid) {
  if (!test::gpu_available()) GTEST_SKIP() << "no CUDA device answers (or built without CUDA)";
  const std::uint64_t seed = test::test_seed();
  const ComConfig spec = load("ieee8023dj.toml");
  expect_cpu_engine_answers(spec, test::random_variants(spec, env_count("EYESWEEP_GPU_MMSE_VARIANTS", 1), seed), seed);
}

}  // namespace
}  // namespace eyesweep
