// `eyesweep sweep` on the CUDA engine gives the CPU engine's results: the same small LPO
// sweep on both backends, every variant's COM within the engines' tolerance (0.05 dB) and
// every swept parameter identical. Labelled `gpu`: skips with the reason where no GPU
// answers, fails instead when EYESWEEP_REQUIRE_GPU=1.
#include <gtest/gtest.h>

#include <unistd.h>

#include <cmath>
#include <filesystem>
#include <string>
#include <vector>

#include "io/results_store.hpp"
#include "tests/cli_runner.hpp"
#include "tests/engine_comparison.hpp"

namespace eyesweep::test {
namespace {

namespace fs = std::filesystem;

TEST(SweepGpu, CudaBackendGivesTheCpuResults) {
  if (!gpu_available()) GTEST_SKIP() << "no CUDA device answers (or built without CUDA)";
  const fs::path dir = fs::temp_directory_path() / ("eyesweep_test_sweep_gpu_" + std::to_string(getpid()));
  fs::remove_all(dir);
  fs::create_directories(dir);
  const std::string spec = (fs::path(EYESWEEP_TEST_DATA_DIR) / "sweep" / "lpo_small.toml").string();
  for (const char* backend : {"cpu", "cuda"}) {
    const CommandResult r = run_eyesweep("sweep " + spec + " -o " + (dir / (std::string(backend) + ".h5")).string() +
                                         " --backend " + backend);
    ASSERT_EQ(r.status, 0) << backend << ": " << r.output;
  }
  const ResultsFile cpu = ResultsFile::open(dir / "cpu.h5"), cuda = ResultsFile::open(dir / "cuda.h5");
  ASSERT_EQ(cpu.rows(), cuda.rows());
  EXPECT_EQ(std::get<std::string>(cuda.attributes().at("backend")), "cuda");
  for (const ColumnSpec& column : cpu.layout()) {
    if (column.path.rfind("parameters/", 0) == 0 || column.path == "variant_index") {
      EXPECT_TRUE(cpu.read(column.path) == cuda.read(column.path)) << column.path;
    }
  }
  const auto a = std::get<std::vector<double>>(cpu.read("results/com_dB"));
  const auto b = std::get<std::vector<double>>(cuda.read("results/com_dB"));
  for (std::size_t i = 0; i < a.size(); ++i) EXPECT_NEAR(a[i], b[i], 0.05) << "variant " << i;
  fs::remove_all(dir);
}

}  // namespace
}  // namespace eyesweep::test
