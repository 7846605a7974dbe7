// The Annex 93A device package and host-board models around a channel, as the IEEE COM
// script v3.70 builds them (s21_pkg_tester, make_full_pkg, make_pkg, add_brd), and the
// packaged transfer function H21 of a THRU, FEXT or NEXT channel. No Tx/Rx filters, no CTLE.
#pragma once

#include <array>
#include <complex>
#include <cstddef>
#include <optional>
#include <vector>

#include "host/com_config.hpp"
#include "host/two_port.hpp"

namespace eyesweep {

/// What a channel file is to the victim receiver; it selects the Tx-side line lengths.
enum class ChannelKind { thru, fext, next };

/// The Tx-side package, die at port 1, board at port 2: for each ladder element shunt C_d
/// then series L_s, then shunt C_b, the line segments (Z_c of cfg.tx_package over the z_p of
/// `package_case` for `kind`: z_p (TX), z_p (FEXT) or z_p (NEXT)), then shunt C_p. The
/// same Tx parameters (C_d, L_s, C_b, C_p, Z_c) serve every kind: a NEXT or FEXT
/// aggressor's transmitter is modelled like the victim's, only its line length differs.
/// Throws InputError when the configuration's segment or ladder counts disagree.
TwoPort tx_package(const std::vector<double>& f_GHz, const ComConfig& cfg, ChannelKind kind,
                   std::size_t package_case);

/// The Rx-side package in signal-flow order, board at port 1, die at port 2: the mirror
/// image of the Tx-side structure with cfg.rx_package over z_p (RX) (the same for every
/// channel kind).
TwoPort rx_package(const std::vector<double>& f_GHz, const ComConfig& cfg,
                   std::size_t package_case);

/// The Tx-side host-board line (`Include PCB` = 1), device at port 1: shunt C_0, board line
/// over the Tx-side z_bp of `kind`, shunt C_1. Built whatever cfg.board.include says.
TwoPort tx_board(const std::vector<double>& f_GHz, const ComConfig& cfg, ChannelKind kind);

/// The Rx-side host-board line in signal-flow order, device at port 2: shunt C_1, board
/// line over the Rx-side z_bp of `kind`, shunt C_0.
TwoPort rx_board(const std::vector<double>& f_GHz, const ComConfig& cfg, ChannelKind kind);

/// The whole unterminated cascade [Tx package][Tx board][channel][Rx board][Rx package]
/// (boards only when cfg.board.include), the script's SCH. `channel` is the differential
/// channel on the grid f_GHz (reference 2 R0 differential = R0 single-ended per port).
TwoPort packaged_network(const TwoPort& channel, const std::vector<double>& f_GHz,
                         const ComConfig& cfg, ChannelKind kind, std::size_t package_case);

/// H21 of packaged_network between the Tx and Rx die terminations (the script's s21_pkg /
/// s21_pkg_tester in 'dd' mode, without its T_r filter): cfg.tx_package.R_d_ohm on the Tx
/// side and cfg.rx_package.R_d_ohm on the Rx side, for every channel kind.
std::vector<std::complex<double>> packaged_transfer(const TwoPort& channel,
                                                    const std::vector<double>& f_GHz,
                                                    const ComConfig& cfg, ChannelKind kind,
                                                    std::size_t package_case);

/// The package (and, with Include PCB = 1, board) two-ports of one package case on one
/// frequency grid, tabulated per channel kind on first use: every channel of a case shares
/// them, so a case's channels cost one ladder evaluation per kind, not one per channel.
/// network and transfer equal packaged_network and packaged_transfer bit for bit.
class CasePackages {
 public:
  CasePackages(const ComConfig& cfg, const std::vector<double>& f_GHz, std::size_t package_case);
  TwoPort network(const TwoPort& channel, ChannelKind kind);
  std::vector<std::complex<double>> transfer(const TwoPort& channel, ChannelKind kind);

  /// The Tx-side package and the boards (empty without Include PCB) of one kind.
  struct Sides {
    TwoPort tx_package, tx_board, rx_board;
  };

 private:
  const Sides& sides(ChannelKind kind);

  const ComConfig& cfg_;
  const std::vector<double>& f_GHz_;
  std::size_t package_case_;
  TwoPort rx_package_reversed_;  ///< signal-flow order, die at port 2 (shared by every kind)
  std::array<std::optional<Sides>, 3> sides_;
};

/// The voltage transfer from a wave leaving a channel's output port to the Rx die: the
/// Rx-side board (when cfg.board.include) and package into cfg.rx_package.R_d_ohm, with the
/// channel's own output reflection `channel_s22` as the source. It carries noise injected
/// at the channel's output (an active module's output stage) to the receiver the way the
/// THRU's signal arrives there; 1 for a matched, lossless receiver side.
std::vector<std::complex<double>> rx_side_transfer(const std::vector<std::complex<double>>& channel_s22,
                                                   const std::vector<double>& f_GHz,
                                                   const ComConfig& cfg, std::size_t package_case);

}  // namespace eyesweep
