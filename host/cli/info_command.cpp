// `eyesweep info`; see info_command.hpp.
#include "host/cli/info_command.hpp"

#include <iostream>
#include <thread>

#include "eyesweep/version.hpp"
#include "kernels/cuda_device.hpp"

namespace eyesweep {

void add_info_command(CLI::App& app) {
  CLI::App* info = app.add_subcommand("info", "Print the version, build options and the CUDA devices that answer");
  info->callback([] {
    std::cout << "eyesweep " << kVersion << " (" << kGitRevision << ")\n";
    std::cout << "CPU threads     " << std::thread::hardware_concurrency() << "\n";
    std::cout << "CUDA build      " << (built_with_cuda() ? "yes" : "no") << "\n";
    const auto devices = list_cuda_devices();
    if (devices.empty()) std::cout << "CUDA devices    none answer\n";
    for (const CudaDeviceInfo& d : devices) {
      std::cout << "CUDA device " << d.index << "   " << d.name << ", compute capability " << d.compute_major << "."
                << d.compute_minor << ", " << d.memory_bytes / (1024 * 1024) << " MiB"
                << (d.runs_our_kernels ? "" : ", not covered by this build's CUDA architectures (no kernel image)") << "\n";
    }
  });
}

}  // namespace eyesweep
