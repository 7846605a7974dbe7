// Channel responses of one package case; see case_responses.hpp.
#include "host/case_responses.hpp"

#include <algorithm>
#include <cmath>

#include "host/filters.hpp"
#include "host/impulse_response.hpp"
#include "io/touchstone.hpp"
#include "kernels/common/error.hpp"

namespace eyesweep {
namespace {

/// The script's Bessel-Thomson normalisation: 0.473037 f_r f_b (its -3 dB point).
constexpr double kBesselThomson3dB = 0.473037;

std::vector<std::complex<double>> receiver_filters(const ComConfig& cfg, const std::vector<double>& f) {
  std::vector<std::complex<double>> H(f.size(), 1.0);
  const double f_r = cfg.f_r * cfg.f_b_GBd;
  for (std::size_t i = 0; i < f.size(); ++i) {
    if (cfg.Butterworth) H[i] *= butterworth4(f[i], f_r);
    if (cfg.Bessel_Thomson) H[i] *= bessel_thomson4(f[i], kBesselThomson3dB * f_r);
    if (cfg.Raised_Cosine) H[i] *= raised_cosine_window(f[i], cfg.RC_start_GHz, cfg.RC_end_GHz);
  }
  return H;
}

double amplitude_of(const ComConfig& cfg, ChannelKind kind) {
  switch (kind) {
    case ChannelKind::thru: return cfg.A_v;
    case ChannelKind::fext: return cfg.A_fe;
    case ChannelKind::next: return cfg.A_ne;
  }
  return 0.0;
}

/// COM needs a uniform frequency step (the analysis grid takes the file's step) and enough
/// points for the band extension's fits.
void check_frequency_points(const Network& network) {
  const std::vector<double>& f = network.freq_hz;
  if (f.size() < 12) {
    throw InputError(network.source + ": " + std::to_string(f.size()) +
                     " frequency points; COM needs at least 12 (uniformly spaced)");
  }
  double min_step = INFINITY, max_step = 0.0;
  for (std::size_t i = 1; i < f.size(); ++i) {
    min_step = std::min(min_step, f[i] - f[i - 1]);
    max_step = std::max(max_step, f[i] - f[i - 1]);
  }
  // The IEEE script warns above 1 Hz of spread; a relative margin allows rounded file values.
  if (max_step - min_step > std::max(1.0, 1e-6 * max_step)) {
    throw InputError(network.source + ": non-uniform frequency steps (" + std::to_string(min_step * 1e-9) +
                     " to " + std::to_string(max_step * 1e-9) +
                     " GHz); resample the file to a uniform step");
  }
}

}  // namespace

LoadedChannel computed_channel(const std::string& name, ChannelKind kind, const std::vector<double>& f_GHz,
                               TwoPort s) {
  LoadedChannel channel;
  channel.input.path = name;
  channel.input.kind = kind;
  channel.network.source = name;
  channel.network.freq_hz.resize(f_GHz.size());
  for (std::size_t k = 0; k < f_GHz.size(); ++k) channel.network.freq_hz[k] = f_GHz[k] * 1e9;
  channel.network.sdd11 = std::move(s.s11);
  channel.network.sdd12 = std::move(s.s12);
  channel.network.sdd21 = std::move(s.s21);
  channel.network.sdd22 = std::move(s.s22);
  return channel;
}

std::vector<LoadedChannel> load_channels(const std::vector<ChannelInput>& inputs) {
  std::vector<LoadedChannel> channels;
  for (const ChannelInput& input : inputs) {
    if (input.path.empty()) throw InputError("empty channel file name");
    const Network network = read_touchstone(input.path);
    check_frequency_points(network);
    LoadedChannel channel{input, to_differential(network, input.port_order), {}, {}};
    if (std::string warning = check_pairing(network, input.port_order); !warning.empty()) {
      channel.warnings.push_back(std::move(warning));
    }
    channels.push_back(std::move(channel));
  }
  if (channels.empty() || channels.front().input.kind != ChannelKind::thru) {
    throw InputError("the first channel must be the victim's THRU");
  }
  const std::vector<double>& f0 = channels.front().network.freq_hz;
  for (std::size_t i = 1; i < channels.size(); ++i) {
    const std::vector<double>& f = channels[i].network.freq_hz;
    bool same = f.size() == f0.size();
    for (std::size_t k = 0; same && k < f.size(); ++k) same = std::abs(f[k] - f0[k]) <= 1.0;
    if (!same) {
      throw InputError(channels[i].input.path.string() + ": frequency points differ from those of " +
                       channels.front().input.path.string() +
                       " (every crosstalk file must share the THRU's frequency axis)");
    }
  }
  return channels;
}

CaseResponses prepare_case(const ComConfig& cfg, const std::vector<LoadedChannel>& channels,
                           std::size_t package_case) {
  CaseResponses out;
  out.package_case = package_case;
  const std::vector<double>& f_hz = channels.front().network.freq_hz;
  out.f_GHz.resize(f_hz.size());
  for (std::size_t i = 0; i < f_hz.size(); ++i) out.f_GHz[i] = f_hz[i] * 1e-9;
  out.H_r = receiver_filters(cfg, out.f_GHz);
  const double dt_ns = 1.0 / (cfg.f_b_GBd * cfg.M);

  CasePackages packages(cfg, out.f_GHz, package_case);
  for (const LoadedChannel& channel : channels) {
    const DifferentialNetwork& sdd = channel.network;
    const TwoPort two_port{sdd.sdd11, sdd.sdd12, sdd.sdd21, sdd.sdd22};
    ChannelResponse response;
    response.name = channel.input.path.stem().string();
    response.kind = channel.input.kind;
    response.amplitude_V = amplitude_of(cfg, channel.input.kind);
    response.H = packages.transfer(two_port, channel.input.kind);
    for (std::size_t i = 0; i < response.H.size(); ++i) {
      // The script applies the Tx rise-time filter only when FORCE_TR is set.
      if (cfg.FORCE_TR) response.H[i] *= tx_rise_time_filter(out.f_GHz[i], cfg.T_r_ns);
      response.H[i] *= out.H_r[i];
    }
    const std::string what = channel.input.path.string();
    ImpulseResponse impulse = impulse_response(response.H, out.f_GHz, dt_ns, cfg.band_extension,
                                               cfg.impulse_truncation_threshold, what.c_str());
    for (double& v : impulse.samples) v *= response.amplitude_V;
    response.impulse = std::move(impulse.samples);
    if (channel.input.kind == ChannelKind::thru) {
      if (!channel.output_noise_V2_per_GHz.empty()) {
        ES_EXPECTS(channel.output_noise_V2_per_GHz.size() == out.f_GHz.size(),
                   "output noise on the channel's frequencies");
        const std::vector<std::complex<double>> to_die =
            rx_side_transfer(sdd.sdd22, out.f_GHz, cfg, package_case);
        out.rx_noise_V2_per_GHz.resize(out.f_GHz.size());
        for (std::size_t i = 0; i < out.f_GHz.size(); ++i) {
          out.rx_noise_V2_per_GHz[i] = channel.output_noise_V2_per_GHz[i] * std::norm(to_die[i]);
        }
      }
      out.thru = std::move(response);
    } else {
      out.aggressors.push_back(std::move(response));
    }
  }
  return out;
}

}  // namespace eyesweep
