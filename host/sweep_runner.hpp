// A sweep over linear-drive link variants: decodes the variants of a sweep specification,
// searches each one's module settings and host equaliser on an engine, and writes every
// result to a resumable HDF5 file batch by batch (one shard of the variants, or all).
#pragma once

#include <cstdint>
#include <filesystem>
#include <functional>
#include <map>
#include <optional>
#include <string>
#include <vector>

#include "host/engine.hpp"
#include "host/stat_eye.hpp"
#include "host/sweep_file.hpp"
#include "host/lpo_link.hpp"
#include "host/variant_space.hpp"
#include "host/sweep_summary.hpp"
#include "io/sweep_spec.hpp"

namespace eyesweep {

/// One shard of a sweep: number k (1-based) of n contiguous, near-equal variant ranges.
struct Shard {
  std::uint64_t k = 1, n = 1;
  /// "k/n" with 1 <= k <= n; throws InputError naming `option` otherwise.
  static Shard parse(const std::string& text, const std::string& option = "--shard");
  std::uint64_t first(std::uint64_t variants) const { return variants * (k - 1) / n; }
  std::uint64_t end(std::uint64_t variants) const { return variants * k / n; }
  std::string text() const { return std::to_string(k) + "/" + std::to_string(n); }
};

/// What a running sweep reports after each batch.
struct SweepProgress {
  std::uint64_t done = 0;          ///< variants of this shard written, resumed ones included
  std::uint64_t total = 0;         ///< variants of this shard
  std::uint64_t this_run = 0;      ///< variants computed by this run
  double seconds = 0.0;            ///< since this run started
};

struct SweepOptions {
  Backend backend = Backend::automatic;
  unsigned threads = 0;            ///< CPU threads, 0 = all cores
  bool resume = false;
  Shard shard;
  std::uint64_t batch_variants = 16;
  std::size_t worst_k = 20;        ///< worst variants kept in the summary
  /// Statistical eyes kept in the file (group /eyes): of the `eyes_worst` worst variants of
  /// the summary and of `eye_variants` (indices inside the shard), with `eye` options.
  std::size_t eyes_worst = 0;
  std::vector<std::uint64_t> eye_variants;
  EyeOptions eye;
  std::function<void(const std::string&)> note;          ///< engine choice, estimates
  std::function<void(const SweepProgress&)> progress;    ///< after each batch
};

/// What a finished sweep wrote.
struct SweepOutcome {
  std::uint64_t rows = 0;          ///< variants in the file
  std::uint64_t computed_now = 0;  ///< of which this run computed
  double seconds = 0.0;            ///< this run, from the first batch to the finished file
  double write_seconds = 0.0;      ///< of which writing the file (rows, summary, finish)
  std::vector<std::uint64_t> eyes; ///< variants whose eyes the file holds
  SweepSummary summary;
  std::string report;              ///< format_summary's text
};

/// One module setting of a variant and what the engine made of it.
struct SettingResult {
  std::vector<double> setting;     ///< values of ModuleSearch::names
  bool ok = false;
  std::string error;
  VariantResult result;
  LpoModuleReport module;
};

/// A variant recomputed setting by setting (what `eyesweep inspect` prints).
struct InspectedVariant {
  VariantPoint point;
  std::map<std::string, double> parameters;   ///< every link parameter, setting excluded
  ModuleSearch search;
  std::vector<SettingResult> settings;
  std::size_t best = 0;                       ///< highest COM, the first on ties
  bool ok = false;                            ///< some setting computed
  bool measured = false;                      ///< a measured channel set (no module)
};
InspectedVariant recompute_variant(const SweepSpec& spec, const ComConfig& host, std::uint64_t index, Engine& engine);

/// InputError naming the option when `options` do not fit `spec` (batch size, eye variants
/// outside the shard, eye options); run_sweep checks them too, before anything is written.
void check_sweep_options(const SweepSpec& spec, const SweepOptions& options);

/// Runs (or, with options.resume, continues) the sweep into `out`. Bad input throws
/// InputError before anything is written; a variant that fails is a row with ok = 0 and its
/// error. Interrupting it at any moment loses at most the batch in flight.
SweepOutcome run_sweep(const SweepSpec& spec, const ComConfig& host, const std::filesystem::path& out,
                       const SweepOptions& options);

/// The summary of any sweep file (finished, interrupted or merged) from its columns.
SweepOutcome summarize_sweep_file(const std::filesystem::path& file, std::size_t worst_k);

}  // namespace eyesweep
