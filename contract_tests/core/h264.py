"""A still-picture H.264 stream of any even size, written in pure Python (no ffmpeg at run time).

The mock's MP4 must have the video's own coded size and duration, for every ``size`` a client
may send, so its frames are made here rather than stored. The picture is one flat colour, which
the smallest legal Constrained Baseline (CAVLC) stream can carry:

* the IDR picture's first macroblock is ``I_PCM`` (the colour's raw samples, 384 bytes), every
  other macroblock ``I_16x16_2_0_0`` (Intra 16x16 DC prediction, no residual): DC prediction
  copies the colour from the left or upper neighbour, so it fills the frame at about one byte
  per macroblock;
* every other picture is a P slice of a single ``mb_skip_run`` over all macroblocks (a copy of
  the previous picture), a few bytes each.

The references are the H.264 spec's clauses 7.3 (syntax), 9.1 (Exp-Golomb codes), 9.2.1 (nC of
``coeff_token``) and Table A-1 (level limits). :func:`still_stream` answers the NAL units; the MP4
muxer (:mod:`contract_tests.core.mp4`) stores them.
"""

from __future__ import annotations

import math
import re
from dataclasses import dataclass

from contract_tests.core.bits import BitWriter

PROFILE_BASELINE = 66
CONSTRAINED_BASELINE = 0xC0  # constraint_set0_flag and constraint_set1_flag
LOG2_MAX_FRAME_NUM = 4
NAL_SPS, NAL_PPS, NAL_IDR, NAL_SLICE = 7, 8, 5, 1
SLICE_P, SLICE_I = 5, 7  # the "every slice of the picture has this type" values
MB_I_16X16_DC_NO_RESIDUAL = 3  # I_16x16_2_0_0: Intra16x16PredMode 2 (DC), no chroma or luma AC coded
MB_I_PCM = 25
# Table A-1: (level_idc, MaxFS in macroblocks); the lowest one that holds the frame is announced.
LEVELS = ((10, 99), (11, 396), (21, 792), (22, 1620), (31, 3600), (32, 5120), (40, 8192), (42, 8704), (50, 22080),
          (51, 36864))
MAX_FRAME_MBS = LEVELS[-1][1]
_EMULATED = re.compile(b"\x00\x00(?=[\x00-\x03])")


def nal(ref_idc: int, nal_type: int, rbsp: bytes) -> bytes:
    """A NAL unit (no start code): header byte, then the RBSP with emulation prevention bytes."""
    return bytes([(ref_idc << 5) | nal_type]) + _EMULATED.sub(b"\x00\x00\x03", rbsp)


@dataclass(frozen=True)
class Frame:
    """A picture's size: the coded (cropped) width and height and its macroblock grid."""

    width: int
    height: int

    def __post_init__(self) -> None:
        if self.width < 2 or self.height < 2 or self.width % 2 or self.height % 2:
            raise ValueError(f"4:2:0 H.264 codes even sizes of at least 2x2, not {self.width}x{self.height}")
        if self.mb_count > MAX_FRAME_MBS:
            raise ValueError(f"{self.width}x{self.height} is larger than level 5.1 allows")

    @property
    def mb_width(self) -> int:
        return math.ceil(self.width / 16)

    @property
    def mb_height(self) -> int:
        return math.ceil(self.height / 16)

    @property
    def mb_count(self) -> int:
        return self.mb_width * self.mb_height

    @property
    def level_idc(self) -> int:
        # A level also bounds each side: at most sqrt(8 * MaxFS) macroblocks (Annex A.3.1).
        longest = max(self.mb_width, self.mb_height)
        return next(idc for idc, max_fs in LEVELS if self.mb_count <= max_fs and longest**2 <= 8 * max_fs)


def sps(frame: Frame) -> bytes:
    """The sequence parameter set (7.3.2.1.1), with cropping for sizes off the 16-pixel grid."""
    bits = BitWriter()
    bits.u(8, PROFILE_BASELINE)
    bits.u(8, CONSTRAINED_BASELINE)
    bits.u(8, frame.level_idc)
    bits.ue(0)  # seq_parameter_set_id
    bits.ue(LOG2_MAX_FRAME_NUM - 4)
    bits.ue(2)  # pic_order_cnt_type 2: output order is decoding order (no B pictures)
    bits.ue(1)  # max_num_ref_frames
    bits.u(1, 0)  # gaps_in_frame_num_value_allowed_flag
    bits.ue(frame.mb_width - 1)
    bits.ue(frame.mb_height - 1)
    bits.u(1, 1)  # frame_mbs_only_flag
    bits.u(1, 1)  # direct_8x8_inference_flag
    crop_right = (frame.mb_width * 16 - frame.width) // 2  # in 2-sample units for 4:2:0 frames
    crop_bottom = (frame.mb_height * 16 - frame.height) // 2
    bits.u(1, 1 if crop_right or crop_bottom else 0)
    if crop_right or crop_bottom:
        for offset in (0, crop_right, 0, crop_bottom):  # left, right, top, bottom
            bits.ue(offset)
    bits.u(1, 1)  # vui_parameters_present_flag: only to say "no reordering", so decoders output at once
    for _flag in range(5):  # aspect ratio, overscan, video signal, chroma location, timing: absent
        bits.u(1, 0)
    bits.u(1, 0)  # nal_hrd_parameters_present_flag
    bits.u(1, 0)  # vcl_hrd_parameters_present_flag
    bits.u(1, 0)  # pic_struct_present_flag
    bits.u(1, 1)  # bitstream_restriction_flag
    bits.u(1, 1)  # motion_vectors_over_pic_boundaries_flag
    for value in (0, 0, 16, 16, 0, 1):  # max bytes/pic, bits/mb denoms, mv lengths, reorder 0, dpb 1
        bits.ue(value)
    return nal(3, NAL_SPS, bits.trailing_bits())


def pps() -> bytes:
    """The picture parameter set (7.3.2.2): CAVLC, one slice group, deblocking control present."""
    bits = BitWriter()
    bits.ue(0)  # pic_parameter_set_id
    bits.ue(0)  # seq_parameter_set_id
    bits.u(1, 0)  # entropy_coding_mode_flag: CAVLC
    bits.u(1, 0)  # bottom_field_pic_order_in_frame_present_flag
    bits.ue(0)  # num_slice_groups_minus1
    bits.ue(0)  # num_ref_idx_l0_default_active_minus1
    bits.ue(0)  # num_ref_idx_l1_default_active_minus1
    bits.u(1, 0)  # weighted_pred_flag
    bits.u(2, 0)  # weighted_bipred_idc
    bits.se(0)  # pic_init_qp_minus26
    bits.se(0)  # pic_init_qs_minus26
    bits.se(0)  # chroma_qp_index_offset
    bits.u(1, 1)  # deblocking_filter_control_present_flag (slices turn the filter off)
    bits.u(1, 0)  # constrained_intra_pred_flag
    bits.u(1, 0)  # redundant_pic_cnt_present_flag
    return nal(3, NAL_PPS, bits.trailing_bits())


def _slice_header(bits: BitWriter, *, idr_pic_id: int | None, frame_num: int) -> None:
    """7.3.3 for this stream's SPS/PPS; ``idr_pic_id`` None makes a P slice."""
    bits.ue(0)  # first_mb_in_slice
    bits.ue(SLICE_I if idr_pic_id is not None else SLICE_P)
    bits.ue(0)  # pic_parameter_set_id
    bits.u(LOG2_MAX_FRAME_NUM, frame_num)
    if idr_pic_id is not None:
        bits.ue(idr_pic_id)
    else:
        bits.u(1, 0)  # num_ref_idx_active_override_flag
        bits.u(1, 0)  # ref_pic_list_modification_flag_l0
    if idr_pic_id is not None:
        bits.u(1, 0)  # no_output_of_prior_pics_flag
        bits.u(1, 0)  # long_term_reference_flag
    else:
        bits.u(1, 0)  # adaptive_ref_pic_marking_mode_flag: sliding window
    bits.se(0)  # slice_qp_delta
    bits.ue(1)  # disable_deblocking_filter_idc: off (a flat picture has no edges to smooth)


def ycbcr(rgb: tuple[int, int, int]) -> tuple[int, int, int]:
    """BT.601 limited-range Y'CbCr, what a decoder without colour information assumes."""
    r, g, b = rgb
    y = 16 + (65.481 * r + 128.553 * g + 24.966 * b) / 255
    cb = 128 + (-37.797 * r - 74.203 * g + 112.0 * b) / 255
    cr = 128 + (112.0 * r - 93.786 * g - 18.214 * b) / 255
    return round(y), round(cb), round(cr)


def idr_slice(frame: Frame, rgb: tuple[int, int, int], idr_pic_id: int) -> bytes:
    """An IDR picture of one colour: an I_PCM macroblock that DC prediction spreads everywhere."""
    y, cb, cr = ycbcr(rgb)
    pcm = bytes([y]) * 256 + bytes([cb]) * 64 + bytes([cr]) * 64
    bits = BitWriter()
    _slice_header(bits, idr_pic_id=idr_pic_id, frame_num=0)
    for row in range(frame.mb_height):
        for col in range(frame.mb_width):
            if row == col == 0:
                bits.ue(MB_I_PCM)
                bits.align_with_zeros()  # pcm_alignment_zero_bit
                bits.raw(pcm)
                continue
            bits.ue(MB_I_16X16_DC_NO_RESIDUAL)
            bits.ue(0)  # intra_chroma_pred_mode: DC
            bits.se(0)  # mb_qp_delta
            # Intra16x16DCLevel's coeff_token for TotalCoeff 0, by nC (9.2.1): a neighbouring I_PCM
            # macroblock counts 16 coefficients, an Intra 16x16 one without AC residual 0; nC is
            # the rounded mean of the available left (A) and upper (B) neighbours.
            counts = []
            if col > 0:
                counts.append(16 if (row, col - 1) == (0, 0) else 0)
            if row > 0:
                counts.append(16 if (row - 1, col) == (0, 0) else 0)
            n_c = counts[0] if len(counts) == 1 else (sum(counts) + 1) >> 1
            if n_c >= 8:
                bits.u(6, 0b000011)
            else:  # 0 <= nC < 2 here: the neighbours are never both PCM
                bits.u(1, 1)
    return nal(3, NAL_IDR, bits.trailing_bits())


def skip_slice(frame: Frame, frame_num: int) -> bytes:
    """A P picture that repeats the previous one: every macroblock skipped."""
    bits = BitWriter()
    _slice_header(bits, idr_pic_id=None, frame_num=frame_num % (1 << LOG2_MAX_FRAME_NUM))
    bits.ue(frame.mb_count)  # mb_skip_run, then no more slice data
    return nal(2, NAL_SLICE, bits.trailing_bits())
