// Measured boards inside the linear-drive link (host/measured_board, [[tx_boards]] and
// [[rx_boards]] of a sweep): a Touchstone board equal to the link's own line-model board gives
// the same channel and COM; a measured board's crosstalk files replace that side's
// parametric laws; bad files are refused with their name.
#include <gtest/gtest.h>

#include <unistd.h>

#include <cmath>
#include <complex>
#include <cstddef>
#include <cstdio>
#include <filesystem>
#include <fstream>
#include <string>
#include <vector>

#include "host/com_engine.hpp"
#include "host/lpo_link.hpp"
#include "host/measured_board.hpp"
#include "host/two_port.hpp"
#include "io/config_toml.hpp"
#include "kernels/common/error.hpp"

namespace eyesweep {
namespace {

namespace fs = std::filesystem;
using cd = std::complex<double>;

ComConfig thinned_host() {
  return load_com_config(fs::path(EYESWEEP_TEST_DATA_DIR) / "sweep" / "lpo_host_small.toml");
}

fs::path scratch() {
  const fs::path dir = fs::temp_directory_path() / ("eyesweep_test_boards_" + std::to_string(getpid()));
  fs::create_directories(dir);
  return dir;
}

/// Writes `s` as a single-ended 4-port of two uncoupled lines (ports 1 -> 2 and 3 -> 4, each
/// with S = s): with the port order 1 3 2 4 its differential 2-port is `s` itself.
fs::path write_board(const fs::path& path, const std::vector<double>& f_GHz, const TwoPort& s) {
  std::ofstream out(path);
  out.precision(17);
  out << "! two uncoupled lines: differential 2-port = each line's S\n# GHz S RI R 50\n";
  for (std::size_t k = 0; k < f_GHz.size(); ++k) {
    const cd zero = 0.0;
    const cd rows[4][4] = {{s.s11[k], s.s12[k], zero, zero},
                           {s.s21[k], s.s22[k], zero, zero},
                           {zero, zero, s.s11[k], s.s12[k]},
                           {zero, zero, s.s21[k], s.s22[k]}};
    out << f_GHz[k];
    for (const auto& row : rows) {
      for (const cd& value : row) out << ' ' << value.real() << ' ' << value.imag();
      out << '\n';
    }
  }
  return path;
}

/// The link's line-model board of `loss_dB` at Nyquist on the grid f.
TwoPort line_board(const ComConfig& host, const LpoLink& link, double loss_dB, const std::vector<double>& f) {
  const LineModel& line = host.board.line;
  const double dB_per_mm = 20.0 * std::log10(std::exp(1.0)) * line_gamma(host.f_b_GBd / 2.0, line).real();
  return transmission_line(f, line, link.board_impedance_ohm, loss_dB / dB_per_mm, host.R_0_ohm);
}

TEST(MeasuredBoard, TheLineModelWrittenToFilesGivesTheLineModelsLink) {
  const ComConfig host = thinned_host();
  LpoLink link = lpo_link_from({}, host);
  link.tx_board_loss_dB = 7.0;
  link.rx_board_loss_dB = 11.0;
  // The files cover the link's band from DC in its own steps, so resampling only copies.
  const std::vector<double> f = lpo_frequencies_GHz(host);
  const fs::path dir = scratch();
  const ChannelFileSet tx_files{"tx", write_board(dir / "tx.s4p", f, line_board(host, link, 7.0, f)), {}, {}, ""};
  const ChannelFileSet rx_files{"rx", write_board(dir / "rx.s4p", f, line_board(host, link, 11.0, f)), {}, {}, ""};
  const MeasuredBoard tx = load_measured_board(tx_files, host, f), rx = load_measured_board(rx_files, host, f);

  const LpoVariant model = build_lpo_variant(link, host);
  const LpoVariant measured = build_lpo_variant(link, host, {&tx, &rx});
  ASSERT_EQ(measured.variant.channels->size(), model.variant.channels->size()) << "the same parametric aggressors";
  const DifferentialNetwork& a = model.variant.channels->front().network;
  const DifferentialNetwork& b = measured.variant.channels->front().network;
  for (std::size_t k = 0; k < f.size(); k += 97) {
    EXPECT_NEAR(std::abs(b.sdd21[k] - a.sdd21[k]), 0.0, 1e-9 * std::abs(a.sdd21[k]) + 1e-15) << f[k] << " GHz";
    EXPECT_NEAR(std::abs(b.sdd11[k] - a.sdd11[k]), 0.0, 1e-12) << f[k] << " GHz";
  }
  const double com_model = run_com(variant_config(host, model.variant), *model.variant.channels).com_dB;
  const double com_measured = run_com(variant_config(host, measured.variant), *measured.variant.channels).com_dB;
  // The parametric crosstalk runs on a line of the measured loss at Nyquist (|S21| between
  // grid points interpolated), a hair from the asked loss.
  EXPECT_NEAR(com_measured, com_model, 0.01);
  std::printf("line-model boards: COM %.4f dB; the same boards from files: %.4f dB\n", com_model, com_measured);
  fs::remove_all(dir);
}

TEST(MeasuredBoard, ItsCrosstalkFilesReplaceThatSidesParametricLaws) {
  const ComConfig host = thinned_host();
  LpoLink link = lpo_link_from({}, host);
  link.optical_aggressors = 0.0;
  const std::vector<double> f = lpo_frequencies_GHz(host);
  const fs::path dir = scratch();
  // Crosstalk paths as scaled copies of a lossy line: 30 dB below it.
  TwoPort coupled = line_board(host, link, 10.0, f);
  for (auto* s : {&coupled.s21, &coupled.s12}) {
    for (cd& value : *s) value *= 0.03;
  }
  const fs::path thru = write_board(dir / "thru.s4p", f, line_board(host, link, 8.0, f));
  const fs::path path = write_board(dir / "xt.s4p", f, coupled);
  const MeasuredBoard tx = load_measured_board({"tx", thru, {path, path}, {}, ""}, host, f);
  const MeasuredBoard rx = load_measured_board({"rx", thru, {path}, {path, path, path}, ""}, host, f);

  const LpoVariant v = build_lpo_variant(link, host, {&tx, &rx});
  std::vector<std::string> names;
  for (std::size_t k = 1; k < v.variant.channels->size(); ++k) names.push_back((*v.variant.channels)[k].input.path.string());
  const std::vector<std::string> expected{"lpo_tx_board_fext1", "lpo_tx_board_fext2", "lpo_rx_board_fext1 (rx)",
                                          "lpo_rx_board_next1 (rx)", "lpo_rx_board_next2 (rx)",
                                          "lpo_rx_board_next3 (rx)"};
  EXPECT_EQ(names, expected);
  // A measured Tx-side FEXT path passes the module: the victim's chain with the coupled path
  // in place of the Tx-side board, scaled to the host transmitter's amplitude.
  const auto& victim = v.variant.channels->front().network;
  const auto& aggressor = (*v.variant.channels)[1].network;
  const double scale = *v.variant.scalars.A_v / *v.variant.scalars.A_fe;
  for (std::size_t k = 100; k < f.size(); k += 997) {
    const cd expected_s21 = victim.sdd21[k] / tx.thru.s21[k] * tx.fext[0].s21[k] * scale;
    EXPECT_NEAR(std::abs(aggressor.sdd21[k] - expected_s21), 0.0, 1e-9 * std::abs(expected_s21)) << f[k] << " GHz";
  }
  // Without crosstalk files the parametric laws apply on both sides.
  const MeasuredBoard bare = load_measured_board({"bare", thru, {}, {}, ""}, host, f);
  const LpoVariant p = build_lpo_variant(link, host, {&bare, &bare});
  EXPECT_EQ(p.variant.channels->size(),
            1 + static_cast<std::size_t>(link.tx_board_fext_aggressors + link.board_fext_aggressors +
                                         link.board_next_aggressors));
  fs::remove_all(dir);
}

TEST(MeasuredBoard, AnAntiCausalBoardIsRefusedWithItsName) {
  const ComConfig host = thinned_host();
  const LpoLink link = lpo_link_from({}, host);
  const std::vector<double> f = lpo_frequencies_GHz(host);
  TwoPort advanced = line_board(host, link, 8.0, f);
  for (cd& value : advanced.s21) value = std::conj(value);  // phase rising with frequency
  const fs::path dir = scratch();
  const fs::path path = write_board(dir / "advanced.s4p", f, advanced);
  try {
    load_measured_board({"advanced", path, {}, {}, ""}, host, f);
    FAIL() << "an anti-causal board must be refused";
  } catch (const InputError& e) {
    EXPECT_NE(std::string(e.what()).find("advanced.s4p"), std::string::npos) << e.what();
  }
  fs::remove_all(dir);
}

}  // namespace
}  // namespace eyesweep
