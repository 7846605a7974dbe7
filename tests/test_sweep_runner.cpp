// run_sweep as a library call: the variants are computed in the batches asked for (after the
// first variant, timed alone for the run-time estimate), so a batch's variants run in
// parallel on the engine.
#include <gtest/gtest.h>

#include <unistd.h>

#include <cstdint>
#include <filesystem>
#include <string>
#include <vector>

#include "host/sweep_runner.hpp"
#include "io/config_toml.hpp"

namespace eyesweep::test {
namespace {

namespace fs = std::filesystem;

const fs::path kSpec = fs::path(EYESWEEP_TEST_DATA_DIR) / "sweep" / "lpo_small.toml";

/// The progress reports of one run: variants written after each batch.
std::vector<std::uint64_t> batch_ends(const SweepSpec& spec, const fs::path& out, const SweepOptions& base) {
  SweepOptions options = base;
  std::vector<std::uint64_t> done;
  options.progress = [&done](const SweepProgress& p) { done.push_back(p.done); };
  run_sweep(spec, load_com_config(spec.com_config), out, options);
  return done;
}

TEST(SweepRunner, ComputesTheBatchesAskedForAfterTheTimedFirstVariant) {
  SweepSpec spec = load_sweep_spec(kSpec, lpo_parameters(ComConfig{}));
  spec.requested_variants = 20;
  const fs::path out = fs::temp_directory_path() / ("eyesweep_test_runner_" + std::to_string(getpid()) + ".h5");
  fs::remove(out);
  SweepOptions options;
  options.backend = Backend::cpu;
  options.batch_variants = 8;
  EXPECT_EQ(batch_ends(spec, out, options), (std::vector<std::uint64_t>{1, 9, 17, 20}));
  fs::remove(out);
}

}  // namespace
}  // namespace eyesweep::test
