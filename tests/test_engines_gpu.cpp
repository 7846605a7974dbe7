// The CUDA engine computes the same answers: against the reference engine on random variants
// of a thinned 802.3ck C2C grid, and against the CPU engine (itself proven against the
// reference by test_engines) on many random variants of the full 802.3ck KR-size grid
// (638,715 points, 12 DFE taps): $EYESWEEP_GPU_TEST_VARIANTS of them, 10,000 by default
// ($EYESWEEP_GPU_REFERENCE_VARIANTS against the reference, 200 by default). With the MMSE Rx
// FFE receiver of the 802.3dj sheet: against the reference on random variants of a thinned
// grid (50 by default), and against the CPU engine on the full grid (794,640 Tx combinations x
// 176 CTLE settings; $EYESWEEP_GPU_MMSE_VARIANTS of them, 1 by default: the CPU engine needs
// about a minute per variant on 16 cores).
// The search tables the CUDA engine builds on the device are the host's (build_tables), up
// to the rounding of the device's pow, cos and integral sums.
// Labelled `gpu`: skips with the reason where no GPU answers, fails instead when
// EYESWEEP_REQUIRE_GPU=1.
#include <gtest/gtest.h>

#include <algorithm>
#include <chrono>
#include <climits>
#include <cmath>
#include <cstdio>
#include <cstdlib>
#include <memory>

#include "host/engine.hpp"
#include "host/fast_search.hpp"
#include "io/config_toml.hpp"
#include "kernels/cuda_device.hpp"
#include "tests/engine_comparison.hpp"
#if defined(EYESWEEP_HAVE_CUDA)
#include "kernels/table_device.hpp"
#endif

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

#if defined(EYESWEEP_HAVE_CUDA)
/// Largest finite |x| of values[lo, hi).
template <typename T>
double largest(const std::vector<T>& values, std::size_t lo, std::size_t hi) {
  double m = 0.0;
  for (std::size_t i = lo; i < hi; ++i) {
    if (std::isfinite(static_cast<double>(values[i]))) m = std::max(m, std::abs(static_cast<double>(values[i])));
  }
  return m;
}

/// Every part of `device`'s records within `tolerance` of the part's largest value in `host`,
/// infinities equal (a bound with no position behind it), no NaN (the download's poison).
template <typename T>
void expect_close_parts(const std::vector<T>& host, const std::vector<T>& device, std::size_t record_len,
                        const std::vector<std::pair<std::size_t, std::size_t>>& parts, double tolerance,
                        const char* what, std::uint64_t seed) {
  for (std::size_t r = 0; r * record_len < host.size(); ++r) {
    for (const auto& [lo, hi] : parts) {
      const double scale = largest(host, r * record_len + lo, r * record_len + hi);
      for (std::size_t i = r * record_len + lo; i < r * record_len + hi; ++i) {
        const auto h = static_cast<double>(host[i]), d = static_cast<double>(device[i]);
        if (!std::isfinite(h)) {
          ASSERT_EQ(d, h) << what << " of record " << r << ", element " << i - r * record_len << " (seed " << seed << ")";
          continue;
        }
        ASSERT_LE(std::abs(d - h), tolerance * scale)
            << what << " of record " << r << ", element " << i - r * record_len << " (seed " << seed << ")";
      }
    }
  }
}

/// The device's records of `variants` (built by `device`) against the host's.
void expect_host_records(cuda::TableDevice& device, const SearchGrid& grid,
                         const std::vector<const PreparedVariant*>& variants, std::uint64_t seed) {
  const BatchTables host = build_tables(variants, grid, 0);
  std::vector<search::TableSource> sources;
  for (const PreparedVariant* v : variants) sources.push_back(v->table_source());
  device.build(host.layout, sources);
  ASSERT_EQ(device.records(), variants.size() * grid.ctle().size());
  std::vector<float> floats(host.floats.size(), NAN);
  std::vector<double> doubles(host.doubles.size(), NAN);
  std::vector<int> ints(host.ints.size(), INT_MIN);
  device.download(floats.data(), doubles.data(), ints.data());
  std::printf("%zu records built on the device in %.2f ms (%s crosstalk)\n", device.records(),
              device.last_build_seconds() * 1e3, grid.fext_terms() > 0 ? "series" : "direct");

  const search::TableLayout& t = host.layout;
  EXPECT_EQ(ints, host.ints) << "peak windows, outliers, ISI blocks, jitter edges (seed " << seed << ")";
  const auto n_floats = static_cast<std::size_t>(t.floats()), n_doubles = static_cast<std::size_t>(t.doubles());
  const auto pulse = static_cast<std::size_t>(t.pulse_floats());
  expect_close_parts(host.floats, floats, n_floats, {{0, pulse}, {pulse, n_floats}}, 1e-6, "pulse and bounds", seed);
  const auto isi = static_cast<std::size_t>(t.block_len * t.gram), jitter = isi + static_cast<std::size_t>(t.M * t.gram);
  const auto xt = jitter + static_cast<std::size_t>(t.fext_len);
  expect_close_parts(host.doubles, doubles, n_doubles,
                     {{0, isi}, {isi, jitter}, {jitter, xt}, {xt, xt + 1}, {xt + 1, xt + 2}}, 1e-11,
                     "ISI, jitter or crosstalk forms", seed);
}

/// Random variants of `spec`: builds of two sizes on one device builder (its memory grown,
/// then reused), each against the host's records.
void expect_host_records(const ComConfig& spec, CrosstalkSum sum, std::uint64_t seed) {
  const SearchGrid grid(spec, sum);
  std::vector<std::unique_ptr<PreparedVariant>> owned;
  std::vector<const PreparedVariant*> variants;
  for (const ChannelVariant& v : test::random_variants(spec, 6, seed)) {
    owned.push_back(std::make_unique<PreparedVariant>(variant_config(spec, v), *v.channels, grid));
    variants.push_back(owned.back().get());
  }
  cuda::TableDevice device(list_cuda_devices().front().index, grid.ctle(), grid.record_shape());
  const std::vector<const PreparedVariant*> first_half(variants.begin(), variants.begin() + 3);
  expect_host_records(device, grid, first_half, seed);
  expect_host_records(device, grid, variants, seed);
  expect_host_records(device, grid, first_half, seed);
}

TEST(TableDevice, BuildsTheHostsRecords) {
  if (!test::gpu_available()) GTEST_SKIP() << "no CUDA device answers (or built without CUDA)";
  const std::uint64_t seed = test::test_seed();
  ComConfig spec = load("ieee8023ck_kr.toml");
  spec.floating.N_bg = 0;
  expect_host_records(spec, CrosstalkSum::automatic, seed);  // cosine moments
  expect_host_records(spec, CrosstalkSum::direct, seed);     // the FEXT weights themselves
}
#endif

}  // namespace
}  // namespace eyesweep
