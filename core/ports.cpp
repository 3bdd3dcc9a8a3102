#include "core/ports.h"

#include <algorithm>
#include <charconv>

namespace ciiscope::core {
namespace {

Result<uint16_t> ParsePortNumber(std::string_view text, std::string_view spec) {
  unsigned value = 0;
  auto [ptr, ec] = std::from_chars(text.data(), text.data() + text.size(), value);
  if (text.empty() || ec != std::errc() || ptr != text.data() + text.size() || value == 0 ||
      value > 65535) {
    return Error(ErrorCode::kInvalidArgument,
                 "port spec '" + std::string(spec) + "': '" + std::string(text) +
                     "' is not a port 1..65535 (expected e.g. 22,80,1000-2000,top100)");
  }
  return static_cast<uint16_t>(value);
}

std::string_view Trim(std::string_view s) {
  while (!s.empty() && (s.front() == ' ' || s.front() == '\t')) s.remove_prefix(1);
  while (!s.empty() && (s.back() == ' ' || s.back() == '\t')) s.remove_suffix(1);
  return s;
}

}  // namespace

const std::vector<uint16_t>& Top100TcpPorts() {
  static const std::vector<uint16_t> kPorts = {
      7,    9,    13,   21,   22,   23,   25,   26,   37,    53,    79,    80,    81,
      88,   106,  110,  111,  113,  119,  135,  139,  143,   144,   179,   199,   389,
      427,  443,  444,  445,  465,  513,  514,  515,  543,   544,   548,   554,   587,
      631,  646,  873,  990,  993,  995,  1025, 1026, 1027,  1028,  1029,  1110,  1433,
      1720, 1723, 1755, 1900, 2000, 2001, 2049, 2121, 2717,  3000,  3128,  3306,  3389,
      3986, 4899, 5000, 5009, 5051, 5060, 5101, 5190, 5357,  5432,  5631,  5666,  5800,
      5900, 6000, 6001, 6646, 7070, 8000, 8008, 8009, 8080,  8081,  8443,  8888,  9100,
      9999, 10000, 32768, 49152, 49153, 49154, 49155, 49156, 49157};
  return kPorts;
}

const std::vector<uint16_t>& HighRiskTcpPorts() {
  static const std::vector<uint16_t> kPorts = {
      1521, 2181, 2375, 2376, 2379, 4848, 5601, 5984, 6379, 6443, 7001, 7002, 8161,
      8088, 9000, 9042, 9090, 9200, 9300, 10250, 11211, 27017, 50070};
  return kPorts;
}

Result<PortList> PortList::Parse(std::string_view spec) {
  std::vector<uint16_t> out;
  std::string_view rest = spec;
  if (Trim(spec).empty()) {
    return Error(ErrorCode::kInvalidArgument, "port spec is empty (expected e.g. 22,80,top100)");
  }
  while (!rest.empty()) {
    auto comma = rest.find(',');
    auto item = Trim(rest.substr(0, comma));
    rest = comma == std::string_view::npos ? std::string_view() : rest.substr(comma + 1);
    if (item.empty()) continue;
    if (item.starts_with("T:") || item.starts_with("t:")) item.remove_prefix(2);
    if (item == "top100") {
      out.insert(out.end(), Top100TcpPorts().begin(), Top100TcpPorts().end());
    } else if (item == "default") {
      out.insert(out.end(), Top100TcpPorts().begin(), Top100TcpPorts().end());
      out.insert(out.end(), HighRiskTcpPorts().begin(), HighRiskTcpPorts().end());
    } else if (item == "-" || item == "all") {
      for (unsigned p = 1; p <= 65535; ++p) out.push_back(static_cast<uint16_t>(p));
    } else if (auto dash = item.find('-'); dash != std::string_view::npos) {
      auto lo_text = item.substr(0, dash);
      auto hi_text = item.substr(dash + 1);
      CII_ASSIGN_OR_RETURN(uint16_t lo, lo_text.empty() ? Result<uint16_t>(uint16_t{1})
                                                         : ParsePortNumber(lo_text, spec));
      CII_ASSIGN_OR_RETURN(uint16_t hi, hi_text.empty() ? Result<uint16_t>(uint16_t{65535})
                                                         : ParsePortNumber(hi_text, spec));
      if (hi < lo) {
        return Error(ErrorCode::kInvalidArgument,
                     "port spec '" + std::string(spec) + "': range '" + std::string(item) +
                         "' ends before it starts");
      }
      for (unsigned p = lo; p <= hi; ++p) out.push_back(static_cast<uint16_t>(p));
    } else {
      CII_ASSIGN_OR_RETURN(uint16_t p, ParsePortNumber(item, spec));
      out.push_back(p);
    }
  }
  if (out.empty()) {
    return Error(ErrorCode::kInvalidArgument,
                 "port spec '" + std::string(spec) + "' names no ports");
  }
  return Of(std::move(out));
}

PortList PortList::Of(std::vector<uint16_t> ports) {
  std::sort(ports.begin(), ports.end());
  ports.erase(std::unique(ports.begin(), ports.end()), ports.end());
  ports.erase(std::remove(ports.begin(), ports.end(), 0), ports.end());
  PortList list;
  list.ports_ = std::move(ports);
  return list;
}

bool PortList::Contains(uint16_t port) const {
  return std::binary_search(ports_.begin(), ports_.end(), port);
}

std::string PortList::ToString() const {
  std::string out;
  for (size_t i = 0; i < ports_.size();) {
    size_t j = i;
    while (j + 1 < ports_.size() && ports_[j + 1] == ports_[j] + 1) ++j;
    if (!out.empty()) out += ',';
    out += std::to_string(ports_[i]);
    if (j > i) out += "-" + std::to_string(ports_[j]);
    i = j + 1;
  }
  return out;
}

const std::vector<uint16_t>& TopUdpPorts() {
  static const std::vector<uint16_t> kPorts = {53,  67,  69,  111,  123,  137,  138,  161,  162,
                                               500, 514, 520, 1434, 1900, 4500, 5353, 11211};
  return kPorts;
}

std::string ProtocolPorts::ToString() const {
  std::string out = tcp.ToString();
  if (udp.size() > 0) out += (out.empty() ? "U:" : ",U:") + udp.ToString();
  return out;
}

Result<ProtocolPorts> ParseProtocolPorts(std::string_view spec, bool udp_default) {
  std::string tcp, udp;
  bool in_udp = udp_default;
  std::string_view rest = spec;
  while (!rest.empty()) {
    auto comma = rest.find(',');
    auto item = Trim(rest.substr(0, comma));
    rest = comma == std::string_view::npos ? std::string_view() : rest.substr(comma + 1);
    if (item.starts_with("U:") || item.starts_with("u:")) {
      in_udp = true;
      item.remove_prefix(2);
    } else if (item.starts_with("T:") || item.starts_with("t:")) {
      in_udp = false;
      item.remove_prefix(2);
    }
    item = Trim(item);
    if (item.empty()) continue;
    std::string& group = in_udp ? udp : tcp;
    if (in_udp && (item == "top100" || item == "default")) {
      for (uint16_t p : TopUdpPorts()) group += (group.empty() ? "" : ",") + std::to_string(p);
      continue;
    }
    group += (group.empty() ? "" : ",") + std::string(item);
  }
  if (tcp.empty() && udp.empty()) {
    return Error(ErrorCode::kInvalidArgument, "port spec is empty (expected e.g. 22,80,U:53,161)");
  }
  ProtocolPorts out;  // errors name the group ("port spec '53,9x': …")
  if (!tcp.empty()) {
    CII_ASSIGN_OR_RETURN(out.tcp, PortList::Parse(tcp));
  }
  if (!udp.empty()) {
    CII_ASSIGN_OR_RETURN(out.udp, PortList::Parse(udp));
  }
  return out;
}

}  // namespace ciiscope::core
