//===- LowbitAttrs.td - lowbit attributes ------------------*- tablegen -*-===//
//
// Enums carried by quantized ops. Scales and zero points live in upstream
// `!quant.uniform` types; these attributes hold only what those types cannot
// say: the activation fused into an epilogue, and value tables for
// non-uniform formats.
//
//===----------------------------------------------------------------------===//

#ifndef LOWBIT_ATTRS_TD
#define LOWBIT_ATTRS_TD

include "dialects/Lowbit/IR/LowbitDialect.td"
include "mlir/IR/AttrTypeBase.td"
include "mlir/IR/EnumAttr.td"

def Lowbit_FusedActivation : I32EnumAttr<"FusedActivation",
    "activation applied to the real-valued result before it is requantized", [
      I32EnumAttrCase<"none", 0>,
      I32EnumAttrCase<"relu", 1>,
      I32EnumAttrCase<"clip", 2>
    ]> {
  let cppNamespace = "::lowbit";
  let genSpecializedAttr = 0;
}

def Lowbit_FusedActivationAttr
    : EnumAttr<Lowbit_Dialect, Lowbit_FusedActivation, "activation"> {
  let assemblyFormat = "`<` $value `>`";
}

def Lowbit_Codebook : I32EnumAttr<"Codebook",
    "value table a non-uniform format's stored integers index", [
      // The 16 NormalFloat4 quantiles of QLoRA (bitsandbytes' table).
      I32EnumAttrCase<"nf4", 0>,
      // OCP 8-bit float E4M3FN: the stored byte is the fp8 bit pattern.
      I32EnumAttrCase<"fp8_e4m3fn", 1>
    ]> {
  let cppNamespace = "::lowbit";
  let genSpecializedAttr = 0;
}

def Lowbit_CodebookAttr
    : EnumAttr<Lowbit_Dialect, Lowbit_Codebook, "codebook"> {
  let assemblyFormat = "`<` $value `>`";
}

#endif // LOWBIT_ATTRS_TD
