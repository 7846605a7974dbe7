// The CUDA path as far as it exists: a CUDA build finds the device of the machine. Labelled
// `gpu`: skips with the reason where no GPU answers, and fails instead when
// EYESWEEP_REQUIRE_GPU=1 (set by scripts/gpu-check.sh), so a GPU run cannot pass by skipping.
#include <gtest/gtest.h>

#include <cstdlib>
#include <string>

#include "kernels/cuda_device.hpp"

namespace eyesweep {
namespace {

bool gpu_required() {
  const char* env = std::getenv("EYESWEEP_REQUIRE_GPU");
  return env != nullptr && std::string(env) == "1";
}

TEST(CudaDevice, ACudaBuildFindsTheGpu) {
  if (!built_with_cuda()) {
    if (gpu_required()) FAIL() << "EYESWEEP_REQUIRE_GPU=1 but this build has no CUDA parts (nvcc not found?)";
    GTEST_SKIP() << "built without CUDA";
  }
  const auto devices = list_cuda_devices();
  if (devices.empty()) {
    if (gpu_required()) FAIL() << "EYESWEEP_REQUIRE_GPU=1 but no CUDA device answers";
    GTEST_SKIP() << "no CUDA device answers on this machine";
  }
  for (const CudaDeviceInfo& d : devices) {
    std::printf("CUDA device %d: %s, compute capability %d.%d, %zu MiB\n", d.index, d.name.c_str(),
                d.compute_major, d.compute_minor, d.memory_bytes >> 20);
    EXPECT_FALSE(d.name.empty());
    EXPECT_GE(d.compute_major * 10 + d.compute_minor, 75) << "nvcc 13 targets sm_75 and newer";
    EXPECT_GT(d.memory_bytes, 0u);
  }
}

}  // namespace
}  // namespace eyesweep
