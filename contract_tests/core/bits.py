"""MSB-first bit packing: the order of H.264 bitstreams and of JPEG's entropy-coded data."""

from __future__ import annotations


class BitWriter:
    """MSB-first bits into bytes, with the Exp-Golomb codes of clause 9.1."""

    def __init__(self) -> None:
        self.out = bytearray()
        self._acc = 0
        self._count = 0

    def u(self, bits: int, value: int) -> None:
        self._acc = (self._acc << bits) | (value & ((1 << bits) - 1))
        self._count += bits
        while self._count >= 8:
            self._count -= 8
            self.out.append((self._acc >> self._count) & 0xFF)
        self._acc &= (1 << self._count) - 1

    def ue(self, value: int) -> None:
        code = value + 1
        self.u(2 * code.bit_length() - 1, code)

    def se(self, value: int) -> None:
        self.ue(2 * value - 1 if value > 0 else -2 * value)

    @property
    def pending(self) -> int:
        """Bits written since the last byte boundary."""
        return self._count

    @property
    def aligned(self) -> bool:
        return self._count == 0

    def align_with_zeros(self) -> None:
        if self._count:
            self.u(8 - self._count, 0)

    def raw(self, data: bytes) -> None:
        assert self.aligned, "raw bytes only on a byte boundary"
        self.out += data

    def trailing_bits(self) -> bytes:
        """``rbsp_trailing_bits()``: a stop bit, then zeros to the byte boundary; the RBSP."""
        self.u(1, 1)
        self.align_with_zeros()
        return bytes(self.out)
