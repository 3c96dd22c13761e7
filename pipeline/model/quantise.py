"""Dynamic int8 quantisation of an exported fp32 encoder: the export's, and the variants that
`bench/quantisation.py` compares with it."""

from __future__ import annotations

from pathlib import Path


def quantise_encoder(
    fp32: Path,
    out: Path,
    *,
    weight_type: str = "QInt8",
    per_channel: bool = False,
    reduce_range: bool = False,
) -> None:
    """Write `out`, the int8 quantisation of `fp32` (onnxruntime's transformer-fused encoder)."""
    import onnx
    from onnxruntime.quantization import QuantType, quantize_dynamic

    quantize_dynamic(
        str(fp32),
        str(out),
        weight_type=QuantType[weight_type],
        per_channel=per_channel,
        reduce_range=reduce_range,
        # Fused operators have no shape inference; their outputs are float.
        extra_options={"DefaultTensorType": onnx.TensorProto.FLOAT},
    )
