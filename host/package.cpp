// Package and board models around a channel, following the IEEE COM script v3.70. Each side
// is described once as a short chain of elements and evaluated frequency by frequency with
// the per-frequency forms of two_port.hpp, so a 6000-point grid needs no temporaries.
//
// What the script does, and where this file follows it:
// - s21_pkg_tester (v3.70's replacement of s21_pkg) builds the Tx package with
//   make_full_pkg('TX', ..., channel_type) and the Rx package with make_full_pkg('RX', ...),
//   then cascades [Tx pkg][channel][Rx pkg with ports swapped] and applies eq. 93A-18 with
//   R_diepad(Tx_rd_sel = 1) and R_diepad(Rx_rd_sel = 2) for every channel type.
// - make_full_pkg: the Tx line lengths are Pkg_len_TX for THRU, Pkg_len_FEXT for FEXT,
//   Pkg_len_NEXT for NEXT; the Rx side always uses Pkg_len_RX. C_d, L_s, C_b, C_p and
//   package_Z_c come from the Tx row on the Tx side and the Rx row on the Rx side whatever
//   the channel type, so aggressors get the full package on both sides.
// - make_full_pkg chains make_pkg blocks (shunt C_d, series L_s, shunt C_b, line, shunt C_p);
//   a C_d/L_s ladder of n elements becomes n - 1 blocks with only C_d and L_s followed by
//   one block carrying C_b, the first line segment and (single segment) C_p. The script
//   accepts 1, 2 or 4 segments; it pads 2 to 4 with zero-length segments (identities,
//   rho = 0), and block 3 carries C_v (via capacitance), block 4 C_p. ComConfig has no
//   C_v, so it is 0 and any segment count gives the element order kept here:
//   C_d(1) L_s(1) ... C_d(n) L_s(n), C_b, segments 1..m, C_p.
// - make_pkg skips L_s and C_b when they are not > 0 and always cascades C_d and C_p; zero
//   elements are exact identities in the star product, so skipping every zero element
//   changes nothing.
// - make_pkg and add_brd replace f = 0 by f = eps (Hz) before evaluating, to dodge log(0);
//   the line model here defines gamma(0) = gamma_0 instead. The difference is below 1e-20.
// - add_brd (Include PCB = 1) puts [C_0, board line, C_1] before the channel and
//   [C_1, board line, C_0] after it, with the quirks listed at board_lengths and
//   packaged_for_each.
// - The terminations use the general eq. 93A-18 of two_port.hpp (s21 s12 where the script
//   writes s21^2); see terminated_transfer_at.
// Not modelled, for want of ComConfig fields: kappa1/kappa2 (scaling of the channel's
// s11/s22, default 1), Include PCB = 2 (Rx board only, ideal Tx termination), C_v, the
// script's 'dc' (common-mode) packages, and the T_r filter s21_pkg_tester multiplies in
// when T_r_filter_type = 1 (applied elsewhere in eyesweep).
// Checked against the script's own functions under Octave (a 3-element ladder with board,
// the C2C and the VITA-KR4 packages, each channel kind): equal to 1e-13.
#include "host/package.hpp"

#include <functional>
#include <list>
#include <memory>
#include <mutex>
#include <optional>
#include <string>
#include <utility>

#include "kernels/common/error.hpp"

namespace eyesweep {
namespace {

/// One element of a package or board chain.
struct Element {
  enum class Type { shunt_c, series_l, line };
  Type type;
  double value;                      ///< C (nF), L (nH) or line length (mm)
  double Z_c_ohm = 0.0;              ///< line only
  const LineModel* line = nullptr;   ///< line only; points into the ComConfig
};

using Chain = std::vector<Element>;

SMatrix2 element_at(const Element& e, double f_GHz, double R0_ohm) {
  switch (e.type) {
    case Element::Type::shunt_c: return shunt_capacitance_at(f_GHz, e.value, R0_ohm);
    case Element::Type::series_l: return series_inductance_at(f_GHz, e.value, R0_ohm);
    case Element::Type::line:
      return transmission_line_at(f_GHz, *e.line, e.Z_c_ohm, e.value, R0_ohm);
  }
  throw LogicError("unknown package element type");
}

/// The chain's S-matrix at one frequency, element 0 at port 1.
SMatrix2 evaluate(const Chain& chain, double f_GHz, double R0_ohm) {
  SMatrix2 s;
  for (const Element& e : chain) s = cascade(s, element_at(e, f_GHz, R0_ohm));
  return s;
}

[[noreturn]] void config_error(const ComConfig& cfg, const std::string& message) {
  throw InputError((cfg.source.empty() ? std::string("configuration") : cfg.source) + ": " +
                   message);
}

void check_non_negative(const ComConfig& cfg, double value, const std::string& key) {
  if (!(value >= 0.0)) config_error(cfg, key + " must be >= 0, got " + std::to_string(value));
}

void add_shunt_c(Chain& chain, double C_nF) {
  if (C_nF != 0.0) chain.push_back({Element::Type::shunt_c, C_nF});
}

void add_series_l(Chain& chain, double L_nH) {
  if (L_nH != 0.0) chain.push_back({Element::Type::series_l, L_nH});
}

void add_line(Chain& chain, const LineModel& line, double Z_c_ohm, double length_mm) {
  if (length_mm != 0.0) chain.push_back({Element::Type::line, length_mm, Z_c_ohm, &line});
}

/// One side's package, die first (make_full_pkg's order; see the file comment).
Chain package_chain(const ComConfig& cfg, const PackageSide& side,
                    const std::vector<double>& z_p_mm, const std::string& side_name,
                    const std::string& z_p_key) {
  if (!side.L_s_nH.empty() && side.L_s_nH.size() != side.C_d_nF.size()) {
    config_error(cfg, side_name + " L_s has " + std::to_string(side.L_s_nH.size()) +
                          " ladder elements but C_d has " + std::to_string(side.C_d_nF.size()));
  }
  if (side.Z_c_ohm.size() != z_p_mm.size()) {
    config_error(cfg, side_name + " package_Z_c has " + std::to_string(side.Z_c_ohm.size()) +
                          " segments but " + z_p_key + " has " + std::to_string(z_p_mm.size()));
  }
  Chain chain;
  for (std::size_t j = 0; j < side.C_d_nF.size(); ++j) {
    check_non_negative(cfg, side.C_d_nF[j], side_name + " C_d");
    add_shunt_c(chain, side.C_d_nF[j]);
    if (!side.L_s_nH.empty()) {
      check_non_negative(cfg, side.L_s_nH[j], side_name + " L_s");
      add_series_l(chain, side.L_s_nH[j]);
    }
  }
  check_non_negative(cfg, side.C_b_nF, side_name + " C_b");
  add_shunt_c(chain, side.C_b_nF);
  for (std::size_t k = 0; k < z_p_mm.size(); ++k) {
    check_non_negative(cfg, z_p_mm[k], z_p_key);
    if (z_p_mm[k] > 0.0 && !(side.Z_c_ohm[k] > 0.0)) {
      config_error(cfg, side_name + " package_Z_c must be > 0, got " +
                            std::to_string(side.Z_c_ohm[k]));
    }
    add_line(chain, cfg.package_line, side.Z_c_ohm[k], z_p_mm[k]);
  }
  check_non_negative(cfg, side.C_p_nF, side_name + " C_p");
  add_shunt_c(chain, side.C_p_nF);
  return chain;
}

const PackageCase& case_of(const ComConfig& cfg, std::size_t package_case) {
  ES_EXPECTS(package_case < cfg.package_cases.size(),
             "package case " + std::to_string(package_case) + " of " +
                 std::to_string(cfg.package_cases.size()));
  return cfg.package_cases[package_case];
}

Chain tx_package_chain(const ComConfig& cfg, ChannelKind kind, std::size_t package_case) {
  const PackageCase& c = case_of(cfg, package_case);
  switch (kind) {
    case ChannelKind::thru:
      return package_chain(cfg, cfg.tx_package, c.z_p_tx_mm, "Tx", "z_p (TX)");
    case ChannelKind::fext:
      return package_chain(cfg, cfg.tx_package, c.z_p_fext_mm, "Tx", "z_p (FEXT)");
    case ChannelKind::next:
      return package_chain(cfg, cfg.tx_package, c.z_p_next_mm, "Tx", "z_p (NEXT)");
  }
  throw LogicError("unknown channel kind");
}

/// Die first, as make_full_pkg('RX') builds it; callers swap its ports.
Chain rx_package_chain(const ComConfig& cfg, std::size_t package_case) {
  return package_chain(cfg, cfg.rx_package, case_of(cfg, package_case).z_p_rx_mm, "Rx",
                       "z_p (RX)");
}

struct BoardLengths {
  double tx_mm;
  double rx_mm;
};

/// The board lengths add_brd uses. For NEXT the script puts z_bp (RX) on the Tx side and
/// z_bp (NEXT) on the Rx side (its older add_brdorig put z_bp (NEXT) on the Tx side and
/// z_bp (RX) on the Rx side); v3.70 is followed.
BoardLengths board_lengths(const BoardModel& board, ChannelKind kind) {
  switch (kind) {
    case ChannelKind::thru: return {board.z_bp_tx_mm, board.z_bp_rx_mm};
    case ChannelKind::fext: return {board.z_bp_fext_mm, board.z_bp_rx_mm};
    case ChannelKind::next: return {board.z_bp_rx_mm, board.z_bp_next_mm};
  }
  throw LogicError("unknown channel kind");
}

void check_board(const ComConfig& cfg, const BoardLengths& lengths) {
  const BoardModel& b = cfg.board;
  check_non_negative(cfg, b.C_0_nF, "C_0");
  check_non_negative(cfg, b.C_1_nF, "C_1");
  check_non_negative(cfg, lengths.tx_mm, "z_bp");
  check_non_negative(cfg, lengths.rx_mm, "z_bp");
  if ((lengths.tx_mm > 0.0 || lengths.rx_mm > 0.0) && !(b.Z_c_ohm > 0.0)) {
    config_error(cfg, "board_Z_c must be > 0, got " + std::to_string(b.Z_c_ohm));
  }
}

/// add_brd's Tx side, device first: C_0, line, C_1.
Chain tx_board_chain(const ComConfig& cfg, ChannelKind kind) {
  const BoardModel& b = cfg.board;
  const BoardLengths lengths = board_lengths(b, kind);
  check_board(cfg, lengths);
  Chain chain;
  add_shunt_c(chain, b.C_0_nF);
  add_line(chain, b.line, b.Z_c_ohm, lengths.tx_mm);
  add_shunt_c(chain, b.C_1_nF);
  return chain;
}

/// add_brd's Rx side, connector first: C_1, line, C_0.
Chain rx_board_chain(const ComConfig& cfg, ChannelKind kind) {
  const BoardModel& b = cfg.board;
  const BoardLengths lengths = board_lengths(b, kind);
  check_board(cfg, lengths);
  Chain chain;
  add_shunt_c(chain, b.C_1_nF);
  add_line(chain, b.line, b.Z_c_ohm, lengths.rx_mm);
  add_shunt_c(chain, b.C_0_nF);
  return chain;
}

void expect_grid(const std::vector<double>& f_GHz) {
  for (const double f : f_GHz) {
    ES_EXPECTS(f >= 0.0, "frequencies must be non-negative GHz, got " + std::to_string(f));
  }
}

TwoPort evaluate_on(const Chain& chain, const std::vector<double>& f_GHz, double R0_ohm, bool swap_ports) {
  TwoPort s = TwoPort::identity(f_GHz.size());
  for (std::size_t i = 0; i < f_GHz.size(); ++i) {
    const SMatrix2 m = evaluate(chain, f_GHz[i], R0_ohm);
    s.set(i, swap_ports ? reverse(m) : m);
  }
  return s;
}

/// Chains already tabulated, kept for the process: the variants of a sweep mostly share their
/// package case, boards and frequency points, and a chain's S-matrices are a pure function of
/// its elements, the points, R_0 and the port order. Looked up by value: the key holds every
/// number the evaluation reads; the least recently used is dropped past kCapacity (a table
/// is about 0.36 MB on 5,600 points).
class TabulatedChains {
 public:
  TwoPort get(const Chain& chain, const std::vector<double>& f_GHz, double R0_ohm, bool swap_ports) {
    std::string key = key_of(chain, f_GHz, R0_ohm, swap_ports);
    const std::size_t hash = std::hash<std::string>{}(key);
    {
      const std::lock_guard lock(mutex_);
      for (auto it = entries_.begin(); it != entries_.end(); ++it) {
        if (it->hash == hash && it->key == key) {
          entries_.splice(entries_.begin(), entries_, it);
          return *it->table;
        }
      }
    }
    auto table = std::make_shared<const TwoPort>(evaluate_on(chain, f_GHz, R0_ohm, swap_ports));
    const std::lock_guard lock(mutex_);
    entries_.push_front({hash, std::move(key), table});
    if (entries_.size() > kCapacity) entries_.pop_back();
    return *table;
  }

 private:
  static constexpr std::size_t kCapacity = 64;
  struct Entry {
    std::size_t hash;
    std::string key;
    std::shared_ptr<const TwoPort> table;
  };

  static void append(std::string& key, const void* data, std::size_t bytes) {
    key.append(static_cast<const char*>(data), bytes);
  }
  static std::string key_of(const Chain& chain, const std::vector<double>& f_GHz, double R0_ohm, bool swap_ports) {
    std::string key;
    key.reserve(f_GHz.size() * sizeof(double) + chain.size() * 8 * sizeof(double) + 32);
    const double head[3] = {R0_ohm, swap_ports ? 1.0 : 0.0, static_cast<double>(chain.size())};
    append(key, head, sizeof head);
    static_assert(sizeof(LineModel) == 4 * sizeof(double), "every field of LineModel belongs in the key");
    for (const Element& e : chain) {
      const LineModel line = e.line ? *e.line : LineModel{};
      const double values[7] = {static_cast<double>(e.type), e.value, e.Z_c_ohm, line.gamma0_per_mm, line.a1, line.a2,
                                line.tau_ns_per_mm};
      append(key, values, sizeof values);
    }
    append(key, f_GHz.data(), f_GHz.size() * sizeof(double));
    return key;
  }

  std::mutex mutex_;
  std::list<Entry> entries_;  ///< most recently used first
};

TwoPort tabulate(const Chain& chain, const std::vector<double>& f_GHz, double R0_ohm, bool swap_ports) {
  static TabulatedChains tabulated;
  expect_grid(f_GHz);
  return tabulated.get(chain, f_GHz, R0_ohm, swap_ports);
}

/// Calls sink(i, S) with the whole unterminated cascade at each frequency i, in the
/// script's association: Tx pkg x ((Tx board x channel) x Rx board), then x Rx pkg.
template <typename Sink>
void packaged_for_each(const TwoPort& channel, const CasePackages::Sides& sides, const TwoPort& rx_pkg_reversed,
                       bool board, Sink&& sink) {
  ES_EXPECTS(channel.size() == rx_pkg_reversed.size() && channel.s12.size() == channel.size() &&
                 channel.s21.size() == channel.size() && channel.s22.size() == channel.size(),
             "channel and frequency grid must have the same size");
  for (std::size_t i = 0; i < channel.size(); ++i) {
    SMatrix2 ch = channel.at(i);
    if (board) {
      // add_brd passes the channel to combines4p as (sdd11, sdd21, sdd12, sdd22) in the
      // (s11, s12, s21, s22) slots, so with Include PCB = 1 the script propagates through
      // the channel's SDD12. Followed: identical for reciprocal channels, and keeps our
      // results on measured (slightly non-reciprocal) files equal to the script's.
      std::swap(ch.s12, ch.s21);
      ch = cascade(cascade(sides.tx_board.at(i), ch), sides.rx_board.at(i));
    }
    sink(i, cascade(cascade(sides.tx_package.at(i), ch), rx_pkg_reversed.at(i)));
  }
}

}  // namespace

TwoPort tx_package(const std::vector<double>& f_GHz, const ComConfig& cfg, ChannelKind kind,
                   std::size_t package_case) {
  return tabulate(tx_package_chain(cfg, kind, package_case), f_GHz, cfg.R_0_ohm, false);
}

TwoPort rx_package(const std::vector<double>& f_GHz, const ComConfig& cfg,
                   std::size_t package_case) {
  return tabulate(rx_package_chain(cfg, package_case), f_GHz, cfg.R_0_ohm, true);
}

TwoPort tx_board(const std::vector<double>& f_GHz, const ComConfig& cfg, ChannelKind kind) {
  return tabulate(tx_board_chain(cfg, kind), f_GHz, cfg.R_0_ohm, false);
}

TwoPort rx_board(const std::vector<double>& f_GHz, const ComConfig& cfg, ChannelKind kind) {
  return tabulate(rx_board_chain(cfg, kind), f_GHz, cfg.R_0_ohm, false);
}

CasePackages::CasePackages(const ComConfig& cfg, const std::vector<double>& f_GHz, std::size_t package_case)
    : cfg_(cfg), f_GHz_(f_GHz), package_case_(package_case) {
  ES_EXPECTS(cfg.R_0_ohm > 0.0, "R_0 must be positive");
  rx_package_reversed_ = rx_package(f_GHz, cfg, package_case);
}

const CasePackages::Sides& CasePackages::sides(ChannelKind kind) {
  std::optional<Sides>& sides = sides_[static_cast<std::size_t>(kind)];
  if (!sides) {
    sides.emplace();
    sides->tx_package = tx_package(f_GHz_, cfg_, kind, package_case_);
    if (cfg_.board.include) {
      sides->tx_board = eyesweep::tx_board(f_GHz_, cfg_, kind);
      sides->rx_board = eyesweep::rx_board(f_GHz_, cfg_, kind);
    }
  }
  return *sides;
}

TwoPort CasePackages::network(const TwoPort& channel, ChannelKind kind) {
  TwoPort out = TwoPort::identity(channel.size());
  packaged_for_each(channel, sides(kind), rx_package_reversed_, cfg_.board.include,
                    [&](std::size_t i, const SMatrix2& s) { out.set(i, s); });
  return out;
}

std::vector<std::complex<double>> CasePackages::transfer(const TwoPort& channel, ChannelKind kind) {
  ES_EXPECTS(cfg_.tx_package.R_d_ohm > 0.0 && cfg_.rx_package.R_d_ohm > 0.0, "R_d must be positive");
  // s21_pkg_tester: gamma_tx from R_diepad(Tx_rd_sel = 1), gamma_rx from
  // R_diepad(Rx_rd_sel = 2), the same for THRU, FEXT and NEXT.
  const double gamma_tx = termination_gamma(cfg_.tx_package.R_d_ohm, cfg_.R_0_ohm);
  const double gamma_rx = termination_gamma(cfg_.rx_package.R_d_ohm, cfg_.R_0_ohm);
  std::vector<std::complex<double>> h(channel.size());
  packaged_for_each(channel, sides(kind), rx_package_reversed_, cfg_.board.include,
                    [&](std::size_t i, const SMatrix2& s) { h[i] = terminated_transfer_at(s, gamma_tx, gamma_rx); });
  return h;
}

TwoPort packaged_network(const TwoPort& channel, const std::vector<double>& f_GHz,
                         const ComConfig& cfg, ChannelKind kind, std::size_t package_case) {
  return CasePackages(cfg, f_GHz, package_case).network(channel, kind);
}

std::vector<std::complex<double>> packaged_transfer(const TwoPort& channel,
                                                    const std::vector<double>& f_GHz,
                                                    const ComConfig& cfg, ChannelKind kind,
                                                    std::size_t package_case) {
  return CasePackages(cfg, f_GHz, package_case).transfer(channel, kind);
}

std::vector<std::complex<double>> rx_side_transfer(const std::vector<std::complex<double>>& channel_s22,
                                                   const std::vector<double>& f_GHz,
                                                   const ComConfig& cfg, std::size_t package_case) {
  ES_EXPECTS(channel_s22.size() == f_GHz.size(), "one S22 per frequency");
  const double R0 = cfg.R_0_ohm;
  const Chain rx_pkg = rx_package_chain(cfg, package_case);
  const bool board = cfg.board.include;
  const Chain rx_brd = board ? rx_board_chain(cfg, ChannelKind::thru) : Chain{};
  const double gamma_rx = termination_gamma(cfg.rx_package.R_d_ohm, R0);
  std::vector<std::complex<double>> h(f_GHz.size());
  for (std::size_t i = 0; i < f_GHz.size(); ++i) {
    // A matched source behind a unit, one-way through with the channel's output
    // reflection: the wave the channel's output emits, seen by what follows it.
    SMatrix2 s{0.0, 0.0, 1.0, channel_s22[i]};
    if (board) s = cascade(s, evaluate(rx_brd, f_GHz[i], R0));
    s = cascade(s, reverse(evaluate(rx_pkg, f_GHz[i], R0)));
    h[i] = terminated_transfer_at(s, 0.0, gamma_rx);
  }
  return h;
}

}  // namespace eyesweep
