// Measured boards on the link's grid; see measured_board.hpp.
#include "host/measured_board.hpp"

#include <algorithm>
#include <complex>
#include <cstddef>
#include <span>
#include <string>

#include "host/band_extension.hpp"
#include "host/case_responses.hpp"

namespace eyesweep {
namespace {

using cd = std::complex<double>;

/// Linear interpolation of H (at increasing f_in) at f_out, holding the end values outside.
std::vector<cd> interpolate_and_hold(std::span<const cd> H, std::span<const double> f_in, std::span<const double> f_out) {
  std::vector<cd> out(f_out.size());
  std::size_t k = 0;  // segment [k, k + 1]
  for (std::size_t i = 0; i < f_out.size(); ++i) {
    const double f = f_out[i];
    if (f <= f_in.front()) {
      out[i] = H.front();
    } else if (f >= f_in.back()) {
      out[i] = H.back();
    } else {
      while (f_in[k + 1] < f) ++k;
      const double t = (f - f_in[k]) / (f_in[k + 1] - f_in[k]);
      out[i] = (1.0 - t) * H[k] + t * H[k + 1];
    }
  }
  return out;
}

TwoPort on_grid(const LoadedChannel& channel, const ComConfig& host, const std::vector<double>& f_GHz) {
  const DifferentialNetwork& n = channel.network;
  std::vector<double> f_in(n.freq_hz.size());
  for (std::size_t k = 0; k < f_in.size(); ++k) f_in[k] = n.freq_hz[k] * 1e-9;
  const std::string what = channel.input.path.string();
  TwoPort s;
  s.s21 = extend_to_grid(n.sdd21, f_in, f_GHz, host.band_extension, (what + " (S21)").c_str());
  s.s12 = extend_to_grid(n.sdd12, f_in, f_GHz, host.band_extension, (what + " (S12)").c_str());
  s.s11 = interpolate_and_hold(n.sdd11, f_in, f_GHz);
  s.s22 = interpolate_and_hold(n.sdd22, f_in, f_GHz);
  return s;
}

}  // namespace

MeasuredBoard load_measured_board(const ChannelFileSet& files, const ComConfig& host, const std::vector<double>& f_GHz) {
  const PortOrder order = PortOrder::parse(files.port_order.empty() ? host.port_order : files.port_order,
                                           "board " + files.label + ": port_order");
  std::vector<ChannelInput> inputs{{files.thru, ChannelKind::thru, order}};
  for (const auto& path : files.fext) inputs.push_back({path, ChannelKind::fext, order});
  for (const auto& path : files.next) inputs.push_back({path, ChannelKind::next, order});
  const std::vector<LoadedChannel> channels = load_channels(inputs);

  MeasuredBoard board;
  board.label = files.label;
  board.thru = on_grid(channels.front(), host, f_GHz);
  for (std::size_t k = 1; k < channels.size(); ++k) {
    auto& paths = channels[k].input.kind == ChannelKind::fext ? board.fext : board.next;
    paths.push_back(on_grid(channels[k], host, f_GHz));
  }
  return board;
}

}  // namespace eyesweep
