#include "core/common/crc.h"

#include <array>

namespace pg {
namespace {

// One table per reflected polynomial: entry i is the CRC register after shifting byte i in.
template <class U, U kReversedPoly>
constexpr std::array<U, 256> MakeReflectedTable() {
  std::array<U, 256> table{};
  for (U i = 0; i < 256; ++i) {
    U k = i;
    for (int bit = 0; bit < 8; ++bit) k = (k & 1) ? (k >> 1) ^ kReversedPoly : (k >> 1);
    table[i] = k;
  }
  return table;
}

constexpr auto kCrc64Table = MakeReflectedTable<uint64_t, 0x9A6C9329AC4BC9B5ull>();
constexpr auto kCrc32cTable = MakeReflectedTable<uint32_t, 0x82F63B78u>();

// Spot checks against Pegasus's printed table (src/utils/crc.cpp, crc64::_crc_table[1], [255]).
static_assert(kCrc64Table[1] == 0x7f6ef0c830358979ull);
static_assert(kCrc64Table[255] == 0x2ada5047efec8728ull);
static_assert(kCrc32cTable[1] == 0xf26b8303u);

template <class U, const std::array<U, 256>& kTable>
U Compute(std::string_view data, U init) {
  U crc = ~init;
  for (const char c : data) {
    crc = kTable[static_cast<uint8_t>(crc ^ static_cast<uint8_t>(c))] ^ (crc >> 8);
  }
  return ~crc;
}

}  // namespace

uint64_t Crc64(std::string_view data, uint64_t init) {
  return Compute<uint64_t, kCrc64Table>(data, init);
}

uint32_t Crc32c(std::string_view data, uint32_t init) {
  return Compute<uint32_t, kCrc32cTable>(data, init);
}

}  // namespace pg
