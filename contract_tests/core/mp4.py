"""An MP4 (ISO BMFF) muxer for one H.264 track, with ``moov`` before ``mdat`` ("faststart").

A browser reads the metadata from the first bytes and then asks for the samples it needs with
``Range`` requests, so the index (``moov``) comes first. Sizes and offsets follow ISO/IEC
14496-12 (boxes) and 14496-15 (``avcC``); every sample is one access unit in length-prefixed form.
"""

from __future__ import annotations

import struct
from collections.abc import Sequence
from dataclasses import dataclass

TIMESCALE = 1000  # units per second for every duration in the file (milliseconds)
_MATRIX = struct.pack(">9I", 0x00010000, 0, 0, 0, 0x00010000, 0, 0, 0, 0x40000000)  # identity


@dataclass(frozen=True)
class Sample:
    """One access unit: its NAL units, how long it shows (in ``TIMESCALE`` units), a sync sample or not."""

    nal_units: tuple[bytes, ...]
    duration: int
    sync: bool

    @property
    def data(self) -> bytes:
        return b"".join(struct.pack(">I", len(unit)) + unit for unit in self.nal_units)


def box(kind: bytes, *payload: bytes) -> bytes:
    body = b"".join(payload)
    return struct.pack(">I", 8 + len(body)) + kind + body


def full_box(kind: bytes, version: int, flags: int, *payload: bytes) -> bytes:
    return box(kind, struct.pack(">I", (version << 24) | flags), *payload)


def avc_config(sps: bytes, pps: bytes) -> bytes:
    """``avcC`` (AVCDecoderConfigurationRecord): profile, level and the parameter sets; 4-byte lengths."""
    head = bytes([1, sps[1], sps[2], sps[3], 0xFF, 0xE1])  # lengthSizeMinusOne 3, one SPS
    return box(b"avcC", head, struct.pack(">H", len(sps)), sps, b"\x01", struct.pack(">H", len(pps)), pps)


def _sample_entry(width: int, height: int, sps: bytes, pps: bytes) -> bytes:
    visual = struct.pack(
        ">6xH2x2x12xHHIIIH32sHh", 1, width, height, 0x00480000, 0x00480000, 0, 1, b"", 0x0018, -1
    )  # data_reference_index 1, size, 72 dpi, one frame per sample, no compressor name, 24-bit colour
    return box(b"avc1", visual, avc_config(sps, pps))


def _time_to_sample(samples: Sequence[Sample]) -> bytes:
    runs: list[list[int]] = []
    for sample in samples:
        if runs and runs[-1][1] == sample.duration:
            runs[-1][0] += 1
        else:
            runs.append([1, sample.duration])
    return full_box(b"stts", 0, 0, struct.pack(">I", len(runs)), *(struct.pack(">II", *run) for run in runs))


def _sample_table(samples: Sequence[Sample], entry: bytes, data_offset: int) -> bytes:
    sizes = [len(sample.data) for sample in samples]
    sync = [number for number, sample in enumerate(samples, 1) if sample.sync]
    return box(
        b"stbl",
        full_box(b"stsd", 0, 0, struct.pack(">I", 1), entry),
        _time_to_sample(samples),
        full_box(b"stss", 0, 0, struct.pack(f">I{len(sync)}I", len(sync), *sync)),
        full_box(b"stsc", 0, 0, struct.pack(">IIII", 1, 1, len(samples), 1)),  # one chunk holds every sample
        full_box(b"stsz", 0, 0, struct.pack(f">II{len(sizes)}I", 0, len(sizes), *sizes)),
        full_box(b"stco", 0, 0, struct.pack(">II", 1, data_offset)),
    )


def _movie(width: int, height: int, samples: Sequence[Sample], sps: bytes, pps: bytes, data_offset: int) -> bytes:
    duration = sum(sample.duration for sample in samples)
    mvhd = full_box(
        b"mvhd", 0, 0, struct.pack(">IIIIIH10x", 0, 0, TIMESCALE, duration, 0x00010000, 0x0100), _MATRIX,
        bytes(24), struct.pack(">I", 2),
    )
    tkhd = full_box(
        b"tkhd", 0, 3, struct.pack(">IIIIIIIhhH2x", 0, 0, 1, 0, duration, 0, 0, 0, 0, 0), _MATRIX,
        struct.pack(">II", width << 16, height << 16),
    )  # enabled, in the movie; track 1; width and height in 16.16 fixed point
    mdhd = full_box(b"mdhd", 0, 0, struct.pack(">IIIIHH", 0, 0, TIMESCALE, duration, 0x55C4, 0))  # 'und'
    hdlr = full_box(b"hdlr", 0, 0, struct.pack(">I4s12x", 0, b"vide"), b"VideoHandler\x00")
    dinf = box(b"dinf", full_box(b"dref", 0, 0, struct.pack(">I", 1), full_box(b"url ", 0, 1)))
    vmhd = full_box(b"vmhd", 0, 1, bytes(8))
    stbl = _sample_table(samples, _sample_entry(width, height, sps, pps), data_offset)
    minf = box(b"minf", vmhd, dinf, stbl)
    return box(b"moov", mvhd, box(b"trak", tkhd, box(b"mdia", mdhd, hdlr, minf)))


FILE_TYPE = box(b"ftyp", b"isom", struct.pack(">I", 0x200), b"isom", b"iso2", b"avc1", b"mp41")


def mux(width: int, height: int, sps: bytes, pps: bytes, samples: Sequence[Sample]) -> bytes:
    """The whole file: ``ftyp``, ``moov`` (pointing into ``mdat``), then ``mdat``."""
    payload = b"".join(sample.data for sample in samples)
    # The chunk offset depends on moov's size, which does not depend on the offset's value.
    moov_size = len(_movie(width, height, samples, sps, pps, 0))
    data_offset = len(FILE_TYPE) + moov_size + 8
    moov = _movie(width, height, samples, sps, pps, data_offset)
    return FILE_TYPE + moov + box(b"mdat", payload)
