// The CUDA eye engine against the reference eye: on $EYESWEEP_GPU_EYE_VARIANTS random synthetic
// channels (1200 by default: NRZ and PAM4, R_LM, 20 to 140 UI pulses, 0 to 6 aggressors, noise,
// jitter including none, both crosstalk modes and both jitter models) at the default
// 64 x 2048, 300 eyes per call, so that every call spans two device batches of the engine's
// pipeline (at most 256 eyes each) and the engine's kept buffers serve calls of other sizes
// and options; and on the VITA 68.2 channel as COM equalises it. Tolerances:
// tests/eye_comparison.hpp. Labelled `gpu`: skips with the reason where no GPU answers, fails
// instead when EYESWEEP_REQUIRE_GPU=1.
#include <gtest/gtest.h>

#include <cstdio>
#include <cstdlib>

#include "host/eye_engine.hpp"
#include "tests/engine_comparison.hpp"
#include "tests/eye_comparison.hpp"

namespace eyesweep {
namespace {

TEST(CudaEyeEngine, GivesTheReferenceEyesOnRandomChannels) {
  if (!test::gpu_available()) GTEST_SKIP() << "no CUDA device answers (or built without CUDA)";
  std::size_t count = 1200;
  if (const char* env = std::getenv("EYESWEEP_GPU_EYE_VARIANTS"); env && *env) count = std::strtoull(env, nullptr, 10);
  const auto cuda = make_eye_engine(Backend::cuda, {});
  std::printf("CUDA eye engine on %s\n", cuda->device().c_str());
  test::compare_on_random_eyes(*cuda, count, 64, 2048, test::test_seed(), 300);
}

TEST(CudaEyeEngine, GivesTheReferenceEyesOnTheVitaChannel) {
  if (!test::gpu_available()) GTEST_SKIP() << "no CUDA device answers (or built without CUDA)";
  test::compare_on_vita_channel(*make_eye_engine(Backend::cuda, {}));
}

}  // namespace
}  // namespace eyesweep
