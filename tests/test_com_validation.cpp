// Agreement of the reference engine with the IEEE COM script v3.70 on every case of
// shared/channels/reference-results.md that needs no floating DFE taps (docs/validation.md).
// Tolerances: COM and FOM within 0.1 dB; the script's g_DC, g_DC2 and Tx taps, or the
// script's choice scoring within 0.01 dB of ours; A_s, A_ni and each sigma within 5 %.
#include <gtest/gtest.h>

#include <cmath>
#include <cstdio>
#include <filesystem>

#include "host/com_engine.hpp"
#include "io/config_toml.hpp"
#include "tests/reference_cases.hpp"
#include "tests/test_paths.hpp"

namespace eyesweep::test {
namespace {

constexpr double kDbTolerance = 0.1;
constexpr double kRelativeTolerance = 0.05;
constexpr double kTieTolerance = 0.01;

class ComValidation : public ::testing::TestWithParam<std::size_t> {};

void expect_relative(double ours, double script, const char* what, std::size_t package_case) {
  EXPECT_NEAR(ours, script, kRelativeTolerance * std::abs(script))
      << what << ", package case " << package_case + 1;
}

TEST_P(ComValidation, AgreesWithTheIeeeScript) {
  const ValidationCase vc = validation_cases(shared_dir().string())[GetParam()];
  for (const ChannelInput& input : vc.channels) {
    ASSERT_TRUE(std::filesystem::exists(input.path))
        << "required shared channel file missing: " << input.path
        << " (set EYESWEEP_SHARED_DIR to the folder holding channels/)";
  }
  const ComConfig cfg = load_com_config(std::filesystem::path(EYESWEEP_SOURCE_DIR) / vc.config);
  const std::vector<LoadedChannel> channels = load_channels(vc.channels);
  const ComResult result = run_com(cfg, channels);
  ASSERT_EQ(result.cases.size(), vc.script.size());

  for (std::size_t c = 0; c < result.cases.size(); ++c) {
    const ComCaseResult& ours = result.cases[c];
    const ScriptCaseResult& script = vc.script[c];
    std::printf("%s case %zu: COM %.3f (script %.3f)  FOM %.3f (%.3f)  A_s %.3f (%.3f) mV  "
                "A_ni %.3f (%.3f) mV  g_DC %g/%g (%g/%g)\n",
                vc.name.c_str(), c + 1, ours.com_dB, script.com_dB, ours.fom_dB, script.fom_dB,
                ours.A_s * 1e3, script.A_s_mV, ours.A_ni * 1e3, script.A_ni_mV,
                ours.equalizer.ctle.g_DC_dB, ours.equalizer.ctle.g_DC2_dB, script.g_DC_dB, script.g_DC2_dB);
    EXPECT_NEAR(ours.com_dB, script.com_dB, kDbTolerance) << "COM, package case " << c + 1;
    EXPECT_NEAR(ours.fom_dB, script.fom_dB, kDbTolerance) << "FOM, package case " << c + 1;

    bool same_winner = ours.equalizer.ctle.g_DC_dB == script.g_DC_dB &&
                       ours.equalizer.ctle.g_DC2_dB == script.g_DC2_dB &&
                       ours.equalizer.tx_taps.size() == script.tx_taps.size();
    for (std::size_t k = 0; same_winner && k < script.tx_taps.size(); ++k) {
      same_winner = std::abs(ours.equalizer.tx_taps[k] - script.tx_taps[k]) < 1e-9;
    }
    if (!same_winner) {
      // A different winner is a tie if the script's choice scores within 0.01 dB of ours.
      const CaseResponses responses = prepare_case(cfg, channels, c);
      CtleSetting ctle = ours.equalizer.ctle;
      ctle.g_DC_dB = script.g_DC_dB;
      ctle.g_DC2_dB = script.g_DC2_dB;
      const auto scored = score_equalizer(cfg, responses, ctle, script.tx_taps);
      ASSERT_TRUE(scored.has_value()) << "the script's equaliser gives no valid receiver";
      EXPECT_NEAR(scored->fom_dB, ours.fom_dB, kTieTolerance)
          << "different winner in package case " << c + 1 << " and not a tie";
    }

    expect_relative(ours.A_s * 1e3, script.A_s_mV, "A_s", c);
    expect_relative(ours.A_ni * 1e3, script.A_ni_mV, "A_ni", c);
    const double sigmas[6] = {ours.noise.sigma_isi, ours.noise.sigma_xt, ours.noise.sigma_tx,
                              ours.noise.sigma_n, ours.noise.sigma_rj, ours.noise.sigma_dd};
    const char* names[6] = {"sigma_ISI", "sigma_XT", "sigma_TX", "sigma_N", "sigma_RJ", "sigma_DD"};
    for (int k = 0; k < 6; ++k) expect_relative(sigmas[k] * 1e3, script.sigma_mV[static_cast<std::size_t>(k)], names[k], c);
  }
}

std::string case_name(const ::testing::TestParamInfo<std::size_t>& param) {
  static const char* const kNames[] = {"VitaKr4", "C2cOrthogonalBackplane12dB", "C2cCableAssembly"};
  return kNames[param.param];
}

INSTANTIATE_TEST_SUITE_P(ReferenceResults, ComValidation, ::testing::Values(0u, 1u, 2u), case_name);

}  // namespace
}  // namespace eyesweep::test
