// The kernels that build a batch's search records on the device (kernels/table_device.cu),
// each a thin loop around the functions the host builds the same records with: one thread
// per record where a record's part is a serial chain (the CTLE's recursive filter, the peak
// window's selection), one per (record, element) where elements are independent, one block
// per variant for the integrals of the CTLE's power terms (a fixed-order tree, so that a
// build is deterministic).
#pragma once

#include "kernels/ctle_record.hpp"
#include "kernels/ctle_response.hpp"
#include "kernels/search_layout.hpp"

namespace eyesweep::cuda::detail {

/// What every build kernel reads (device pointers).
struct BuildArgs {
  search::TableLayout layout;
  search::RecordShape shape;
  const search::TableSource* sources = nullptr;  ///< per variant
  const CtleSetting* ctle = nullptr;
  int n_ctle = 0;
  long long records = 0;
  double* impulse = nullptr;  ///< per record: the CTLE'd impulse response, layout.pulse_len
  double* pulse = nullptr;    ///< per record: its pulse extended by the pad either side, layout.pulse_floats()
  /// Per variant: the integrals per CTLE power term, the FEXT weight's terms (kPowerTerms x
  /// its n_xt, at v x power_fext_stride) and their cosine moments (series form, fext_terms x
  /// kPowerTerms at v x fext_terms x kPowerTerms).
  ctle::PowerIntegrals* power_integrals = nullptr;
  double* power_fext = nullptr;
  long long power_fext_stride = 0;
  double* power_moments = nullptr;
  float* floats = nullptr;
  double* doubles = nullptr;
  int* ints = nullptr;

  __device__ const search::TableSource& source(long long record) const { return sources[record / n_ctle]; }
  __device__ search::TapSamples samples(long long record) const {
    return {extended_pulse(record), source(record).view, shape.num_taps};
  }
  /// The record's extended pulse at its sample 0.
  __device__ double* extended_pulse(long long record) const { return pulse + record * layout.pulse_floats() + layout.pulse_pad; }
  __device__ float* record_floats(long long record) const { return floats + record * layout.floats(); }
  __device__ double* record_doubles(long long record) const { return doubles + record * layout.doubles(); }
  __device__ int* record_ints(long long record) const { return ints + record * layout.ints(); }
};

/// Grid-stride loop over index < count.
#define ES_GRID_STRIDE(index, count)                                                                 \
  for (long long index = static_cast<long long>(blockIdx.x) * blockDim.x + threadIdx.x; index < (count); \
       index += static_cast<long long>(gridDim.x) * blockDim.x)

/// cos(m theta_i) of every variant's crosstalk frequencies, into `series` (variant v's
/// table, the one its source's series_cos points to, at v x series_stride): one thread per
/// (variant, i).
__global__ void series_kernel(const search::TableSource* sources, int variants, int terms, int max_xt, double* series,
                              long long series_stride) {
  ES_GRID_STRIDE(index, static_cast<long long>(variants) * max_xt) {
    const long long v = index / max_xt;
    const search::TableSource& s = sources[v];
    const int i = static_cast<int>(index % max_xt);
    if (i >= s.view.n_xt) continue;
    const double theta = 2.0 * 3.14159265358979323846 * s.spectrum.f_GHz[i] / s.f_b_GBd;
    search::series_cosines(cos(theta), terms, series + v * series_stride + i, s.view.n_xt);
  }
}

/// The CTLE on the THRU's impulse response: one thread per record (a recursive filter).
__global__ void filter_kernel(BuildArgs a) {
  ES_GRID_STRIDE(record, a.records) {
    const search::TableSource& s = a.source(record);
    ctle::filter_impulse(a.ctle[record % a.n_ctle], s.sample_rate_GHz, s.impulse, a.impulse + record * a.layout.pulse_len,
                         s.view.N);
  }
}

/// The pulse, extended circularly, in double and into the record in float: one thread per
/// (record, sample).
__global__ void pulse_kernel(BuildArgs a) {
  const long long len = a.layout.pulse_floats(), pad = a.layout.pulse_pad;
  ES_GRID_STRIDE(index, a.records * len) {
    const long long record = index / len;
    const int i = static_cast<int>(index % len - pad);
    const search::VariantView& v = a.source(record).view;
    if (i >= v.N + pad) continue;
    double* extended = a.extended_pulse(record);
    extended[i] = ctle::pulse_sample(a.impulse + record * a.layout.pulse_len, search::wrap_index(i, v.N), v.M);
    search::fill_pulse_sample(a.layout, extended, a.record_floats(record), i);
  }
}

/// The peak window's fields: one thread per record (a running selection).
__global__ void peak_kernel(BuildArgs a) {
  ES_GRID_STRIDE(record, a.records) {
    search::fill_peak_fields(a.layout, a.shape, a.samples(record), a.record_floats(record), a.record_ints(record));
  }
}

/// The ISI forms (phases 0 .. M-1) and the jitter forms (M .. 2M-1): one thread per
/// (record, phase); after peak_kernel, which places the ISI block. kTaps = shape.num_taps.
template <int kTaps>
__global__ void gram_kernel(BuildArgs a) {
  const int M = a.layout.M;
  ES_GRID_STRIDE(index, a.records * 2 * M) {
    const long long record = index / (2 * M);
    const int phase = static_cast<int>(index % (2 * M));
    int* ints = a.record_ints(record);
    if (phase < M) {
      if (phase < ints[search::kBlockLen]) {
        search::fill_isi_phase<kTaps>(a.layout, a.samples(record), a.shape.dfe_taps, ints, a.record_doubles(record), phase);
      }
    } else {
      search::fill_jitter_phase<kTaps>(a.layout, a.samples(record), a.record_doubles(record), ints, phase - M);
    }
  }
}

/// Each variant's noise and crosstalk integrals per CTLE power term (the settings share their
/// poles; ctle::power_terms): one block of kBlock threads per variant, each thread a strided
/// share of the frequencies, then a tree in shared memory. The FEXT weight's terms go to
/// power_fext.
template <int kBlock>
__global__ void __launch_bounds__(kBlock) power_kernel(BuildArgs a, int variants) {
  constexpr int kTerms = ctle::kPowerTerms;
  __shared__ double share[3 * kTerms][kBlock];
  for (int v = blockIdx.x; v < variants; v += gridDim.x) {
    const search::TableSource& s = a.sources[v];
    double* fext = a.power_fext + v * a.power_fext_stride;
    ctle::PowerIntegrals mine;
    for (int i = threadIdx.x; i < s.spectrum.n_f; i += kBlock) {
      const ctle::PowerFrequencyTerms terms = ctle::power_frequency_terms(s.spectrum, a.ctle[0], i);
      mine.add(terms);
      if (i < s.spectrum.n_xt) {
        for (int k = 0; k < kTerms; ++k) fext[k * s.spectrum.n_xt + i] = terms.fext[k];
      }
    }
    for (int k = 0; k < kTerms; ++k) {
      share[k][threadIdx.x] = mine.noise[k];
      share[kTerms + k][threadIdx.x] = mine.shaped[k];
      share[2 * kTerms + k][threadIdx.x] = mine.next[k];
    }
    __syncthreads();
    for (int half = kBlock / 2; half > 0; half /= 2) {
      if (threadIdx.x < half) {
        for (int q = 0; q < 3 * kTerms; ++q) share[q][threadIdx.x] += share[q][threadIdx.x + half];
      }
      __syncthreads();
    }
    if (threadIdx.x == 0) {
      ctle::PowerIntegrals total;
      for (int k = 0; k < kTerms; ++k) {
        total.noise[k] = share[k][0];
        total.shaped[k] = share[kTerms + k][0];
        total.next[k] = share[2 * kTerms + k][0];
      }
      a.power_integrals[v] = total;
    }
    __syncthreads();  // the shared sums are reused by the next variant
  }
}

/// The cosine moments of each variant's FEXT weight terms (series form): one thread per
/// (variant, moment, term); after power_kernel and series_kernel.
__global__ void power_moments_kernel(BuildArgs a, int variants) {
  const int per_variant = a.shape.fext_terms * ctle::kPowerTerms;
  ES_GRID_STRIDE(index, static_cast<long long>(variants) * per_variant) {
    const long long v = index / per_variant;
    const int mk = static_cast<int>(index % per_variant);
    const search::TableSource& s = a.sources[v];
    a.power_moments[index] = search::power_moment(s.series_cos, a.power_fext + v * a.power_fext_stride, s.view.n_xt,
                                                  mk / ctle::kPowerTerms, mk % ctle::kPowerTerms);
  }
}

/// Each record's crosstalk part from its variant's power terms: one thread per record; after
/// power_kernel (and power_moments_kernel in the series form).
__global__ void crosstalk_kernel(BuildArgs a) {
  const long long per_variant = static_cast<long long>(a.shape.fext_terms) * ctle::kPowerTerms;
  ES_GRID_STRIDE(record, a.records) {
    const long long v = record / a.n_ctle;
    const search::TableSource& s = a.sources[v];
    const double* fext = a.shape.fext_terms > 0 ? a.power_moments + v * per_variant : a.power_fext + v * a.power_fext_stride;
    const search::PowerSource power{a.power_integrals[v], fext, s.view.n_xt};
    search::fill_crosstalk(a.layout, a.shape, power, ctle::Response(a.ctle[record % a.n_ctle]), s.eta_0_V2_per_GHz,
                           a.record_doubles(record));
  }
}

#undef ES_GRID_STRIDE

}  // namespace eyesweep::cuda::detail
