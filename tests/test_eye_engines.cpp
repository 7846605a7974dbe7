// The CPU eye engine against the reference eye (the oracle): on random synthetic channels
// (NRZ and PAM4, R_LM in [0.8, 1], 20 to 140 UI pulses, 0 to 6 aggressors, noise, jitter
// including none, both crosstalk modes and both jitter models), at 32 x 512 and at the default
// 64 x 2048, and on the VITA 68.2 channel as COM equalises it; the choice of eye engine; the
// fast engines' plans alike in reused and fresh buffers.
// Tolerances and the open region: tests/eye_comparison.hpp. $EYESWEEP_TEST_SEED replays a run.
#include <gtest/gtest.h>

#include <random>
#include <thread>
#include <tuple>

#include "host/eye_engine.hpp"
#include "host/eye_phase_plan.hpp"
#include "kernels/common/error.hpp"
#include "tests/engine_comparison.hpp"
#include "tests/eye_comparison.hpp"
#include "tests/synthetic_eyes.hpp"

namespace eyesweep {
namespace {

TEST(CpuEyeEngine, GivesTheReferenceEyesOnRandomChannels) {
  const std::uint64_t seed = test::test_seed();
  const auto cpu = make_eye_engine(Backend::cpu, {});
  test::compare_on_random_eyes(*cpu, 200, 32, 512, seed, 10);
  test::compare_on_random_eyes(*cpu, 24, 64, 2048, seed + 1, 6);
}

TEST(CpuEyeEngine, GivesTheReferenceEyesOnTheVitaChannel) {
  test::compare_on_vita_channel(*make_eye_engine(Backend::cpu, {}));
}

TEST(CpuEyeEngine, NamesItselfAndRefusesBadOptions) {
  const auto cpu = make_eye_engine(Backend::cpu, {2});
  EXPECT_EQ(cpu->name(), "cpu");
  EXPECT_NE(cpu->device().find("2 threads"), std::string::npos);
  const EyeInputs eye = test::synthetic_eye({});
  EyeOptions options;
  options.phases = 16;
  options.voltage_bins = 256;
  const std::vector<StatEye> eyes = cpu->run(std::vector<EyeInputs>(3, eye), options);
  ASSERT_EQ(eyes.size(), 3u);
  for (const StatEye& e : eyes) EXPECT_EQ(e.engine, "cpu");
  EXPECT_EQ(eyes[0].map.ratio, eyes[2].map.ratio) << "the same eye twice in a batch gives the same map";
  EXPECT_TRUE(cpu->run({}, options).empty());

  EyeOptions odd = options;
  odd.phases = 15;
  EXPECT_THROW(cpu->run(std::span(&eye, 1), odd), InputError);
  EXPECT_THROW(cpu->run({}, odd), InputError) << "the options are checked without eyes too";
  EXPECT_THROW(make_eye_engine(Backend::reference, {})->run({}, odd), InputError);
  EyeOptions target = options;
  target.target_ratios = {1e-6, 0.7};
  EXPECT_THROW(cpu->run(std::span(&eye, 1), target), InputError);
  EyeInputs flat = eye;
  std::fill(flat.channel.victim_pulse.begin(), flat.channel.victim_pulse.end(), 0.0);
  EXPECT_THROW(cpu->run(std::vector<EyeInputs>{eye, flat}, options), InputError);
}

TEST(EyeEngineChoice, FollowsTheBackend) {
  std::string choice;
  EXPECT_EQ(make_eye_engine(Backend::reference, {}, &choice)->name(), "reference");
  EXPECT_NE(choice.find("reference"), std::string::npos);
  EXPECT_EQ(make_eye_engine(Backend::cpu, {}, &choice)->name(), "cpu");
  EXPECT_NE(choice.find("cpu"), std::string::npos);

  const bool gpu = usable_cuda_device().has_value();
  const auto automatic = make_eye_engine(Backend::automatic, {}, &choice);
  EXPECT_EQ(automatic->name(), gpu ? "cuda" : "cpu");
  EXPECT_NE(choice.find("auto"), std::string::npos) << choice;
  if (gpu) {
    EXPECT_EQ(make_eye_engine(Backend::cuda, {}, &choice)->name(), "cuda");
  } else {
    EXPECT_THROW(make_eye_engine(Backend::cuda, {}, &choice), InputError);
  }
}

// The planners reuse buffers from phase to phase (the plan's, the thread's, the samples'): what
// one phase leaves there (more variables or levels, dual-Dirac variables) must not show in the
// next. Each phase is planned again in a new thread, whose buffers are fresh.
TEST(EyePlanner, PlansEveryPhaseAlikeInReusedAndFreshBuffers) {
  std::mt19937_64 rng(test::test_seed());
  EyeOptions mixing;
  mixing.phases = 16;
  mixing.voltage_bins = 512;
  EyeOptions linearised = mixing;
  linearised.jitter = EyeJitter::linearised;
  linearised.crosstalk = EyeCrosstalk::worst_phase;
  const auto fields = [](const EyePhasePlan& p) {
    return std::tuple(p.levels, p.offsets, p.window, p.half_width, p.padding, p.gaussian_reach, p.gaussian_scale,
                      p.means_V);
  };
  EyePhasePlan reused;
  for (int i = 0; i < 12; ++i) {
    const EyeInputs eye = test::synthetic_eye(test::random_synthetic_eye(rng));
    const EyePlanner planner(eye, i % 2 == 0 ? mixing : linearised);
    for (int e = 0; e < planner.extended_phases(); ++e) {
      planner.plan(e, reused);
      EyePhasePlan fresh;
      std::thread([&] { planner.plan(e, fresh); }).join();
      ASSERT_EQ(fields(reused), fields(fresh)) << "eye " << i << ", extended phase " << e;
    }
  }
}

}  // namespace
}  // namespace eyesweep
