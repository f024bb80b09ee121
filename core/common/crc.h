#pragma once
// Checksums, table-driven and computed at compile time (no global initializer, no I/O).
//
// Crc64 is Pegasus's dsn::utils::crc64_calc (src/utils/crc.cpp): a reflected CRC-64 with the
// reversed polynomial 0x9A6C9329AC4BC9B5 (normal form 0xAD93D23594C93659), initial value and final
// xor both all-ones. That is the catalogue's CRC-64/NVME, *not* ECMA-182 or XZ: the check value of
// "123456789" is 0xAE8B14860A799888. Pegasus routes a request to partition
// crc64(hash_key) % partition_count (pegasus_key_hash), so pegasim must use the same function.
//
// Crc32c is CRC-32C (Castagnoli, reflected polynomial 0x82F63B78), which is also rDSN's crc32 and
// what the mutation log uses. Check value of "123456789": 0xE3069283.
#include <cstdint>
#include <string_view>

namespace pg {

// `init` continues a previous checksum: Crc64(b, Crc64(a)) == Crc64(a + b), as in crc64_calc.
uint64_t Crc64(std::string_view data, uint64_t init = 0);
uint32_t Crc32c(std::string_view data, uint32_t init = 0);

// LevelDB's masking of a stored CRC: a CRC over bytes that themselves embed CRCs is weak, so the
// stored value is rotated and offset. Unmask(Mask(c)) == c.
constexpr uint32_t MaskCrc32c(uint32_t crc) { return ((crc >> 15) | (crc << 17)) + 0xa282ead8u; }
constexpr uint32_t UnmaskCrc32c(uint32_t masked) {
  const uint32_t rot = masked - 0xa282ead8u;
  return (rot >> 17) | (rot << 15);
}

}  // namespace pg
