// The CUDA engine; see cuda_engine.hpp.
#include "host/cuda_engine.hpp"

#include <algorithm>
#include <chrono>
#include <memory>
#include <string>

#include "host/fast_search.hpp"
#include "host/mmse_search.hpp"
#include "host/parallel.hpp"
#include "kernels/common/error.hpp"
#include "kernels/search_device.hpp"
#include "kernels/table_device.hpp"

namespace eyesweep {
namespace {

using clock_type = std::chrono::steady_clock;

/// Points kept beyond the winner, in case rounding makes it invalid in double.
constexpr std::size_t kFallbackPoints = 4;

/// Device memory one batch's tables may take.
constexpr std::size_t kMaxBatchTableBytes = std::size_t{4} << 30;

/// The best point of every (variant, CTLE) record of a chunk.
struct ChunkKeys {
  std::vector<std::uint64_t> keys;    ///< variant x n_ctle + ctle
  std::vector<std::string> errors;    ///< per variant: why it was not searched (empty: it was)
  double search_seconds = 0.0;        ///< on the device, copies included (and the DFE tables' build)
  std::size_t table_bytes_per_variant = 1;  ///< device memory a variant took
};

class CudaEngine final : public Engine {
 public:
  CudaEngine(int device, unsigned threads) : device_(device), threads_(threads) {}
  std::string_view name() const override { return "cuda"; }
  std::string device() const override { return device_name_.empty() ? "CUDA device " + std::to_string(device_) : device_name_; }
  std::vector<VariantResult> run(const EngineBatch& batch) override;

 private:
  int device_;
  unsigned threads_;
  std::string device_name_;
};

/// The DFE receiver's search: the chunk's tables built and searched in one batch on the device.
ChunkKeys search_dfe(cuda::SearchDevice& gpu, cuda::TableDevice& tables, const SearchGrid& grid,
                     const std::vector<const PreparedVariant*>& variants) {
  const search::TableLayout layout = table_layout(grid, variants);
  std::vector<search::TableSource> sources;
  std::vector<search::VariantView> views;
  ChunkKeys out;
  for (const PreparedVariant* p : variants) {
    sources.push_back(p->table_source());
    views.push_back(p->view());
    out.table_bytes_per_variant = std::max(out.table_bytes_per_variant, tables.bytes_per_variant(layout, sources.back()));
  }
  const auto start = clock_type::now();
  tables.build(layout, sources);
  out.keys = gpu.search_resident(layout, views, grid.ctle().size(), tables.floats(), tables.doubles(), tables.ints());
  out.search_seconds = std::chrono::duration<double>(clock_type::now() - start).count();
  out.errors.resize(variants.size());
  return out;
}

/// The MMSE Rx FFE receiver's search: one variant at a time, its tables built on the host
/// (`threads` threads) and searched on the device.
ChunkKeys search_mmse(cuda::SearchDevice& gpu, const SearchGrid& grid, const std::vector<const PreparedVariant*>& variants,
                      unsigned threads) {
  ChunkKeys out;
  for (const PreparedVariant* p : variants) {
    std::unique_ptr<MmseSearch> built;
    try {
      built = std::make_unique<MmseSearch>(*p, grid, threads);
    } catch (const InputError& e) {  // this variant's own error; the others run
      out.errors.emplace_back(e.what());
      out.keys.resize(out.keys.size() + grid.ctle().size(), 0);
      continue;
    }
    const MmseSearch& mmse = *built;
    const BatchTables& peak = mmse.peak_tables();
    const MmseTables& tables = mmse.tables();
    const auto start = clock_type::now();
    const std::vector<std::uint64_t> keys =
        gpu.search_mmse(p->view(), grid.ctle().size(), peak.layout, peak.floats.data(), peak.doubles.data(),
                        peak.ints.data(), tables.layout, tables.doubles.data(), tables.floats.data(), tables.ints.data(),
                        mmse.receiver());
    out.search_seconds += std::chrono::duration<double>(clock_type::now() - start).count();
    out.keys.insert(out.keys.end(), keys.begin(), keys.end());
    out.errors.emplace_back();
    out.table_bytes_per_variant = std::max(out.table_bytes_per_variant, mmse.table_bytes());
  }
  return out;
}

std::vector<VariantResult> CudaEngine::run(const EngineBatch& batch) {
  check_batch(batch);
  if (batch.top_k > 1) throw InputError("the cuda engine reports the best grid point only (top_k <= 1); use the cpu engine for more");
  // With an Rx FFE the FOM's crosstalk comes from the MMSE noise terms: no |H_ffe| series;
  // only the MMSE search reads the Tx taps in double.
  const bool rx_ffe = batch.spec->rx_ffe.enabled();
  const SearchGrid grid(*batch.spec, rx_ffe ? CrosstalkSum::direct : CrosstalkSum::automatic);
  search::GridView view = grid.view();
  if (!rx_ffe) view.taps_exact = nullptr;
  cuda::SearchDevice gpu(device_, view);
  std::unique_ptr<cuda::TableDevice> tables;  // the DFE receiver's, built on the device
  if (!rx_ffe) tables = std::make_unique<cuda::TableDevice>(device_, grid.ctle(), grid.record_shape());
  device_name_ = gpu.device_name();
  const std::size_t n = batch.variants.size(), n_ctle = grid.ctle().size();
  const unsigned threads = worker_count(threads_, 1u << 20);
  std::vector<VariantResult> results(n);

  // Variants go through in chunks sized to the memory their tables need (known after the
  // first chunk; the first is small).
  std::size_t chunk = std::max<std::size_t>(threads, 8);
  for (std::size_t first = 0; first < n;) {
    const std::size_t last = std::min(n, first + chunk);
    const auto start = clock_type::now();
    std::vector<std::unique_ptr<PreparedVariant>> prepared(last - first);
    parallel_chunks(last - first, 1, threads, [&](std::size_t lo, std::size_t hi, unsigned) {
      for (std::size_t i = lo; i < hi; ++i) {
        try {
          prepared[i] = std::make_unique<PreparedVariant>(variant_config(*batch.spec, batch.variants[first + i]),
                                                          *batch.variants[first + i].channels, grid);
        } catch (const InputError& e) {
          results[first + i].error = e.what();
        }
      }
    });
    std::vector<const PreparedVariant*> ok;
    for (const auto& p : prepared) {
      if (p) ok.push_back(p.get());
    }
    const ChunkKeys found = rx_ffe ? search_mmse(gpu, grid, ok, threads) : search_dfe(gpu, *tables, grid, ok);
    const std::vector<std::uint64_t>& keys = found.keys;

    // Per variant, the best record (ties: the first CTLE setting), then the final analysis.
    std::vector<std::size_t> slot;  // result index of each ok variant
    for (std::size_t i = 0; i < prepared.size(); ++i) {
      if (prepared[i]) slot.push_back(first + i);
    }
    parallel_chunks(ok.size(), 1, threads, [&](std::size_t lo, std::size_t hi, unsigned) {
      for (std::size_t v = lo; v < hi; ++v) {
        // Each CTLE record's best point, best first (ties: the earlier CTLE setting); the
        // first few go to the final analysis (the next if rounding made the winner invalid).
        std::vector<GridPointScore> best;
        for (std::size_t c = 0; c < n_ctle; ++c) {
          const std::uint64_t key = keys[v * n_ctle + c];
          if (key != 0) best.push_back({cuda::BestKey::fom_dB(key), c, cuda::BestKey::tx_index(key)});
        }
        std::stable_sort(best.begin(), best.end(), [](const GridPointScore& a, const GridPointScore& b) { return a.fom_dB > b.fom_dB; });
        if (best.size() > kFallbackPoints) best.resize(kFallbackPoints);
        VariantResult& out = results[slot[v]];
        if (!found.errors[v].empty()) {
          out.error = found.errors[v];
          continue;
        }
        try {
          out = finish_variant(*ok[v], grid, std::move(best), batch.top_k);
          out.com.search_seconds = found.search_seconds / static_cast<double>(ok.size());
          out.com.total_seconds = std::chrono::duration<double>(clock_type::now() - start).count() / static_cast<double>(ok.size());
        } catch (const InputError& e) {
          out = VariantResult{};
          out.error = e.what();
        }
      }
    });

    // The next chunk: as many variants as half the device memory that is free or already
    // the table builder's (up to a cap) hold; the MMSE search holds one variant's tables at a time.
    const std::size_t by_memory =
        rx_ffe ? std::max<std::size_t>(threads, 8)
               : std::min((gpu.free_bytes() + tables->held_bytes()) / 2, kMaxBatchTableBytes) /
                     found.table_bytes_per_variant;
    chunk = std::clamp<std::size_t>(by_memory, 1, 4096);
    first = last;
  }
  return results;
}

}  // namespace

std::unique_ptr<Engine> make_cuda_engine(int device, unsigned threads) {
  return std::make_unique<CudaEngine>(device, threads);
}

}  // namespace eyesweep
