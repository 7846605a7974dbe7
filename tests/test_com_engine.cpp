// Properties of the reference COM engine beyond agreement with the IEEE script: options,
// determinism, refusal of what it cannot do, and scoring a given equaliser.
#include <gtest/gtest.h>

#include <algorithm>
#include <cmath>
#include <filesystem>
#include <string>
#include <vector>

#include "host/com_engine.hpp"
#include "host/engine.hpp"
#include "host/link_eye.hpp"
#include "io/config_toml.hpp"
#include "kernels/common/error.hpp"
#include "tests/test_paths.hpp"

namespace eyesweep::test {
namespace {

std::vector<ChannelInput> vita_channels() {
  const auto dir = std::filesystem::path(EYESWEEP_SOURCE_DIR) / "data" / "channels" / "vita68_example2";
  std::vector<ChannelInput> set{{dir / "example2_THRU.s4p", ChannelKind::thru, {}}};
  for (const char* f : {"example2_FEXT1.s4p", "example2_FEXT2.s4p"}) set.push_back({dir / f, ChannelKind::fext, {}});
  for (const char* f : {"example2_NEXT1.s4p", "example2_NEXT2.s4p", "example2_NEXT3.s4p"}) {
    set.push_back({dir / f, ChannelKind::next, {}});
  }
  return set;
}

ComConfig config(const char* name) {
  return load_com_config(std::filesystem::path(EYESWEEP_SOURCE_DIR) / "configs" / name);
}

class VitaEngine : public ::testing::Test {
 protected:
  static void SetUpTestSuite() { channels_ = new std::vector<LoadedChannel>(load_channels(vita_channels())); }
  static void TearDownTestSuite() { delete channels_; }
  static std::vector<LoadedChannel>* channels_;
};
std::vector<LoadedChannel>* VitaEngine::channels_ = nullptr;

TEST_F(VitaEngine, ResultDoesNotDependOnTheNumberOfThreads) {
  const ComConfig cfg = config("vita_kr4.toml");
  ComRunOptions one, two;
  one.threads = 1;
  two.threads = 3;
  const ComResult a = run_com(cfg, *channels_, one);
  const ComResult b = run_com(cfg, *channels_, two);
  ASSERT_EQ(a.cases.size(), b.cases.size());
  for (std::size_t c = 0; c < a.cases.size(); ++c) {
    EXPECT_EQ(a.cases[c].com_dB, b.cases[c].com_dB);
    EXPECT_EQ(a.cases[c].fom_dB, b.cases[c].fom_dB);
    EXPECT_EQ(a.cases[c].equalizer.tx_taps, b.cases[c].equalizer.tx_taps);
    EXPECT_EQ(a.cases[c].equalizer.cursor_index, b.cases[c].equalizer.cursor_index);
  }
  EXPECT_EQ(a.com_dB, std::min(a.cases[0].com_dB, a.cases[1].com_dB));
}

TEST_F(VitaEngine, ScoringTheWinnerReproducesItsFom) {
  const ComConfig cfg = config("vita_kr4.toml");
  const ComResult result = run_com(cfg, *channels_);
  for (const ComCaseResult& c : result.cases) {
    const CaseResponses responses = prepare_case(cfg, *channels_, c.package_case);
    const auto scored = score_equalizer(cfg, responses, c.equalizer.ctle, c.equalizer.tx_taps);
    ASSERT_TRUE(scored.has_value());
    EXPECT_DOUBLE_EQ(scored->fom_dB, c.fom_dB);
    // and no other point of the grid beats it
    const TxGrid grid = build_tx_grid(cfg);
    const FomEvaluator evaluator(responses, cfg, grid);
    for (const CtleSetting& ctle : build_ctle_grid(cfg)) {
      const CtleContext context = evaluator.make_context(ctle);
      for (std::size_t x = 0; x < grid.num_combinations(); x += 7) {
        const auto point = evaluator.evaluate(context, grid.combination(x), -INFINITY);
        if (point) {
          EXPECT_LE(point->fom_dB, c.fom_dB);
        }
      }
    }
  }
}

TEST_F(VitaEngine, PeakCursorRuleSamplesAtThePeakOfTheEqualizedPulse) {
  ComConfig cfg = config("vita_kr4.toml");
  cfg.cursor_rule = CursorRule::peak;
  const ComResult result = run_com(cfg, *channels_);
  for (const ComCaseResult& c : result.cases) {
    const CaseResponses responses = prepare_case(cfg, *channels_, c.package_case);
    const TxGrid grid = build_tx_grid(cfg);
    const FomEvaluator evaluator(responses, cfg, grid);
    const std::vector<double> pulse =
        evaluator.equalized_pulse(evaluator.make_context(c.equalizer.ctle), c.equalizer.tx_taps.data());
    const auto peak = std::max_element(pulse.begin(), pulse.end()) - pulse.begin();
    EXPECT_EQ(static_cast<std::ptrdiff_t>(c.equalizer.cursor_index), peak);
  }
}

TEST_F(VitaEngine, HoldAndTaperBandExtensionIsAnOptionThatChangesTheResponse) {
  ComConfig cfg = config("vita_kr4.toml");
  const CaseResponses trend = prepare_case(cfg, *channels_, 0);
  cfg.band_extension = BandExtension::hold_and_taper;
  const CaseResponses taper = prepare_case(cfg, *channels_, 0);
  double difference = 0.0;
  for (std::size_t i = 0; i < std::min(trend.thru.impulse.size(), taper.thru.impulse.size()); ++i) {
    difference = std::max(difference, std::abs(trend.thru.impulse[i] - taper.thru.impulse[i]));
  }
  EXPECT_GT(difference, 0.0);
}

// --- Min_VEO_Test: the search scores points by their C2M eye -----------------------------------

/// VITA-KR4 read as a C2M sheet (T_O = 50 mUI) with Min_VEO_Test, on a grid small enough for
/// the eye-scored search (42 points: c(-1) -0.18 .. -0.14, c(1) -0.12 .. 0, g_DC -12, -11 dB).
ComConfig c2m_search_config(double min_veo_test_mV) {
  ComConfig cfg = config("vita_kr4.toml");
  cfg.c2m.T_O_mUI = 50;
  cfg.c2m.min_veo_test_mV = min_veo_test_mV;
  cfg.g_DC_dB = {-12, -11};
  for (TxTapRange& tap : cfg.tx_taps) {
    tap.values = tap.offset < 0 ? std::vector<double>{-0.18, -0.16, -0.14}
                                : std::vector<double>{-0.12, -0.10, -0.08, -0.06, -0.04, -0.02, 0.0};
  }
  return cfg;
}

TEST(MinVeoTest, TheWinnersFomIsItsEyeAndDiffersFromTheGaussianFomsWinner) {
  // THRU only: the search's eye (no crosstalk) is then the final analysis' eye, so the winner's
  // FOM, 20 log10(A_s / N_i) with N_i = A_s - EH / 2, is its COM, 20 log10(2 A_s / (2 A_s - VEO)).
  const std::vector<LoadedChannel> thru = load_channels({vita_channels().front()});
  const ComResult by_eye = run_com(c2m_search_config(5), thru);
  const ComResult by_fom = run_com(c2m_search_config(0), thru);
  ASSERT_EQ(by_eye.cases.size(), by_fom.cases.size());
  bool another_winner = false;
  for (std::size_t c = 0; c < by_eye.cases.size(); ++c) {
    const ComCaseResult& eye = by_eye.cases[c];
    EXPECT_FALSE(eye.min_veo_test_relaxed);
    EXPECT_GT(eye.eye_height, 5e-3);
    EXPECT_NEAR(eye.fom_dB, eye.com_dB, 1e-9) << c;
    EXPECT_GT(by_fom.cases[c].fom_dB, by_fom.cases[c].com_dB + 5) << c;  // the Gaussian FOM is another scale
    // Scoring by the eye is scoring by this COM: its winner is at least as good.
    EXPECT_GE(eye.com_dB, by_fom.cases[c].com_dB) << c;
    another_winner = another_winner || eye.equalizer.tx_taps != by_fom.cases[c].equalizer.tx_taps ||
                     eye.equalizer.ctle.g_DC_dB != by_fom.cases[c].equalizer.ctle.g_DC_dB;
  }
  EXPECT_TRUE(another_winner);
}

TEST_F(VitaEngine, MinVeoTestReadsTheIsiPastTheCursorAtTheWindowsEarlyEdge) {
  // do_C2M: the tail after the DFE span and what the DFE leaves of its span are read
  // floor(T_O / 1000 M) = floor(1.6) = 1 sample before the UI multiples of t_s; the precursors
  // and the DFE taps themselves at t_s (script lines 6133, 6193).
  const ComConfig eye_cfg = c2m_search_config(5), fom_cfg = c2m_search_config(0);
  const CaseResponses responses = prepare_case(fom_cfg, *channels_, 0);
  const TxGrid grid = build_tx_grid(fom_cfg);
  const FomEvaluator by_eye(responses, eye_cfg, grid), by_fom(responses, fom_cfg, grid);
  const CtleContext context = by_fom.make_context(build_ctle_grid(fom_cfg).front());
  const double* taps = grid.combination(grid.num_combinations() / 2);
  const auto gaussian = by_fom.evaluate(context, taps, -INFINITY);
  const auto eye = by_eye.evaluate(context, taps, -INFINITY);
  ASSERT_TRUE(gaussian && eye);
  ASSERT_EQ(eye->cursor_index, gaussian->cursor_index);
  ASSERT_EQ(eye->dfe_taps, gaussian->dfe_taps);
  const std::vector<double> h = by_fom.equalized_pulse(context, taps);
  const auto t_s = static_cast<std::ptrdiff_t>(eye->cursor_index);
  const std::ptrdiff_t M = 32, span = 14, early = 1, N = static_cast<std::ptrdiff_t>(h.size());
  ASSERT_EQ(dfe_span(eye_cfg), span);
  const auto at = [&](std::ptrdiff_t n) { return h[static_cast<std::size_t>(n)]; };
  double isi2 = 0.0;
  for (std::ptrdiff_t n = t_s - M; n >= 0; n -= M) isi2 += at(n) * at(n);
  for (std::ptrdiff_t k = 1; k <= span; ++k) {
    isi2 += std::pow(at(t_s - early + k * M) - eye->dfe_taps[static_cast<std::size_t>(k - 1)] * at(t_s), 2);
  }
  for (std::ptrdiff_t n = t_s - early + M * (span + 1); n < N; n += M) isi2 += at(n) * at(n);
  EXPECT_NEAR(eye->sigma_isi, std::sqrt(isi2), 1e-12);  // sigma_X = 1 for NRZ
  EXPECT_GT(std::abs(eye->sigma_isi - gaussian->sigma_isi), 1e-5);
}

TEST_F(VitaEngine, MinVeoTestNoEyeClearsItSoTheSearchRunsAgainWithZero) {
  // 1 V is beyond every eye: the script searches again with Min_VEO_Test = 0, still by eye,
  // which a limit of 1e-9 mV reproduces (no eye lies between).
  const ComConfig beyond = c2m_search_config(1000);
  const ComResult relaxed = run_com(beyond, *channels_);
  const ComResult tiny = run_com(c2m_search_config(1e-9), *channels_);
  for (std::size_t c = 0; c < relaxed.cases.size(); ++c) {
    EXPECT_TRUE(relaxed.cases[c].min_veo_test_relaxed);
    EXPECT_FALSE(tiny.cases[c].min_veo_test_relaxed);
    EXPECT_EQ(relaxed.cases[c].fom_dB, tiny.cases[c].fom_dB);
    EXPECT_EQ(relaxed.cases[c].com_dB, tiny.cases[c].com_dB);
    EXPECT_EQ(relaxed.cases[c].equalizer.tx_taps, tiny.cases[c].equalizer.tx_taps);
    // The rerun's winner, whose eye is below the sheet's limit, still gives its link eye.
    EXPECT_NO_THROW(winner_eye_inputs(beyond, *channels_, relaxed.cases[c]));
  }
}

TEST_F(VitaEngine, MinVeoTestRunsOnTheReferenceEngineOnly) {
  const ComConfig cfg = c2m_search_config(5);
  for (Backend backend : {Backend::cpu, Backend::cuda}) {
    try {
      make_engine(backend, cfg, {});
      ADD_FAILURE() << "a fast engine accepted Min_VEO_Test";
    } catch (const InputError& e) {
      const std::string message = e.what();
      EXPECT_NE(message.find("Min_VEO_Test"), std::string::npos) << message;
      EXPECT_NE(message.find("use --backend reference"), std::string::npos) << message;
    }
  }
  std::string choice;
  make_engine(Backend::automatic, cfg, {}, &choice);
  EXPECT_EQ(choice.rfind("reference engine (auto: Min_VEO_Test", 0), 0u) << choice;
  // Not with an Rx FFE (its search path does not score by eye).
  ComConfig rx_ffe = cfg;
  rx_ffe.rx_ffe.pre_taps = 1;
  try {
    run_com(rx_ffe, *channels_);
    ADD_FAILURE() << "an Rx FFE with Min_VEO_Test was accepted";
  } catch (const InputError& e) {
    EXPECT_NE(std::string(e.what()).find("with Min_VEO_Test != 0"), std::string::npos) << e.what();
  }
}

/// On the orthogonal backplane the KR receiver's floating taps must reduce the residual ISI
/// against the fixed taps alone, for the same equaliser, and every tap must keep its limit.
TEST(FloatingDfe, ReducesResidualIsiAndKeepsTheTapLimits) {
  const ComConfig cfg = config("ieee8023ck_kr.toml");
  ASSERT_GT(cfg.floating.N_bg, 0);
  const std::vector<LoadedChannel> channels =
      load_channels({{shared_file("channels/ieee8023ck_orthobp_12dB/DPO_4in_Meg7_THRU.s4p"), ChannelKind::thru, {}}});
  const CaseResponses responses = prepare_case(cfg, channels, 0);
  ComConfig fixed_only = cfg;
  fixed_only.floating.N_bg = 0;
  const TxGrid grid = build_tx_grid(cfg);
  const FomEvaluator with_floating(responses, cfg, grid);
  const FomEvaluator without(responses, fixed_only, grid);
  int improved = 0, compared = 0;
  for (const CtleSetting& ctle : build_ctle_grid(cfg)) {
    if (ctle.g_DC_dB > -10.0 || ctle.g_DC2_dB != -2.0) continue;  // a slice of the grid is enough
    const CtleContext a = with_floating.make_context(ctle), a_fixed = without.make_context(ctle);
    for (std::size_t x = 0; x < grid.num_combinations(); x += 97) {
      const auto p = with_floating.evaluate(a, grid.combination(x), -INFINITY);
      const auto q = without.evaluate(a_fixed, grid.combination(x), -INFINITY);
      ASSERT_EQ(p.has_value(), q.has_value());
      if (!p) continue;
      ++compared;
      EXPECT_LE(p->sigma_isi, q->sigma_isi * (1.0 + 1e-12));
      improved += p->sigma_isi < q->sigma_isi;
      ASSERT_EQ(p->floating_taps.size(), static_cast<std::size_t>(cfg.floating.N_bg * cfg.floating.N_bf));
      ASSERT_EQ(p->dfe_taps.size(), static_cast<std::size_t>(cfg.floating.N_f));
      for (int k = 1; k <= cfg.floating.N_f; ++k) {
        const double b = p->dfe_taps[static_cast<std::size_t>(k - 1)];
        const bool floating = std::find(p->floating_taps.begin(), p->floating_taps.end(), k) != p->floating_taps.end();
        if (k <= cfg.N_b) {
          EXPECT_LE(b, cfg.b_max[static_cast<std::size_t>(k - 1)] + 1e-12);
          EXPECT_GE(b, cfg.b_min[static_cast<std::size_t>(k - 1)] - 1e-12);
        } else if (floating) {
          EXPECT_LE(std::abs(b), cfg.floating.bmaxg + 1e-12) << "floating tap " << k;
          EXPECT_GT(k, cfg.N_b);
        } else {
          EXPECT_EQ(b, 0.0) << "tap " << k << " is neither fixed nor floating";
        }
      }
      double tail = 0.0;
      for (int k = cfg.floating.N_tail_start; k <= cfg.floating.N_f; ++k) tail += std::pow(p->dfe_taps[static_cast<std::size_t>(k - 1)], 2);
      EXPECT_LE(std::sqrt(tail), cfg.floating.B_float_RSS_MAX + 1e-12);
    }
  }
  EXPECT_GT(compared, 50);
  EXPECT_GT(improved, compared / 2) << "floating taps rarely reduced the residual ISI";
}

TEST(ComEngine, RefusesAggressorsOnAnotherFrequencyAxis) {
  auto inputs = vita_channels();
  inputs.resize(1);
  const auto dpo = shared_file("channels/ieee8023ck_orthobp_12dB/DPO_4in_Meg7_FENG89.s4p");
  inputs.push_back({dpo, ChannelKind::fext, {}});
  try {
    load_channels(inputs);
    FAIL() << "expected an InputError";
  } catch (const InputError& e) {
    EXPECT_NE(std::string(e.what()).find("DPO_4in_Meg7_FENG89.s4p"), std::string::npos) << e.what();
    EXPECT_NE(std::string(e.what()).find("frequency"), std::string::npos) << e.what();
  }
}

TEST(EqGrid, TxCombinationsAreEnumeratedWithIntegerStepsAndTheC0Limit) {
  const ComConfig cfg = config("ieee8023ck_c2c.toml");
  const TxGrid grid = build_tx_grid(cfg);
  EXPECT_EQ(grid.first_offset, -3);
  EXPECT_EQ(grid.num_taps, 5u);
  EXPECT_EQ(grid.num_enumerated, 3u * 6u * 15u * 6u);
  for (std::size_t i = 0; i < grid.num_combinations(); ++i) {
    const double* c = grid.combination(i);
    double sum = 0.0;
    for (std::size_t k = 0; k < grid.num_taps; ++k) sum += std::abs(c[k]);
    EXPECT_NEAR(sum, 1.0, 1e-12);
    EXPECT_GE(c[grid.main_index()], cfg.c0_min - 1e-12);
  }
  // A brute-force count in units of the 0.02 step: |c(-3)| + c(-2) + |c(-1)| + |c(1)| <= 0.46.
  std::size_t legal = 0;
  for (int a = 0; a <= 2; ++a)
    for (int b = 0; b <= 5; ++b)
      for (int d = 0; d <= 14; ++d)
        for (int e = 0; e <= 5; ++e) legal += (a + b + d + e <= 23) ? 1 : 0;
  EXPECT_EQ(grid.num_combinations(), legal);
  EXPECT_EQ(build_ctle_grid(cfg).size(), 21u * 5u);
}

TEST(EqGrid, RefusesATxGridTooLargeToSearch) {
  ComConfig cfg = config("ieee8023ck_c2c.toml");
  for (TxTapRange& tap : cfg.tx_taps) tap.values.assign(1000, 0.0);
  try {
    build_tx_grid(cfg);
    FAIL() << "expected an InputError";
  } catch (const InputError& e) {
    EXPECT_NE(std::string(e.what()).find("c(k)"), std::string::npos) << e.what();
  }
}

}  // namespace
}  // namespace eyesweep::test
