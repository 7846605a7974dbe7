// Tests of host/two_port and host/package: the Annex 93A elements against closed forms and
// the golden transmission-line files, the 2-port algebra, and the packaged transfer function
// against an independent ABCD-matrix derivation written here.
#include <algorithm>
#include <cmath>
#include <complex>
#include <cstddef>
#include <cstdio>
#include <numbers>
#include <string>
#include <vector>

#include <gtest/gtest.h>

#include "host/com_config.hpp"
#include "host/package.hpp"
#include "host/two_port.hpp"
#include "io/touchstone.hpp"
#include "kernels/common/error.hpp"
#include "tests/test_paths.hpp"

namespace eyesweep {
namespace {

using cd = std::complex<double>;
constexpr double pi = std::numbers::pi;
constexpr cd j1{0.0, 1.0};

/// 0 .. 60 GHz every 0.25 GHz, plus the 802.3ck Nyquist frequency and a few awkward points.
std::vector<double> test_grid() {
  std::vector<double> f;
  for (int i = 0; i <= 240; ++i) f.push_back(0.25 * i);
  for (const double extra : {1e-9, 0.01, 0.37, 26.5625, 53.125}) f.push_back(extra);
  return f;
}

double max_abs_diff(const std::vector<cd>& a, const std::vector<cd>& b) {
  EXPECT_EQ(a.size(), b.size());
  double worst = 0.0;
  for (std::size_t i = 0; i < std::min(a.size(), b.size()); ++i) {
    worst = std::max(worst, std::abs(a[i] - b[i]));
  }
  return worst;
}

double max_abs_diff(const TwoPort& a, const TwoPort& b) {
  return std::max({max_abs_diff(a.s11, b.s11), max_abs_diff(a.s12, b.s12),
                   max_abs_diff(a.s21, b.s21), max_abs_diff(a.s22, b.s22)});
}

// --- an independent model: ABCD matrices in a reference-R0 system ----------------------------

struct Abcd {
  cd a{1.0}, b{0.0}, c{0.0}, d{1.0};
};

Abcd operator*(const Abcd& x, const Abcd& y) {
  return {x.a * y.a + x.b * y.c, x.a * y.b + x.b * y.d, x.c * y.a + x.d * y.c,
          x.c * y.b + x.d * y.d};
}

Abcd shunt_y(cd y) { return {1.0, 0.0, y, 1.0}; }
Abcd series_z(cd z) { return {1.0, z, 0.0, 1.0}; }
Abcd shunt_c_abcd(double f_GHz, double C_nF) { return shunt_y(j1 * (2.0 * pi * f_GHz * C_nF)); }
Abcd series_l_abcd(double f_GHz, double L_nH) { return series_z(j1 * (2.0 * pi * f_GHz * L_nH)); }

/// Annex 93A line: a differential line of impedance Zc seen by two R0 single-ended ports is a
/// line of impedance Zc / 2 in the R0 system (rho = (Zc/2 - R0)/(Zc/2 + R0)).
Abcd line_abcd(double f_GHz, const LineModel& m, double Zc, double d_mm) {
  // gamma written out term by term from eq. 93A-9 .. 93A-11, with its f = 0 limit.
  cd gamma = m.gamma0_per_mm;
  if (f_GHz > 0.0) {
    gamma += m.a1 * std::sqrt(f_GHz) + j1 * m.a1 * std::sqrt(f_GHz);
    gamma += m.a2 * f_GHz - j1 * (2.0 * m.a2 * f_GHz * std::log(f_GHz) / pi);
    gamma += j1 * (2.0 * pi * m.tau_ns_per_mm * f_GHz);
  }
  const cd theta = gamma * d_mm;
  const double zl = Zc / 2.0;
  return {std::cosh(theta), zl * std::sinh(theta), std::sinh(theta) / zl, std::cosh(theta)};
}

SMatrix2 abcd_to_s(const Abcd& m, double R0) {
  const cd den = m.a + m.b / R0 + m.c * R0 + m.d;
  return {(m.a + m.b / R0 - m.c * R0 - m.d) / den, 2.0 * (m.a * m.d - m.b * m.c) / den,
          2.0 / den, (-m.a + m.b / R0 - m.c * R0 + m.d) / den};
}

Abcd s_to_abcd(const SMatrix2& s, double R0) {
  const cd p = s.s12 * s.s21;
  const cd k = 2.0 * s.s21;
  return {((1.0 + s.s11) * (1.0 - s.s22) + p) / k, R0 * ((1.0 + s.s11) * (1.0 + s.s22) - p) / k,
          ((1.0 - s.s11) * (1.0 - s.s22) - p) / (k * R0), ((1.0 - s.s11) * (1.0 + s.s22) + p) / k};
}

/// Twice the load voltage over the source EMF: source R_s, load R_l (nodal analysis on ABCD).
cd abcd_transfer(const Abcd& m, double R_s, double R_l) {
  return 2.0 * R_l / (m.a * R_l + m.b + m.c * R_s * R_l + m.d * R_s);
}

/// A non-symmetric, slightly non-reciprocal test channel (like a measured one): board line,
/// a via capacitance, a second line of another impedance; s12 is then perturbed by 1 %.
TwoPort test_channel(const std::vector<double>& f, double R0) {
  const LineModel board{0.0, 4.114e-4, 2.547e-4, 6.191e-3};
  TwoPort ch = TwoPort::identity(f.size());
  for (std::size_t i = 0; i < f.size(); ++i) {
    const Abcd m = line_abcd(f[i], board, 95.0, 120.0) * shunt_c_abcd(f[i], 2.0e-4) *
                   line_abcd(f[i], board, 88.0, 35.0);
    SMatrix2 s = abcd_to_s(m, R0);
    s.s12 *= cd{1.0, 0.01};
    ch.set(i, s);
  }
  return ch;
}

// --- configurations ---------------------------------------------------------------------------

/// The 802.3ck C2C sheet's package (com-reference.md section 5), two package cases. FEXT
/// lengths differ from TX so that a wrong selection shows.
ComConfig c2c_config() {
  ComConfig cfg;
  cfg.source = "c2c-test";
  cfg.R_0_ohm = 50.0;
  PackageSide side;
  side.C_d_nF = {1.2e-4};
  side.L_s_nH = {0.12};
  side.C_b_nF = 0.3e-4;
  side.C_p_nF = 0.87e-4;
  side.R_d_ohm = 50.0;
  side.Z_c_ohm = {87.5, 92.5};
  cfg.tx_package = side;
  cfg.rx_package = side;
  cfg.package_line = {0.0, 9.909e-4, 2.772e-4, 6.141e-3};
  cfg.package_cases = {{{13.0, 1.8}, {11.0, 1.8}, {20.0, 1.8}, {11.0, 1.8}},
                       {{31.0, 1.8}, {29.0, 1.8}, {25.0, 1.8}, {29.0, 1.8}}};
  return cfg;
}

/// An 802.3dj-like package with 3-element C_d/L_s ladders; the Rx side differs from the Tx
/// side (values and R_d) so that orientation mistakes show.
ComConfig dj_config() {
  ComConfig cfg;
  cfg.source = "dj-test";
  cfg.R_0_ohm = 50.0;
  cfg.tx_package.C_d_nF = {4.0e-5, 9.0e-5, 1.1e-4};
  cfg.tx_package.L_s_nH = {0.13, 0.15, 0.14};
  cfg.tx_package.C_b_nF = 3.0e-5;
  cfg.tx_package.C_p_nF = 4.0e-5;
  cfg.tx_package.R_d_ohm = 45.0;
  cfg.tx_package.Z_c_ohm = {87.5, 92.5};
  cfg.rx_package.C_d_nF = {1.0e-4, 5.0e-5, 7.0e-5};
  cfg.rx_package.L_s_nH = {0.11, 0.16, 0.12};
  cfg.rx_package.C_b_nF = 2.0e-5;
  cfg.rx_package.C_p_nF = 6.0e-5;
  cfg.rx_package.R_d_ohm = 55.0;
  cfg.rx_package.Z_c_ohm = {85.0, 95.0};
  cfg.package_line = {5e-4, 8.9e-4, 2e-4, 6.141e-3};
  cfg.package_cases = {{{33.0, 1.8}, {12.0, 1.8}, {21.0, 2.5}, {27.0, 1.2}}};
  return cfg;
}

void add_board(ComConfig& cfg) {
  cfg.board.include = true;
  cfg.board.line = {0.0, 4.114e-4, 2.547e-4, 6.191e-3};
  cfg.board.Z_c_ohm = 109.8;
  cfg.board.z_bp_tx_mm = 151.0;
  cfg.board.z_bp_next_mm = 72.0;
  cfg.board.z_bp_fext_mm = 60.0;
  cfg.board.z_bp_rx_mm = 110.0;
  cfg.board.C_0_nF = 2.9e-4;
  cfg.board.C_1_nF = 1.9e-4;
}

/// One package side in ABCD form, die first, built element by element from the sheet.
Abcd package_abcd(double f, const ComConfig& cfg, const PackageSide& side,
                  const std::vector<double>& z_p) {
  Abcd m;
  for (std::size_t k = 0; k < side.C_d_nF.size(); ++k) {
    m = m * shunt_c_abcd(f, side.C_d_nF[k]) * series_l_abcd(f, side.L_s_nH[k]);
  }
  m = m * shunt_c_abcd(f, side.C_b_nF);
  for (std::size_t k = 0; k < z_p.size(); ++k) {
    m = m * line_abcd(f, cfg.package_line, side.Z_c_ohm[k], z_p[k]);
  }
  return m * shunt_c_abcd(f, side.C_p_nF);
}

/// The same side with its elements in the reverse order (the receive-side mirror image).
Abcd package_abcd_mirrored(double f, const ComConfig& cfg, const PackageSide& side,
                           const std::vector<double>& z_p) {
  Abcd m = shunt_c_abcd(f, side.C_p_nF);
  for (std::size_t k = z_p.size(); k-- > 0;) {
    m = m * line_abcd(f, cfg.package_line, side.Z_c_ohm[k], z_p[k]);
  }
  m = m * shunt_c_abcd(f, side.C_b_nF);
  for (std::size_t k = side.C_d_nF.size(); k-- > 0;) {
    m = m * series_l_abcd(f, side.L_s_nH[k]) * shunt_c_abcd(f, side.C_d_nF[k]);
  }
  return m;
}

const std::vector<double>& tx_lengths(const PackageCase& c, ChannelKind kind) {
  switch (kind) {
    case ChannelKind::thru: return c.z_p_tx_mm;
    case ChannelKind::fext: return c.z_p_fext_mm;
    case ChannelKind::next: return c.z_p_next_mm;
  }
  return c.z_p_tx_mm;
}

/// H21 from the ABCD model: the script's element order; with the board, its z_bp choice
/// per kind (NEXT: z_bp (RX) before the channel, z_bp (NEXT) after it) and its use of the
/// channel's SDD12 as the forward path (add_brd).
std::vector<cd> expected_transfer(const TwoPort& ch, const std::vector<double>& f,
                                  const ComConfig& cfg, ChannelKind kind, std::size_t pc) {
  const PackageCase& c = cfg.package_cases[pc];
  const BoardModel& b = cfg.board;
  double z_bp_tx = b.z_bp_tx_mm, z_bp_rx = b.z_bp_rx_mm;
  if (kind == ChannelKind::fext) z_bp_tx = b.z_bp_fext_mm;
  if (kind == ChannelKind::next) {
    z_bp_tx = b.z_bp_rx_mm;
    z_bp_rx = b.z_bp_next_mm;
  }
  std::vector<cd> h(f.size());
  for (std::size_t i = 0; i < f.size(); ++i) {
    SMatrix2 s = ch.at(i);
    Abcd m = package_abcd(f[i], cfg, cfg.tx_package, tx_lengths(c, kind));
    if (b.include) {
      std::swap(s.s12, s.s21);
      m = m * shunt_c_abcd(f[i], b.C_0_nF) * line_abcd(f[i], b.line, b.Z_c_ohm, z_bp_tx) *
          shunt_c_abcd(f[i], b.C_1_nF);
    }
    m = m * s_to_abcd(s, cfg.R_0_ohm);
    if (b.include) {
      m = m * shunt_c_abcd(f[i], b.C_1_nF) * line_abcd(f[i], b.line, b.Z_c_ohm, z_bp_rx) *
          shunt_c_abcd(f[i], b.C_0_nF);
    }
    m = m * package_abcd_mirrored(f[i], cfg, cfg.rx_package, c.z_p_rx_mm);
    h[i] = abcd_transfer(m, cfg.tx_package.R_d_ohm, cfg.rx_package.R_d_ohm);
  }
  return h;
}

void expect_reciprocal_and_passive(const TwoPort& s, const std::string& what) {
  for (std::size_t i = 0; i < s.size(); ++i) {
    EXPECT_LT(std::abs(s.s12[i] - s.s21[i]), 1e-15) << what << " at index " << i;
    EXPECT_LE(std::norm(s.s21[i]) + std::norm(s.s11[i]), 1.0 + 1e-12) << what << " at " << i;
    EXPECT_LE(std::norm(s.s12[i]) + std::norm(s.s22[i]), 1.0 + 1e-12) << what << " at " << i;
  }
}

// --- golden transmission-line files ------------------------------------------------------------

struct GoldenLine {
  const char* file;
  LineModel line;
  double Z_c;
  double d_mm;
};

TEST(TransmissionLine, MatchesGoldenFiles) {
  const LineModel package{0.0, 1.734e-3, 1.455e-4, 6.141e-3};
  const LineModel host{0.0, 4.114e-4, 2.547e-4, 6.191e-3};
  const GoldenLine cases[] = {{"Package_12", package, 78.2, 12.0},
                              {"Package_30", package, 78.2, 30.0},
                              {"Host_68", host, 109.8, 68.0},
                              {"Host_141", host, 109.8, 141.0}};
  for (const GoldenLine& g : cases) {
    const Network golden = read_touchstone(
        test::shared_file(std::string("channels/com_tline_golden/com_tline_") + g.file + ".s2p"));
    ASSERT_EQ(golden.num_ports, 2) << g.file;
    ASSERT_EQ(golden.num_freqs(), 6001u) << g.file;
    std::vector<double> f_GHz(golden.num_freqs());
    for (std::size_t i = 0; i < f_GHz.size(); ++i) f_GHz[i] = golden.freq_hz[i] / 1e9;
    const TwoPort s = transmission_line(f_GHz, g.line, g.Z_c, g.d_mm, 50.0);
    double d11 = 0.0, d21 = 0.0, d12 = 0.0, d22 = 0.0;
    for (std::size_t i = 0; i < f_GHz.size(); ++i) {
      d11 = std::max(d11, std::abs(s.s11[i] - golden.at(i, 0, 0)));
      d12 = std::max(d12, std::abs(s.s12[i] - golden.at(i, 0, 1)));
      d21 = std::max(d21, std::abs(s.s21[i] - golden.at(i, 1, 0)));
      d22 = std::max(d22, std::abs(s.s22[i] - golden.at(i, 1, 1)));
    }
    // The files hold 6 decimals of magnitude and of angle in degrees: rounding alone is
    // up to about 5e-7, so 1e-6 is the tightest meaningful bound.
    EXPECT_LT(d21, 1e-6) << g.file;
    EXPECT_LT(d11, 1e-6) << g.file;
    EXPECT_LT(d12, 1e-6) << g.file;
    EXPECT_LT(d22, 1e-6) << g.file;
    std::printf("%-10s max |dS11| %.2e  |dS21| %.2e\n", g.file, d11, d21);
  }
}

TEST(TransmissionLine, ReferenceLossAtNyquist) {
  const LineModel package{0.0, 1.734e-3, 1.455e-4, 6.141e-3};
  const std::vector<double> f{53.125};
  const auto db = [&](double d_mm) {
    return 20.0 * std::log10(std::abs(transmission_line(f, package, 78.2, d_mm, 50.0).s21[0]));
  };
  const double db12 = db(12.0);
  const double db30 = db(30.0);
  // The quoted values are cut, not rounded, to 3 decimals: the golden Package_30 file
  // itself gives -5.47632 dB at 53.12 GHz and -5.47695 dB at 53.13 GHz (we get -5.47663).
  EXPECT_NEAR(db12, -2.228, 1e-3);
  EXPECT_NEAR(db30, -5.476, 1e-3);
}

TEST(TransmissionLine, MatchesAbcdModelIncludingDcLoss) {
  const std::vector<double> f = test_grid();
  const LineModel lossy{2e-3, 9.909e-4, 2.772e-4, 6.141e-3};  // gamma_0 != 0: DC loss
  const TwoPort s = transmission_line(f, lossy, 87.5, 23.0, 50.0);
  for (std::size_t i = 0; i < f.size(); ++i) {
    const SMatrix2 e = abcd_to_s(line_abcd(f[i], lossy, 87.5, 23.0), 50.0);
    EXPECT_LT(std::abs(s.s11[i] - e.s11), 1e-13) << f[i];
    EXPECT_LT(std::abs(s.s21[i] - e.s21), 1e-13) << f[i];
    EXPECT_TRUE(std::isfinite(s.s21[i].real()) && std::isfinite(s.s11[i].imag())) << f[i];
  }
  EXPECT_LT(std::abs(s.s21[0]), 1.0);  // f = 0 carries the gamma_0 loss, without log(0)
}

TEST(TransmissionLine, LosslessMatchedLineIsAPureDelay) {
  const std::vector<double> f = test_grid();
  const LineModel lossless{0.0, 0.0, 0.0, 6.141e-3};
  const double d = 31.0;
  const TwoPort s = transmission_line(f, lossless, 100.0, d, 50.0);
  for (std::size_t i = 0; i < f.size(); ++i) {
    EXPECT_NEAR(std::abs(s.s21[i]), 1.0, 1e-14);
    EXPECT_LT(std::abs(s.s21[i] - std::exp(-j1 * (2.0 * pi * f[i] * 6.141e-3 * d))), 1e-12);
    EXPECT_EQ(std::abs(s.s11[i]), 0.0);
  }
}

TEST(TransmissionLine, ZeroLengthIsIdentityWhateverZc) {
  const std::vector<double> f = test_grid();
  const LineModel package{0.0, 1.734e-3, 1.455e-4, 6.141e-3};
  const TwoPort id = TwoPort::identity(f.size());
  EXPECT_EQ(max_abs_diff(transmission_line(f, package, 78.2, 0.0, 50.0), id), 0.0);
  EXPECT_EQ(max_abs_diff(transmission_line(f, package, 0.0, 0.0, 50.0), id), 0.0);
}

TEST(TransmissionLine, CascadeOfTwoLengthsIsTheSum) {
  const std::vector<double> f = test_grid();
  const LineModel m{1e-3, 9.909e-4, 2.772e-4, 6.141e-3};
  for (const double Zc : {78.2, 100.0, 109.8}) {
    const TwoPort ab = cascade(transmission_line(f, m, Zc, 12.0, 50.0),
                               transmission_line(f, m, Zc, 18.5, 50.0));
    EXPECT_LT(max_abs_diff(ab, transmission_line(f, m, Zc, 30.5, 50.0)), 1e-12) << Zc;
  }
}

// --- lumped elements ---------------------------------------------------------------------------

TEST(LumpedElements, ShuntCapacitanceClosedForm) {
  const std::vector<double> f = test_grid();
  const double C = 1.2e-4, R0 = 50.0;
  const TwoPort s = shunt_capacitance(f, C, R0);
  for (std::size_t i = 0; i < f.size(); ++i) {
    const cd jwcr = j1 * 2.0 * pi * f[i] * C * R0;
    EXPECT_LT(std::abs(s.s11[i] - (-jwcr / (2.0 + jwcr))), 1e-15);
    EXPECT_LT(std::abs(s.s22[i] - (-jwcr / (2.0 + jwcr))), 1e-15);
    EXPECT_LT(std::abs(s.s21[i] - 2.0 / (2.0 + jwcr)), 1e-15);
    EXPECT_LT(std::abs(s.s12[i] - 2.0 / (2.0 + jwcr)), 1e-15);
    const SMatrix2 e = abcd_to_s(shunt_c_abcd(f[i], C), R0);
    EXPECT_LT(std::abs(s.s11[i] - e.s11) + std::abs(s.s21[i] - e.s21), 1e-15);
  }
  EXPECT_EQ(s.s21[0], cd(1.0));  // f = 0: an open circuit
}

TEST(LumpedElements, SeriesInductanceClosedForm) {
  const std::vector<double> f = test_grid();
  const double L = 0.12, R0 = 50.0;
  const TwoPort s = series_inductance(f, L, R0);
  for (std::size_t i = 0; i < f.size(); ++i) {
    const cd jwl = j1 * 2.0 * pi * f[i] * L / R0;
    EXPECT_LT(std::abs(s.s11[i] - jwl / (2.0 + jwl)), 1e-15);
    EXPECT_LT(std::abs(s.s22[i] - jwl / (2.0 + jwl)), 1e-15);
    EXPECT_LT(std::abs(s.s21[i] - 2.0 / (2.0 + jwl)), 1e-15);
    EXPECT_LT(std::abs(s.s12[i] - 2.0 / (2.0 + jwl)), 1e-15);
    const SMatrix2 e = abcd_to_s(series_l_abcd(f[i], L), R0);
    EXPECT_LT(std::abs(s.s11[i] - e.s11) + std::abs(s.s21[i] - e.s21), 1e-15);
  }
  EXPECT_EQ(s.s21[0], cd(1.0));  // f = 0: a short
}

// --- algebra -----------------------------------------------------------------------------------

TEST(Cascade, IdentityElementsLeaveANetworkUnchanged) {
  const std::vector<double> f = test_grid();
  const TwoPort x = test_channel(f, 50.0);
  const LineModel m{0.0, 1.734e-3, 1.455e-4, 6.141e-3};
  for (const TwoPort& id : {TwoPort::identity(f.size()), shunt_capacitance(f, 0.0, 50.0),
                            series_inductance(f, 0.0, 50.0),
                            transmission_line(f, m, 78.2, 0.0, 50.0)}) {
    EXPECT_EQ(max_abs_diff(cascade(x, id), x), 0.0);
    EXPECT_EQ(max_abs_diff(cascade(id, x), x), 0.0);
  }
}

TEST(Cascade, MatchesAbcdProductForNonReciprocalNetworks) {
  const std::vector<double> f = test_grid();
  const TwoPort x = test_channel(f, 50.0);
  const TwoPort c = shunt_capacitance(f, 3e-4, 50.0);
  const TwoPort xc = cascade(x, c);
  const TwoPort cx = cascade(c, x);
  for (std::size_t i = 0; i < f.size(); ++i) {
    const Abcd ax = s_to_abcd(x.at(i), 50.0);
    const SMatrix2 e1 = abcd_to_s(ax * shunt_c_abcd(f[i], 3e-4), 50.0);
    const SMatrix2 e2 = abcd_to_s(shunt_c_abcd(f[i], 3e-4) * ax, 50.0);
    EXPECT_LT(std::abs(xc.s12[i] - e1.s12) + std::abs(xc.s21[i] - e1.s21) +
                  std::abs(xc.s11[i] - e1.s11) + std::abs(xc.s22[i] - e1.s22),
              1e-13);
    EXPECT_LT(std::abs(cx.s12[i] - e2.s12) + std::abs(cx.s21[i] - e2.s21) +
                  std::abs(cx.s11[i] - e2.s11) + std::abs(cx.s22[i] - e2.s22),
              1e-13);
  }
}

TEST(Cascade, RejectsDifferentGrids) {
  EXPECT_THROW(cascade(TwoPort::identity(3), TwoPort::identity(4)), LogicError);
  EXPECT_THROW(shunt_capacitance({-1.0}, 1e-4, 50.0), LogicError);
}

TEST(Reverse, SwapsPorts) {
  const std::vector<double> f = test_grid();
  const TwoPort x = test_channel(f, 50.0);
  const TwoPort r = reverse(x);
  EXPECT_EQ(r.s11, x.s22);
  EXPECT_EQ(r.s22, x.s11);
  EXPECT_EQ(r.s12, x.s21);
  EXPECT_EQ(r.s21, x.s12);
  EXPECT_EQ(max_abs_diff(reverse(r), x), 0.0);
}

TEST(TerminatedTransfer, EqualsS21WhenTerminationsAreR0) {
  const std::vector<double> f = test_grid();
  const TwoPort x = test_channel(f, 50.0);
  EXPECT_LT(max_abs_diff(terminated_transfer(x, 50.0, 50.0, 50.0), x.s21), 1e-15);
}

TEST(TerminatedTransfer, MatchesSourceAndLoadCircuit) {
  const std::vector<double> f = test_grid();
  const TwoPort x = test_channel(f, 50.0);
  const std::vector<cd> h = terminated_transfer(x, 55.0, 42.0, 50.0);
  for (std::size_t i = 0; i < f.size(); ++i) {
    EXPECT_LT(std::abs(h[i] - abcd_transfer(s_to_abcd(x.at(i), 50.0), 55.0, 42.0)), 1e-13)
        << f[i];
  }
}

// --- packages ----------------------------------------------------------------------------------

TEST(Package, SidesAreReciprocalAndPassive) {
  const std::vector<double> f = test_grid();
  ComConfig dj = dj_config();
  add_board(dj);
  for (const ComConfig& cfg : {c2c_config(), dj}) {
    for (const ChannelKind kind : {ChannelKind::thru, ChannelKind::fext, ChannelKind::next}) {
      expect_reciprocal_and_passive(tx_package(f, cfg, kind, 0), cfg.source + " tx");
    }
    expect_reciprocal_and_passive(rx_package(f, cfg, 0), cfg.source + " rx");
  }
  for (const ChannelKind kind : {ChannelKind::thru, ChannelKind::fext, ChannelKind::next}) {
    expect_reciprocal_and_passive(tx_board(f, dj, kind), "tx board");
    expect_reciprocal_and_passive(rx_board(f, dj, kind), "rx board");
  }
  // A passive reciprocal channel between packages stays passive and reciprocal.
  const LineModel m{0.0, 4.114e-4, 2.547e-4, 6.191e-3};
  const TwoPort line = transmission_line(f, m, 95.0, 200.0, 50.0);
  expect_reciprocal_and_passive(packaged_network(line, f, dj, ChannelKind::next, 0), "packaged");
}

TEST(Package, SidesMatchAbcdModel) {
  const std::vector<double> f = test_grid();
  const ComConfig cfg = dj_config();
  const PackageCase& c = cfg.package_cases[0];
  const TwoPort tx = tx_package(f, cfg, ChannelKind::fext, 0);
  const TwoPort rx = rx_package(f, cfg, 0);
  for (std::size_t i = 0; i < f.size(); ++i) {
    const SMatrix2 etx = abcd_to_s(package_abcd(f[i], cfg, cfg.tx_package, c.z_p_fext_mm), 50.0);
    const SMatrix2 erx =
        abcd_to_s(package_abcd_mirrored(f[i], cfg, cfg.rx_package, c.z_p_rx_mm), 50.0);
    EXPECT_LT(std::abs(tx.s11[i] - etx.s11) + std::abs(tx.s21[i] - etx.s21) +
                  std::abs(tx.s22[i] - etx.s22),
              1e-12)
        << f[i];
    EXPECT_LT(std::abs(rx.s11[i] - erx.s11) + std::abs(rx.s21[i] - erx.s21) +
                  std::abs(rx.s22[i] - erx.s22),
              1e-12)
        << f[i];
  }
}

TEST(PackagedTransfer, NoPackageAndMatchedTerminationsGiveTheChannel) {
  const std::vector<double> f = test_grid();
  ComConfig cfg;
  cfg.R_0_ohm = 50.0;
  cfg.tx_package.C_d_nF = {0.0};
  cfg.rx_package.C_d_nF = {0.0};
  cfg.tx_package.Z_c_ohm = {78.2};
  cfg.rx_package.Z_c_ohm = {78.2};
  cfg.package_cases = {{{0.0}, {0.0}, {0.0}, {0.0}}};
  const TwoPort ch = test_channel(f, 50.0);
  for (const ChannelKind kind : {ChannelKind::thru, ChannelKind::fext, ChannelKind::next}) {
    EXPECT_LT(max_abs_diff(packaged_transfer(ch, f, cfg, kind, 0), ch.s21), 1e-15);
  }
}

TEST(PackagedTransfer, C2cPackageMatchesAbcdModel) {
  const std::vector<double> f = test_grid();
  const ComConfig cfg = c2c_config();
  const TwoPort ch = test_channel(f, 50.0);
  for (std::size_t pc = 0; pc < cfg.package_cases.size(); ++pc) {
    for (const ChannelKind kind : {ChannelKind::thru, ChannelKind::fext, ChannelKind::next}) {
      const std::vector<cd> h = packaged_transfer(ch, f, cfg, kind, pc);
      EXPECT_LT(max_abs_diff(h, expected_transfer(ch, f, cfg, kind, pc)), 1e-12)
          << "case " << pc << " kind " << static_cast<int>(kind);
    }
  }
  // The package matters: at Nyquist it costs more than 1 dB on this channel.
  const std::vector<cd> h = packaged_transfer(ch, f, cfg, ChannelKind::thru, 1);
  EXPECT_LT(std::abs(h.back()), std::abs(ch.s21.back()) * std::pow(10.0, -1.0 / 20.0));
}

TEST(PackagedTransfer, LadderPackageWithUnequalTerminationsMatchesAbcdModel) {
  const std::vector<double> f = test_grid();
  const ComConfig cfg = dj_config();
  const TwoPort ch = test_channel(f, 50.0);
  for (const ChannelKind kind : {ChannelKind::thru, ChannelKind::fext, ChannelKind::next}) {
    EXPECT_LT(max_abs_diff(packaged_transfer(ch, f, cfg, kind, 0),
                           expected_transfer(ch, f, cfg, kind, 0)),
              1e-12)
        << static_cast<int>(kind);
  }
}

TEST(PackagedTransfer, BoardFollowsTheScript) {
  const std::vector<double> f = test_grid();
  ComConfig cfg = c2c_config();
  add_board(cfg);
  const TwoPort ch = test_channel(f, 50.0);
  for (const ChannelKind kind : {ChannelKind::thru, ChannelKind::fext, ChannelKind::next}) {
    const std::vector<cd> h = packaged_transfer(ch, f, cfg, kind, 1);
    EXPECT_LT(max_abs_diff(h, expected_transfer(ch, f, cfg, kind, 1)), 1e-12)
        << static_cast<int>(kind);
    const TwoPort net = packaged_network(ch, f, cfg, kind, 1);
    EXPECT_LT(max_abs_diff(terminated_transfer(net, 50.0, 50.0, 50.0), h), 1e-15);
  }
}

// Package and board chains are tabulated once per process and looked up by value, so every
// number they read must tell two configurations apart. Each configuration below differs from
// the base in one number and is evaluated right after it (a lookup that ignored the number
// would return the base's tables); each must still match the ABCD model.
TEST(PackagedTransfer, EveryNumberOfThePackagesAndBoardsCounts) {
  const std::vector<double> f = test_grid();
  ComConfig base = dj_config();
  add_board(base);
  const TwoPort ch = test_channel(f, 50.0);
  using Change = void (*)(ComConfig&);
  const std::vector<std::pair<const char*, Change>> changes = {
      {"Tx C_d", [](ComConfig& c) { c.tx_package.C_d_nF[1] *= 1.5; }},
      {"Tx L_s", [](ComConfig& c) { c.tx_package.L_s_nH[2] *= 1.5; }},
      {"Tx C_b", [](ComConfig& c) { c.tx_package.C_b_nF *= 1.5; }},
      {"Rx C_p", [](ComConfig& c) { c.rx_package.C_p_nF *= 1.5; }},
      {"Rx Z_c", [](ComConfig& c) { c.rx_package.Z_c_ohm[1] += 5.0; }},
      {"z_p (TX)", [](ComConfig& c) { c.package_cases[0].z_p_tx_mm[0] += 3.0; }},
      {"z_p (FEXT)", [](ComConfig& c) { c.package_cases[0].z_p_fext_mm[1] += 3.0; }},
      {"z_p (NEXT)", [](ComConfig& c) { c.package_cases[0].z_p_next_mm[0] += 3.0; }},
      {"z_p (RX)", [](ComConfig& c) { c.package_cases[0].z_p_rx_mm[0] += 3.0; }},
      {"package gamma_0", [](ComConfig& c) { c.package_line.gamma0_per_mm *= 2.0; }},
      {"package a_1", [](ComConfig& c) { c.package_line.a1 *= 1.5; }},
      {"package a_2", [](ComConfig& c) { c.package_line.a2 *= 1.5; }},
      {"package tau", [](ComConfig& c) { c.package_line.tau_ns_per_mm *= 1.1; }},
      {"board gamma_0", [](ComConfig& c) { c.board.line.gamma0_per_mm = 1e-4; }},
      {"board a_1", [](ComConfig& c) { c.board.line.a1 *= 1.5; }},
      {"board a_2", [](ComConfig& c) { c.board.line.a2 *= 1.5; }},
      {"board tau", [](ComConfig& c) { c.board.line.tau_ns_per_mm *= 1.1; }},
      {"board Z_c", [](ComConfig& c) { c.board.Z_c_ohm -= 10.0; }},
      {"C_0", [](ComConfig& c) { c.board.C_0_nF *= 1.5; }},
      {"C_1", [](ComConfig& c) { c.board.C_1_nF *= 1.5; }},
      {"z_bp (TX)", [](ComConfig& c) { c.board.z_bp_tx_mm += 10.0; }},
      {"z_bp (FEXT)", [](ComConfig& c) { c.board.z_bp_fext_mm += 10.0; }},
      {"z_bp (NEXT)", [](ComConfig& c) { c.board.z_bp_next_mm += 10.0; }},
      {"z_bp (RX)", [](ComConfig& c) { c.board.z_bp_rx_mm += 10.0; }},
      {"R_0", [](ComConfig& c) { c.R_0_ohm = 42.5; }},
  };
  for (const auto& [name, change] : changes) {
    ComConfig changed = base;
    change(changed);
    for (const ChannelKind kind : {ChannelKind::thru, ChannelKind::fext, ChannelKind::next}) {
      (void)packaged_transfer(ch, f, base, kind, 0);
      EXPECT_LT(max_abs_diff(packaged_transfer(ch, f, changed, kind, 0), expected_transfer(ch, f, changed, kind, 0)), 1e-12)
          << name << ", kind " << static_cast<int>(kind);
    }
  }
  // The frequency points too.
  std::vector<double> shifted = f;
  for (double& x : shifted) x *= 1.01;
  const TwoPort ch_shifted = test_channel(shifted, 50.0);
  (void)packaged_transfer(ch, f, base, ChannelKind::thru, 0);
  EXPECT_LT(max_abs_diff(packaged_transfer(ch_shifted, shifted, base, ChannelKind::thru, 0),
                         expected_transfer(ch_shifted, shifted, base, ChannelKind::thru, 0)),
            1e-12);
}

TEST(PackagedTransfer, RejectsInconsistentInput) {
  const std::vector<double> f = test_grid();
  const TwoPort ch = test_channel(f, 50.0);
  ComConfig cfg = c2c_config();
  EXPECT_THROW(packaged_transfer(ch, f, cfg, ChannelKind::thru, 2), LogicError);
  const std::vector<double> shorter(f.begin(), f.end() - 1);
  EXPECT_THROW(packaged_transfer(ch, shorter, cfg, ChannelKind::thru, 0), LogicError);
  cfg.package_cases[0].z_p_next_mm = {11.0};  // one segment, but two Z_c values
  EXPECT_NO_THROW(packaged_transfer(ch, f, cfg, ChannelKind::thru, 0));
  try {
    packaged_transfer(ch, f, cfg, ChannelKind::next, 0);
    ADD_FAILURE() << "expected InputError";
  } catch (const InputError& e) {
    EXPECT_NE(std::string(e.what()).find("c2c-test"), std::string::npos) << e.what();
    EXPECT_NE(std::string(e.what()).find("z_p (NEXT)"), std::string::npos) << e.what();
  }
  cfg = c2c_config();
  cfg.rx_package.L_s_nH = {0.1, 0.2};
  EXPECT_THROW(rx_package(f, cfg, 0), InputError);
}

}  // namespace
}  // namespace eyesweep
