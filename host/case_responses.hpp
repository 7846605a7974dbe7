// The responses of one package case that the COM search and the final COM need: the victim's
// sampled impulse response, every aggressor's, and their transfer functions on the files'
// frequency points (for the noise integrals), all with packages, terminations, Tx rise-time
// filter (FORCE_TR) and receiver filters applied, as the IEEE script prepares them.
#pragma once

#include <complex>
#include <filesystem>
#include <string>
#include <vector>

#include "host/com_config.hpp"
#include "host/package.hpp"
#include "io/mixed_mode.hpp"

namespace eyesweep {

/// One channel file of a COM run and its role.
struct ChannelInput {
  std::filesystem::path path;
  ChannelKind kind = ChannelKind::thru;
  PortOrder port_order;
};

/// A channel file read and converted to its differential 2-port.
struct LoadedChannel {
  ChannelInput input;
  DifferentialNetwork network;
  std::vector<std::string> warnings;
  /// Noise an active channel adds at its output port (a linear module's driver, laser and
  /// TIA noise): one-sided PSD (V^2/GHz) of the voltage it develops across a matched load,
  /// on network.freq_hz; empty for a passive channel. Only a THRU's counts.
  std::vector<double> output_noise_V2_per_GHz;
};

/// A channel computed rather than read (parametric sets, the LPO link): `name` stands for
/// the file in messages; `s` holds its differential S-parameters on f_GHz.
LoadedChannel computed_channel(const std::string& name, ChannelKind kind, const std::vector<double>& f_GHz,
                               TwoPort s);

/// Reads and converts every file; the aggressors must share the victim's frequency points.
/// Throws InputError naming the file on any defect.
std::vector<LoadedChannel> load_channels(const std::vector<ChannelInput>& inputs);

struct ChannelResponse {
  std::string name;                       ///< file stem, for reports
  ChannelKind kind = ChannelKind::thru;
  double amplitude_V = 0.0;               ///< A_v, A_fe or A_ne
  std::vector<std::complex<double>> H;    ///< on f_GHz, without the amplitude
  std::vector<double> impulse;            ///< sampled at T/M, times the amplitude
};

struct CaseResponses {
  std::size_t package_case = 0;
  std::vector<double> f_GHz;              ///< the files' frequency points
  std::vector<std::complex<double>> H_r;  ///< receiver filters (Butterworth, BT, RC)
  /// The THRU's output noise carried to the Rx die (one-sided V^2/GHz on f_GHz, before
  /// H_r and the CTLE, like eta_0); empty when the THRU adds none.
  std::vector<double> rx_noise_V2_per_GHz;
  ChannelResponse thru;
  std::vector<ChannelResponse> aggressors;
};

/// Builds the responses of every channel for one package case.
CaseResponses prepare_case(const ComConfig& cfg, const std::vector<LoadedChannel>& channels,
                           std::size_t package_case);

}  // namespace eyesweep
