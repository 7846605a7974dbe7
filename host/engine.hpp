// One interface for the three COM engines (reference, CPU, CUDA): a batch of channel
// variants and one shared search specification in, one result per variant out.
#pragma once

#include <cstddef>
#include <memory>
#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "host/case_responses.hpp"
#include "host/com_config.hpp"
#include "host/com_engine.hpp"
#include "kernels/cuda_device.hpp"

namespace eyesweep {

/// The per-variant scalars; unset ones take the specification's value.
struct VariantScalars {
  std::optional<double> eta_0_V2_per_GHz, sigma_RJ_UI, A_DD_UI, SNR_TX_dB, R_LM;
  std::optional<double> A_v, A_fe, A_ne;
};

/// One channel variant: its channel responses (THRU first, then aggressors: Touchstone sets
/// or the parametric models), its package line lengths and its scalars.
struct ChannelVariant {
  std::shared_ptr<const std::vector<LoadedChannel>> channels;
  PackageCase package;
  VariantScalars scalars;
};

/// The specification with a variant's package and scalars applied: the configuration the
/// reference engine runs on for that variant (one package case).
ComConfig variant_config(const ComConfig& spec, const ChannelVariant& variant);

/// Many variants sharing one search specification (Tx and CTLE grids, DFE limits, cursor
/// rule: the spec's; its package cases are ignored, each variant brings its own).
struct EngineBatch {
  const ComConfig* spec = nullptr;
  std::span<const ChannelVariant> variants;
  std::size_t top_k = 0;             ///< also return the K best grid points of each variant
};

/// A grid point and its figure of merit in the engine's own arithmetic.
struct GridPointScore {
  double fom_dB = 0.0;
  std::size_t ctle_index = 0;        ///< into build_ctle_grid(spec)
  std::size_t tx_index = 0;          ///< into build_tx_grid(spec)
};

struct VariantResult {
  bool ok = false;
  std::string error;                 ///< why not ok: the variant's input error
  /// COM, FOM, eye height, A_s, A_ni, sigmas and the winning equaliser: the winner's final
  /// analysis in double precision, whatever engine searched.
  ComCaseResult com;
  double search_fom_dB = 0.0;        ///< the winner's FOM as the engine's search computed it
  std::vector<GridPointScore> best_points;  ///< top_k, best first
};

class Engine {
 public:
  virtual ~Engine() = default;
  /// "reference", "cpu" or "cuda"
  virtual std::string_view name() const = 0;
  /// What it runs on, for reports (e.g. "2 threads", the GPU's name).
  virtual std::string device() const = 0;
  /// One result per variant, in order. A variant's input error is its result's error; bad
  /// specifications throw InputError before any variant runs.
  virtual std::vector<VariantResult> run(const EngineBatch& batch) = 0;
};

/// What every engine checks before a batch runs: the limits of check_supported (M, L, DFE
/// length, CTLE grid size, ...) on the specification. Throws InputError naming the
/// configuration.
void check_batch(const EngineBatch& batch);

/// COM of one channel set on any engine (what run_com does with the reference engine): the
/// configuration's package cases as one batch, COM the minimum over them. Throws InputError
/// on bad input, as run_com.
ComResult run_com_on(Engine& engine, const ComConfig& cfg, const std::vector<LoadedChannel>& channels);

enum class Backend { automatic, cpu, cuda, reference };

/// "auto", "cpu", "cuda", "reference"; throws InputError naming `option` otherwise.
Backend parse_backend(std::string_view text, std::string_view option = "--backend");

struct EngineOptions {
  unsigned threads = 0;              ///< CPU worker threads, 0 = all cores
};

/// The CUDA device the CUDA engines (COM and eyes) run on: the first of compute capability 7.5
/// or newer that this build's kernels run on (its CUDA architectures cover it), if any.
std::optional<CudaDeviceInfo> usable_cuda_device();

/// The engine for `backend` and specification `spec`. `auto` picks the reference engine when
/// neither fast engine can search `spec`, the CPU engine when only it can (the MMSE Rx FFE),
/// else CUDA when a device answers (compute capability 7.5 or newer), else the CPU engine,
/// and says which and why in `choice`.
/// Throws InputError when `cpu` or `cuda` cannot search `spec`, and for `cuda` where no GPU
/// answers or in a build without CUDA.
std::unique_ptr<Engine> make_engine(Backend backend, const ComConfig& spec, const EngineOptions& options,
                                    std::string* choice = nullptr);

}  // namespace eyesweep
