// The batched CPU engine; see cpu_engine.hpp.
#include "host/cpu_engine.hpp"

#include <chrono>

#include "host/fast_search.hpp"
#include "host/mmse_search.hpp"
#include "host/parallel.hpp"
#include "kernels/common/error.hpp"

namespace eyesweep {
namespace {

/// Points kept beyond the winner, in case rounding makes it invalid in double.
constexpr std::size_t kFallbackPoints = 4;

/// One variant from responses to result; `threads` work inside it.
VariantResult run_variant(const ComConfig& spec, const ChannelVariant& variant, const SearchGrid& grid,
                          std::size_t top_k, unsigned threads) {
  const auto start = std::chrono::steady_clock::now();
  const PreparedVariant prepared(variant_config(spec, variant), *variant.channels, grid);
  const std::size_t keep = std::max<std::size_t>(top_k, kFallbackPoints);
  std::vector<GridPointScore> best;
  auto search_start = std::chrono::steady_clock::now();
  if (spec.rx_ffe.enabled()) {
    const MmseSearch mmse(prepared, grid, threads);  // the MMSE Rx FFE receiver's tables
    search_start = std::chrono::steady_clock::now();
    best = mmse.search(threads, keep);
  } else {
    const BatchTables tables = build_tables({&prepared}, grid, threads);
    search_start = std::chrono::steady_clock::now();
    best = cpu_search(prepared, grid, tables, 0, threads, keep);
  }
  const double search_seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - search_start).count();
  VariantResult result = finish_variant(prepared, grid, std::move(best), top_k);
  result.com.search_seconds = search_seconds;
  result.com.total_seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
  return result;
}

}  // namespace

std::string CpuEngine::device() const {
  return "CPU, " + std::to_string(worker_count(threads_, 1u << 20)) + " threads, float search";
}

std::vector<VariantResult> CpuEngine::run(const EngineBatch& batch) {
  check_batch(batch);
  // With an Rx FFE the FOM's crosstalk comes from the MMSE noise terms: no |H_ffe| series.
  const bool rx_ffe = batch.spec->rx_ffe.enabled();
  const SearchGrid grid(*batch.spec, rx_ffe ? CrosstalkSum::direct : CrosstalkSum::automatic, FastEngine::cpu);
  const std::size_t n = batch.variants.size();
  std::vector<VariantResult> results(n);
  // Many variants: one per thread (no synchronisation inside); few: all threads on each.
  const unsigned threads = worker_count(threads_, 1u << 20);
  const bool across = n >= threads;
  const auto one = [&](std::size_t i, unsigned inner) {
    try {
      results[i] = run_variant(*batch.spec, batch.variants[i], grid, batch.top_k, inner);
    } catch (const InputError& e) {
      results[i] = VariantResult{};
      results[i].error = e.what();
    }
  };
  if (across) {
    parallel_chunks(n, 1, threads, [&](std::size_t first, std::size_t last, unsigned) {
      for (std::size_t i = first; i < last; ++i) one(i, 1);
    });
  } else {
    for (std::size_t i = 0; i < n; ++i) one(i, threads);
  }
  return results;
}

}  // namespace eyesweep
