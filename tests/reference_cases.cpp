// Reference results of the IEEE COM script v3.70, transcribed from
// shared/channels/reference-results.md (both tables).
#include "tests/reference_cases.hpp"

namespace eyesweep::test {
namespace {

ChannelInput channel(const std::string& path, ChannelKind kind) {
  ChannelInput input;
  input.path = path;
  input.kind = kind;
  return input;
}

std::vector<ChannelInput> channel_set(const std::string& dir, const std::string& thru,
                                      const std::vector<std::string>& fext,
                                      const std::vector<std::string>& next) {
  std::vector<ChannelInput> set{channel(dir + "/" + thru, ChannelKind::thru)};
  for (const std::string& f : fext) set.push_back(channel(dir + "/" + f, ChannelKind::fext));
  for (const std::string& f : next) set.push_back(channel(dir + "/" + f, ChannelKind::next));
  return set;
}

}  // namespace

std::vector<ValidationCase> validation_cases(const std::string& shared_dir) {
  const std::string channels = shared_dir + "/channels";
  const auto vita = channel_set(channels + "/vita68_example2", "example2_THRU.s4p",
                                {"example2_FEXT1.s4p", "example2_FEXT2.s4p"},
                                {"example2_NEXT1.s4p", "example2_NEXT2.s4p", "example2_NEXT3.s4p"});
  const auto orthobp = channel_set(
      channels + "/ieee8023ck_orthobp_12dB", "DPO_4in_Meg7_THRU.s4p",
      {"DPO_4in_Meg7_FENG1415.s4p", "DPO_4in_Meg7_FENG89.s4p", "DPO_4in_Meg7_FENH1112.s4p",
       "DPO_4in_Meg7_FENH1415.s4p", "DPO_4in_Meg7_FENH89.s4p"},
      {"DPO_4in_Meg7_NENF1112.s4p", "DPO_4in_Meg7_NENF1415.s4p", "DPO_4in_Meg7_NENF89.s4p"});
  std::vector<std::string> ca_fext, ca_next;
  for (int i = 1; i <= 7; ++i) ca_fext.push_back("CA_19p75dB_fext" + std::to_string(i) + ".s4p");
  for (int i = 1; i <= 8; ++i) ca_next.push_back("CA_19p75dB_next" + std::to_string(i) + ".s4p");
  const auto ca = channel_set(channels + "/ieee8023ck_ca_19p75dB", "CA_19p75dB_thru.s4p", ca_fext, ca_next);
  const auto orthobp_24 = channel_set(
      channels + "/ieee8023ck_orthobp_24dB", "DPO_10in_Meg7_THRU.s4p",
      {"DPO_10in_Meg7_FENG1415.s4p", "DPO_10in_Meg7_FENG89.s4p", "DPO_10in_Meg7_FENH1112.s4p",
       "DPO_10in_Meg7_FENH1415.s4p", "DPO_10in_Meg7_FENH89.s4p"},
      {"DPO_10in_Meg7_NENF1112.s4p", "DPO_10in_Meg7_NENF1415.s4p", "DPO_10in_Meg7_NENF89.s4p"});
  const auto taps = [](int first, int last) {
    std::vector<int> t;
    for (int i = first; i <= last; ++i) t.push_back(i);
    return t;
  };
  std::vector<int> ca_case1 = taps(13, 18);
  for (int t : taps(32, 34)) ca_case1.push_back(t);

  return {
      {"VITA-KR4", "configs/vita_kr4.toml", vita,
       {{4.295, 16.890, 30.283, 18.470, 23.63, -12, 0, {-0.16, 0.84, 0}, {0.577, 0.034, 0.000, -0.070, 0.068, 0.037}, {1.824, 3.314, 1.353, 0.710, 0.398, 1.988}},
        {3.653, 16.250, 25.066, 16.460, 17.21, -12, 0, {-0.16, 0.84, 0}, {0.684, 0.106, 0.014, 0.010, 0.024, 0.026}, {1.867, 2.846, 1.120, 0.710, 0.332, 1.662}}}},
      {"C2C orthobp 12 dB", "configs/ieee8023ck_c2c.toml", orthobp,
       {{3.407, 15.832, 19.022, 12.85, 12.34, -2, -2, {-0.02, 0.06, -0.22, 0.64, -0.06}, {0.394, 0.149, 0.059, 0.057, 0.018, 0.013}, {2.328, 0.431, 1.345, 0.726, 0.543, 1.082}},
        {3.479, 15.896, 11.314, 7.58, 7.47, -7, -2, {-0.02, 0.08, -0.26, 0.64, 0}, {0.364, 0.141, 0.057, 0.062, 0.023, 0.021}, {1.327, 0.237, 0.800, 0.594, 0.307, 0.612}}}},
      {"C2C cable assembly 19.75 dB", "configs/ieee8023ck_c2c.toml", ca,
       {{1.949, 14.346, 8.702, 6.953, 3.50, -11, -3, {0, 0.04, -0.2, 0.76, 0}, {0.456, 0.052, 0.048, 0.029, 0.026, 0.020}, {1.200, 0.570, 0.615, 0.551, 0.246, 0.495}},
        {1.938, 14.369, 6.474, 5.180, 2.59, -12, -4, {0, 0.04, -0.2, 0.76, 0}, {0.578, 0.095, 0.054, 0.034, 0.025, 0.021}, {0.826, 0.382, 0.458, 0.545, 0.187, 0.375}}}},
      {"CR/CA cable assembly 19.75 dB", "configs/ieee8023ck_cr_ca.toml", ca,
       {{4.394, 15.561, 4.362, 2.630, 3.46, -13, -3, {0, 0.04, -0.2, 0.76, 0}, {0.824, 0.229, 0.102, 0.072},
         {0.370, 0.222, 0.327, 0.362, 0.134, 0.267}, ca_case1},
        {3.388, 14.529, 3.183, 2.155, 2.06, -15, -4, {0, 0.04, -0.22, 0.74, 0}, {0.835, 0.229, 0.076, 0.043},
         {0.304, 0.154, 0.238, 0.358, 0.096, 0.191}, taps(15, 23)}},
       true},
      {"KR orthobp 12 dB", "configs/ieee8023ck_kr.toml", orthobp,
       {{6.080, 17.327, 24.045, 11.940, 24.21, 0, -2, {-0.02, 0.06, -0.22, 0.68, -0.02}, {0.565, 0.222, 0.094, 0.071},
         {2.201, 0.473, 1.700, 0.527, 0.695, 1.392}, taps(18, 26)},
        {6.526, 17.760, 16.535, 7.800, 17.47, -1, -2, {-0.02, 0.08, -0.26, 0.64, 0}, {0.623, 0.300, 0.145, 0.104},
         {1.371, 0.303, 1.169, 0.493, 0.441, 0.877}, taps(19, 27)}},
       true},
      {"KR orthobp 24 dB", "configs/ieee8023ck_kr.toml", orthobp_24,
       {{6.143, 17.392, 5.851, 2.885, 5.93, -7, -3, {-0.02, 0.06, -0.26, 0.62, -0.04}, {0.670, 0.282, 0.155, 0.114},
         {0.393, 0.100, 0.414, 0.380, 0.169, 0.338}, taps(18, 26)},
        {5.288, 16.503, 3.927, 2.136, 3.58, -10, -3, {-0.02, 0.06, -0.26, 0.62, -0.04}, {0.724, 0.266, 0.143, 0.108},
         {0.254, 0.065, 0.278, 0.358, 0.117, 0.236}, taps(16, 24)}},
       true},
  };
}

}  // namespace eyesweep::test
