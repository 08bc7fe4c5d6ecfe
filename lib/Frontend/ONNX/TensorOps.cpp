//===- TensorOps.cpp - ONNX constants, shapes and data movement -----------===//
//
// Constant, Shape and friends produce host tensors; Reshape, Slice, Expand,
// Tile, Pad, Resize and Upsample read their shape operands from host
// tensors (constants or folded shape subgraphs); data movement on known
// tensors is folded on the host too.
//
//===----------------------------------------------------------------------===//

#include "HandlerSupport.h"

#include <cmath>

using namespace mlir;

namespace lowbit {
namespace onnx_import {
namespace {

Type i64Type(NodeImporter &node) {
  return IntegerType::get(node.getContext(), 64);
}

HostTensor makeI64Tensor(NodeImporter &node, ArrayRef<int64_t> shape,
                         ArrayRef<int64_t> values) {
  return HostTensor::fromInts(getTensorType(shape, i64Type(node)), values);
}

//===----------------------------------------------------------------------===//
// Constants and shapes
//===----------------------------------------------------------------------===//

LogicalResult importConstant(NodeImporter &node) {
  const onnx::NodeProto &proto = node.getProto();
  if (proto.attribute_size() != 1)
    return node.emitError() << "needs exactly one value attribute";
  const onnx::AttributeProto &attr = proto.attribute(0);
  MLIRContext *context = node.getContext();
  if (attr.name() == "value") {
    std::string error;
    FailureOr<HostTensor> tensor = decodeTensor(context, attr.t(), error);
    if (failed(tensor))
      return node.emitUnsupported("the value " + error);
    node.setConstantResult(0, *tensor);
    return success();
  }
  Type f32 = Float32Type::get(context);
  if (attr.name() == "value_float") {
    node.setConstantResult(
        0, HostTensor::fromDoubles(getTensorType({}, f32), {attr.f()}));
  } else if (attr.name() == "value_floats") {
    SmallVector<double> values(attr.floats().begin(), attr.floats().end());
    node.setConstantResult(
        0, HostTensor::fromDoubles(
               getTensorType({static_cast<int64_t>(values.size())}, f32),
               values));
  } else if (attr.name() == "value_int") {
    node.setConstantResult(0, makeI64Tensor(node, {}, {attr.i()}));
  } else if (attr.name() == "value_ints") {
    SmallVector<int64_t> values(attr.ints().begin(), attr.ints().end());
    node.setConstantResult(
        0, makeI64Tensor(node, {static_cast<int64_t>(values.size())}, values));
  } else {
    return node.emitUnsupported("a '" + attr.name() + "' constant");
  }
  return success();
}

LogicalResult importConstantOfShape(NodeImporter &node) {
  FailureOr<SmallVector<int64_t>> shape = node.getConstantInts(0, "shape");
  if (failed(shape))
    return failure();
  if (llvm::any_of(*shape, [](int64_t d) { return d < 0; }))
    return node.emitError() << "the shape has a negative extent";
  HostTensor value = HostTensor::fromDoubles(
      getTensorType({}, Float32Type::get(node.getContext())), {0.0});
  if (const onnx::AttributeProto *attr = node.getAttr("value")) {
    std::string error;
    FailureOr<HostTensor> decoded =
        decodeTensor(node.getContext(), attr->t(), error);
    if (failed(decoded))
      return node.emitUnsupported("the value " + error);
    if (decoded->getNumElements() != 1)
      return node.emitError() << "the value must hold one element";
    value = decoded->withShape({});
  }
  node.setConstantResult(0, evalBroadcastTo(value, *shape));
  return success();
}

LogicalResult importShape(NodeImporter &node) {
  ArrayRef<int64_t> shape = node.getInputType(0).getShape();
  int64_t rank = shape.size();
  auto clampIndex = [&](int64_t i) {
    if (i < 0)
      i += rank;
    return std::clamp<int64_t>(i, 0, rank);
  };
  int64_t start = clampIndex(node.getIntAttr("start", 0));
  int64_t end = clampIndex(node.getIntAttr("end", rank));
  SmallVector<int64_t> dims;
  for (int64_t d = start; d < end; ++d)
    dims.push_back(shape[d]);
  node.setConstantResult(
      0, makeI64Tensor(node, {static_cast<int64_t>(dims.size())}, dims));
  return success();
}

LogicalResult importSize(NodeImporter &node) {
  node.setConstantResult(
      0, makeI64Tensor(node, {},
                       {getElementCount(node.getInputType(0).getShape())}));
  return success();
}

LogicalResult importRange(NodeImporter &node) {
  // The result's extent depends on all three.
  FailureOr<const HostTensor *> known[3];
  const char *names[3] = {"start", "limit", "delta"};
  for (unsigned i = 0; i < 3; ++i)
    if (failed(known[i] = node.getRequiredConstant(i, names[i])))
      return failure();
  const HostTensor *start = *known[0], *limit = *known[1], *delta = *known[2];
  Type elementType = start->getElementType();
  if (start->isFloat()) {
    double s = start->getDouble(0), l = limit->getDouble(0),
           d = delta->getDouble(0);
    if (d == 0)
      return node.emitError() << "delta must be non-zero";
    int64_t n = std::max<int64_t>(0, std::ceil((l - s) / d));
    SmallVector<double> values;
    for (int64_t i = 0; i < n; ++i)
      values.push_back(s + i * d);
    node.setConstantResult(
        0, HostTensor::fromDoubles(getTensorType({n}, elementType), values));
    return success();
  }
  int64_t s = start->getInt(0), l = limit->getInt(0), d = delta->getInt(0);
  if (d == 0)
    return node.emitError() << "delta must be non-zero";
  int64_t n = std::max<int64_t>(
      0, d > 0 ? (l - s + d - 1) / d : (s - l + (-d) - 1) / (-d));
  SmallVector<int64_t> values;
  for (int64_t i = 0; i < n; ++i)
    values.push_back(s + i * d);
  node.setConstantResult(
      0, HostTensor::fromInts(getTensorType({n}, elementType), values));
  return success();
}

//===----------------------------------------------------------------------===//
// Reshapes
//===----------------------------------------------------------------------===//

/// Defines the output as input 0 with a new shape (on the host if known).
void setReshaped(NodeImporter &node, ArrayRef<int64_t> shape) {
  if (const HostTensor *constant = node.getConstantInput(0)) {
    node.setConstantResult(0, constant->withShape(shape));
    return;
  }
  node.setResult(0, createReshape(node, node.getInput(0), shape));
}

LogicalResult importReshape(NodeImporter &node) {
  SmallVector<int64_t> target;
  if (node.getOpset() < 5) {
    target = node.getIntsAttr("shape").value_or(SmallVector<int64_t>());
  } else {
    FailureOr<SmallVector<int64_t>> shape = node.getConstantInts(1, "shape");
    if (failed(shape))
      return failure();
    target = *shape;
  }
  ArrayRef<int64_t> input = node.getInputType(0).getShape();
  bool allowZero = node.getIntAttr("allowzero", 0);
  int64_t inferred = -1, known = 1;
  for (auto [i, extent] : llvm::enumerate(target)) {
    if (extent == 0 && !allowZero) {
      if (i >= input.size())
        return node.emitError() << "shape entry " << i
                                << " copies a dimension the input lacks";
      extent = input[i];
    }
    if (extent == -1) {
      if (inferred >= 0)
        return node.emitError() << "the shape has more than one -1";
      inferred = i;
      continue;
    }
    if (extent < 0)
      return node.emitError() << "the shape has a negative extent " << extent;
    known *= extent;
  }
  int64_t count = getElementCount(input);
  if (inferred >= 0) {
    if (known == 0 || count % known != 0)
      return node.emitError() << "cannot infer the -1 extent: " << count
                              << " elements do not divide by " << known;
    target[inferred] = count / known;
  } else if (known != count) {
    return node.emitError() << "cannot reshape " << count << " elements to "
                            << known;
  }
  setReshaped(node, target);
  return success();
}

LogicalResult importFlatten(NodeImporter &node) {
  ArrayRef<int64_t> shape = node.getInputType(0).getShape();
  int64_t rank = shape.size();
  int64_t axis = node.getIntAttr("axis", 1);
  if (axis < 0)
    axis += rank;
  if (axis < 0 || axis > rank)
    return node.emitError() << "axis " << node.getIntAttr("axis", 1)
                            << " is out of range for rank " << rank;
  setReshaped(node, {getElementCount(shape.take_front(axis)),
                     getElementCount(shape.drop_front(axis))});
  return success();
}

/// The axes of Squeeze/Unsqueeze: an attribute before opset 13, an
/// (optional) input after.
FailureOr<SmallVector<int64_t>> getSqueezeAxes(NodeImporter &node,
                                               bool fromInput) {
  if (!fromInput)
    return node.getIntsAttr("axes").value_or(SmallVector<int64_t>());
  if (!node.hasInput(1))
    return SmallVector<int64_t>();
  return node.getConstantInts(1, "axes");
}

LogicalResult importSqueeze(NodeImporter &node, bool axesFromInput) {
  ArrayRef<int64_t> shape = node.getInputType(0).getShape();
  int64_t rank = shape.size();
  FailureOr<SmallVector<int64_t>> axes = getSqueezeAxes(node, axesFromInput);
  if (failed(axes))
    return failure();
  SmallVector<int64_t> normalized;
  if (axes->empty()) {
    for (int64_t d = 0; d < rank; ++d)
      if (shape[d] == 1)
        normalized.push_back(d);
  } else {
    FailureOr<SmallVector<int64_t>> n = normalizeAxes(node, *axes, rank);
    if (failed(n))
      return failure();
    normalized = *n;
  }
  SmallVector<int64_t> result;
  for (int64_t d = 0; d < rank; ++d) {
    if (!llvm::is_contained(normalized, d)) {
      result.push_back(shape[d]);
    } else if (shape[d] != 1) {
      return node.emitError() << "cannot squeeze dimension " << d
                              << " of extent " << shape[d];
    }
  }
  setReshaped(node, result);
  return success();
}

LogicalResult importUnsqueeze(NodeImporter &node, bool axesFromInput) {
  ArrayRef<int64_t> shape = node.getInputType(0).getShape();
  FailureOr<SmallVector<int64_t>> axes = getSqueezeAxes(node, axesFromInput);
  if (failed(axes))
    return failure();
  int64_t rank = shape.size() + axes->size();
  FailureOr<SmallVector<int64_t>> normalized = normalizeAxes(node, *axes, rank);
  if (failed(normalized))
    return failure();
  SmallVector<int64_t> result;
  const int64_t *next = shape.begin();
  for (int64_t d = 0; d < rank; ++d)
    result.push_back(llvm::is_contained(*normalized, d) ? 1 : *next++);
  setReshaped(node, result);
  return success();
}

//===----------------------------------------------------------------------===//
// Data movement
//===----------------------------------------------------------------------===//

LogicalResult importTranspose(NodeImporter &node) {
  RankedTensorType type = node.getInputType(0);
  int64_t rank = type.getRank();
  SmallVector<int64_t> perm =
      node.getIntsAttr("perm").value_or(SmallVector<int64_t>());
  if (perm.empty())
    for (int64_t d = rank - 1; d >= 0; --d)
      perm.push_back(d);
  SmallVector<bool> seen(rank, false);
  if (static_cast<int64_t>(perm.size()) != rank)
    return node.emitError() << "perm needs " << rank << " entries";
  SmallVector<int64_t> shape;
  for (int64_t &p : perm) {
    if (p < 0)
      p += rank;
    if (p < 0 || p >= rank || seen[p])
      return node.emitError() << "perm is not a permutation";
    seen[p] = true;
    shape.push_back(type.getDimSize(p));
  }
  if (const HostTensor *constant = node.getConstantInput(0);
      constant && isFoldableSize(shape)) {
    node.setConstantResult(0, evalTranspose(*constant, perm));
    return success();
  }
  node.setResult(0, node.create<lowbit::TransposeOp>(
                        getTensorType(shape, type.getElementType()),
                        node.getInput(0), perm));
  return success();
}

LogicalResult importConcat(NodeImporter &node) {
  unsigned count = node.getNumInputs();
  if (count == 0 || !node.hasInput(0))
    return node.emitError() << "expects at least one input";
  RankedTensorType first = node.getInputType(0);
  int64_t rank = first.getRank();
  FailureOr<int64_t> axis = normalizeAxis(
      node, node.getIntAttr("axis", node.getOpset() < 4 ? 1 : 0), rank);
  if (failed(axis))
    return failure();
  SmallVector<int64_t> shape(first.getShape());
  shape[*axis] = 0;
  for (unsigned i = 0; i < count; ++i) {
    RankedTensorType type = node.getInputType(i);
    if (type.getRank() != rank)
      return node.emitError() << "inputs must have the same rank";
    for (int64_t d = 0; d < rank; ++d)
      if (d != *axis && type.getDimSize(d) != first.getDimSize(d))
        return node.emitError() << "input " << i << " differs in dimension "
                                << d;
    shape[*axis] += type.getDimSize(*axis);
  }
  if (node.allInputsConstant() && isFoldableSize(shape)) {
    SmallVector<const HostTensor *> inputs;
    for (unsigned i = 0; i < count; ++i)
      inputs.push_back(node.getConstantInput(i));
    node.setConstantResult(0, evalConcat(inputs, *axis));
    return success();
  }
  SmallVector<Value> inputs;
  for (unsigned i = 0; i < count; ++i)
    inputs.push_back(node.getInput(i));
  node.setResult(0, node.create<lowbit::ConcatOp>(
                        getTensorType(shape, first.getElementType()), inputs,
                        *axis));
  return success();
}

/// Defines output `output` as the slice of input 0 given per dimension.
void setSlice(NodeImporter &node, unsigned output, ArrayRef<int64_t> starts,
              ArrayRef<int64_t> steps, ArrayRef<int64_t> shape) {
  RankedTensorType type = node.getInputType(0);
  if (const HostTensor *constant = node.getConstantInput(0);
      constant && isFoldableSize(shape)) {
    node.setConstantResult(output, evalSlice(*constant, starts, steps, shape));
    return;
  }
  Value input = node.getInput(0);
  if (type.getShape() == shape &&
      llvm::all_of(starts, [](int64_t s) { return s == 0; }) &&
      llvm::all_of(steps, [](int64_t s) { return s == 1; })) {
    node.setResult(output, input);
    return;
  }
  node.setResult(output, node.create<lowbit::SliceOp>(
                             getTensorType(shape, type.getElementType()),
                             input, starts, steps));
}

/// Slice: attributes before opset 10, inputs after. Starts and ends are
/// clamped per ONNX rules into a start, step and extent per dimension.
LogicalResult importSlice(NodeImporter &node, bool fromInputs) {
  RankedTensorType type = node.getInputType(0);
  int64_t rank = type.getRank();
  SmallVector<int64_t> starts, ends, axes, steps;
  if (!fromInputs) {
    starts = node.getIntsAttr("starts").value_or(SmallVector<int64_t>());
    ends = node.getIntsAttr("ends").value_or(SmallVector<int64_t>());
    axes = node.getIntsAttr("axes").value_or(SmallVector<int64_t>());
  } else {
    const char *names[] = {"starts", "ends", "axes", "steps"};
    SmallVector<int64_t> *lists[] = {&starts, &ends, &axes, &steps};
    for (unsigned i = 0; i < 4; ++i) {
      if (!node.hasInput(i + 1))
        continue;
      FailureOr<SmallVector<int64_t>> values =
          node.getConstantInts(i + 1, names[i]);
      if (failed(values))
        return failure();
      *lists[i] = *values;
    }
  }
  if (axes.empty())
    for (size_t i = 0; i < starts.size(); ++i)
      axes.push_back(i);
  if (steps.empty())
    steps.assign(starts.size(), 1);
  if (ends.size() != starts.size() || axes.size() != starts.size() ||
      steps.size() != starts.size())
    return node.emitError() << "starts, ends, axes and steps differ in length";

  SmallVector<int64_t> outStarts(rank, 0), outSteps(rank, 1),
      shape(type.getShape());
  SmallVector<bool> seen(rank, false);
  for (size_t i = 0; i < starts.size(); ++i) {
    FailureOr<int64_t> axis = normalizeAxis(node, axes[i], rank);
    if (failed(axis))
      return failure();
    if (seen[*axis])
      return node.emitError() << "axis " << *axis << " is sliced twice";
    seen[*axis] = true;
    int64_t dim = type.getDimSize(*axis), step = steps[i];
    if (step == 0)
      return node.emitError() << "steps must be non-zero";
    int64_t start = starts[i], end = ends[i];
    if (start < 0)
      start += dim;
    if (end < 0)
      end += dim;
    int64_t size;
    if (step > 0) {
      start = std::clamp<int64_t>(start, 0, dim);
      end = std::clamp<int64_t>(end, 0, dim);
      size = end > start ? (end - start + step - 1) / step : 0;
    } else {
      start = std::clamp<int64_t>(start, 0, std::max<int64_t>(dim - 1, 0));
      end = std::clamp<int64_t>(end, -1, dim - 1);
      size = start > end ? (start - end + (-step) - 1) / (-step) : 0;
    }
    if (dim == 0 || size == 0) {
      start = 0;
      size = 0;
    }
    outStarts[*axis] = start;
    outSteps[*axis] = step;
    shape[*axis] = size;
  }
  setSlice(node, 0, outStarts, outSteps, shape);
  return success();
}

/// Split into slices along `axis`; the split sizes come from an attribute
/// (opset < 13) or an input, or are equal.
LogicalResult importSplit(NodeImporter &node, bool splitFromInput) {
  RankedTensorType type = node.getInputType(0);
  int64_t rank = type.getRank();
  FailureOr<int64_t> axis =
      normalizeAxis(node, node.getIntAttr("axis", 0), rank);
  if (failed(axis))
    return failure();
  int64_t outputs = node.getNumOutputs();
  SmallVector<int64_t> sizes;
  if (splitFromInput || (node.getOpset() < 2 && node.hasInput(1))) {
    if (node.hasInput(1)) {
      FailureOr<SmallVector<int64_t>> split = node.getConstantInts(1, "split");
      if (failed(split))
        return failure();
      sizes = *split;
    }
  } else if (auto attr = node.getIntsAttr("split")) {
    sizes = *attr;
  }
  int64_t dim = type.getDimSize(*axis);
  if (sizes.empty()) {
    if (outputs == 0 || dim % outputs != 0)
      return node.emitError() << "dimension " << *axis << " (" << dim
                              << ") does not split evenly into " << outputs;
    sizes.assign(outputs, dim / outputs);
  }
  if (static_cast<int64_t>(sizes.size()) != outputs)
    return node.emitError() << "split has " << sizes.size()
                            << " entries for " << outputs << " outputs";
  int64_t offset = 0;
  for (auto [i, size] : llvm::enumerate(sizes)) {
    if (size < 0 || offset + size > dim)
      return node.emitError() << "split sizes exceed dimension " << *axis;
    SmallVector<int64_t> starts(rank, 0), steps(rank, 1),
        shape(type.getShape());
    starts[*axis] = offset;
    shape[*axis] = size;
    setSlice(node, i, starts, steps, shape);
    offset += size;
  }
  if (offset != dim)
    return node.emitError() << "split sizes sum to " << offset
                            << ", not dimension " << *axis << " (" << dim
                            << ")";
  return success();
}

LogicalResult importGather(NodeImporter &node) {
  RankedTensorType type = node.getInputType(0);
  RankedTensorType indicesType = node.getInputType(1);
  int64_t rank = type.getRank();
  FailureOr<int64_t> axis =
      normalizeAxis(node, node.getIntAttr("axis", 0), rank);
  if (failed(axis))
    return failure();
  SmallVector<int64_t> shape(type.getShape().take_front(*axis));
  llvm::append_range(shape, indicesType.getShape());
  llvm::append_range(shape, type.getShape().drop_front(*axis + 1));

  const HostTensor *indices = node.getConstantInput(1);
  int64_t dim = type.getDimSize(*axis);
  if (indices) {
    SmallVector<int64_t> normalized;
    for (int64_t index : indices->getInts()) {
      if (index < -dim || index >= dim)
        return node.emitError() << "index " << index
                                << " is out of range for extent " << dim;
      normalized.push_back(index < 0 ? index + dim : index);
    }
    const HostTensor *data = node.getConstantInput(0);
    if (data && isFoldableSize(shape)) {
      node.setConstantResult(
          0, evalGather(*data,
                        HostTensor::fromInts(
                            getTensorType(indicesType.getShape(),
                                          i64Type(node)),
                            normalized),
                        *axis));
      return success();
    }
  }
  node.setResult(0, node.create<lowbit::GatherOp>(
                        getTensorType(shape, type.getElementType()),
                        node.getInput(0), node.getInput(1), *axis));
  return success();
}

LogicalResult importGatherElements(NodeImporter &node) {
  RankedTensorType type = node.getInputType(0);
  RankedTensorType indicesType = node.getInputType(1);
  FailureOr<int64_t> axis =
      normalizeAxis(node, node.getIntAttr("axis", 0), type.getRank());
  if (failed(axis))
    return failure();
  if (indicesType.getRank() != type.getRank())
    return node.emitError() << "indices must have the data's rank";
  node.setResult(0, node.create<lowbit::GatherElementsOp>(
                        getTensorType(indicesType.getShape(),
                                      type.getElementType()),
                        node.getInput(0), node.getInput(1), *axis));
  return success();
}

LogicalResult importGatherND(NodeImporter &node) {
  RankedTensorType type = node.getInputType(0);
  RankedTensorType indicesType = node.getInputType(1);
  int64_t batchDims = node.getIntAttr("batch_dims", 0);
  if (indicesType.getRank() < 1 || batchDims < 0 ||
      batchDims >= indicesType.getRank() ||
      batchDims + indicesType.getShape().back() > type.getRank())
    return node.emitError() << "indices do not fit the data with batch_dims "
                            << batchDims;
  SmallVector<int64_t> shape(indicesType.getShape().drop_back());
  llvm::append_range(shape, type.getShape().drop_front(
                                batchDims + indicesType.getShape().back()));
  node.setResult(0, node.create<lowbit::GatherNDOp>(
                        getTensorType(shape, type.getElementType()),
                        node.getInput(0), node.getInput(1), batchDims));
  return success();
}

LogicalResult importScatterElements(NodeImporter &node) {
  RankedTensorType type = node.getInputType(0);
  FailureOr<int64_t> axis =
      normalizeAxis(node, node.getIntAttr("axis", 0), type.getRank());
  if (failed(axis))
    return failure();
  if (node.getInputType(1).getShape() != node.getInputType(2).getShape())
    return node.emitError() << "indices and updates must have the same shape";
  node.setResult(0, node.create<lowbit::ScatterElementsOp>(
                        type, node.getInput(0), node.getInput(1),
                        node.getInput(2), *axis,
                        node.getStringAttr("reduction", "none")));
  return success();
}

LogicalResult importScatterND(NodeImporter &node) {
  node.setResult(0, node.create<lowbit::ScatterNDOp>(
                        node.getInputType(0), node.getInput(0),
                        node.getInput(1), node.getInput(2),
                        node.getStringAttr("reduction", "none")));
  return success();
}

/// OneHot: `values[1]` where the (wrapped) index equals the position along
/// the new axis, else `values[0]`; an equal against an iota.
LogicalResult importOneHot(NodeImporter &node) {
  FailureOr<SmallVector<int64_t>> depthValue =
      node.getConstantInts(1, "depth");
  if (failed(depthValue))
    return failure();
  if (depthValue->size() != 1 || (*depthValue)[0] < 1)
    return node.emitError() << "depth must be one positive value";
  int64_t depth = (*depthValue)[0];
  RankedTensorType indicesType = node.getInputType(0);
  RankedTensorType valuesType = node.getInputType(2);
  int64_t rank = indicesType.getRank() + 1;
  FailureOr<int64_t> axis =
      normalizeAxis(node, node.getIntAttr("axis", -1), rank);
  if (failed(axis))
    return failure();
  MLIRContext *ctx = node.getContext();
  Type i64 = IntegerType::get(ctx, 64);
  // Indices may be of any numeric type; ONNX casts them to integers.
  Value indices = node.getInput(0);
  auto indicesI64 = getTensorType(indicesType.getShape(), i64);
  if (indicesType.getElementType() != i64)
    indices = node.create<lowbit::CastOp>(indicesI64, indices);
  Value depthScalar = createScalar(node, i64, depth);
  Value negative = node.create<lowbit::LessOp>(
      getTensorType(indicesType.getShape(), IntegerType::get(ctx, 1)), indices,
      createScalar(node, i64, 0));
  indices = node.create<lowbit::WhereOp>(
      indicesI64, negative,
      node.create<lowbit::AddOp>(indicesI64, indices, depthScalar), indices);
  SmallVector<int64_t> shape(indicesType.getShape());
  SmallVector<int64_t> unitShape(shape);
  shape.insert(shape.begin() + *axis, depth);
  unitShape.insert(unitShape.begin() + *axis, 1);
  indices = createReshape(node, indices, unitShape);
  SmallVector<int64_t> iotaShape(rank, 1), iota;
  iotaShape[*axis] = depth;
  for (int64_t i = 0; i < depth; ++i)
    iota.push_back(i);
  Value iotaValue = node.create<lowbit::ConstantOp>(
      HostTensor::fromInts(getTensorType(iotaShape, i64), iota)
          .toElementsAttr("one_hot_iota"));
  Value hit = node.create<lowbit::EqualOp>(
      getTensorType(shape, IntegerType::get(ctx, 1)), indices, iotaValue);
  Type elementType = valuesType.getElementType();
  auto scalarType = getTensorType({}, elementType);
  auto pick = [&](int64_t i) -> Value {
    Value index = node.create<lowbit::ConstantOp>(
        HostTensor::fromInts(getTensorType({}, i64), {i})
            .toElementsAttr("one_hot_pick"));
    return node.create<lowbit::GatherOp>(scalarType, node.getInput(2), index,
                                         0);
  };
  node.setResult(0, node.create<lowbit::WhereOp>(
                        getTensorType(shape, elementType), hit, pick(1),
                        pick(0)));
  return success();
}

LogicalResult importExpand(NodeImporter &node) {
  FailureOr<SmallVector<int64_t>> target = node.getConstantInts(1, "shape");
  if (failed(target))
    return failure();
  RankedTensorType type = node.getInputType(0);
  FailureOr<SmallVector<int64_t>> shape =
      broadcastShapes(node, {type.getShape(), *target});
  if (failed(shape))
    return failure();
  if (const HostTensor *constant = node.getConstantInput(0);
      constant && isFoldableSize(*shape)) {
    node.setConstantResult(0, evalBroadcastTo(*constant, *shape));
    return success();
  }
  Value input = node.getInput(0);
  if (type.getShape() == ArrayRef<int64_t>(*shape)) {
    node.setResult(0, input);
    return success();
  }
  node.setResult(0, node.create<lowbit::ExpandOp>(
                        getTensorType(*shape, type.getElementType()), input));
  return success();
}

LogicalResult importTile(NodeImporter &node) {
  FailureOr<SmallVector<int64_t>> repeats = node.getConstantInts(1, "repeats");
  if (failed(repeats))
    return failure();
  RankedTensorType type = node.getInputType(0);
  if (static_cast<int64_t>(repeats->size()) != type.getRank())
    return node.emitError() << "repeats need " << type.getRank()
                            << " entries";
  SmallVector<int64_t> shape;
  for (int64_t d = 0; d < type.getRank(); ++d) {
    if ((*repeats)[d] < 0)
      return node.emitError() << "repeats must be non-negative";
    shape.push_back(type.getDimSize(d) * (*repeats)[d]);
  }
  if (const HostTensor *constant = node.getConstantInput(0);
      constant && isFoldableSize(shape)) {
    node.setConstantResult(0, evalTile(*constant, *repeats));
    return success();
  }
  node.setResult(0, node.create<lowbit::TileOp>(
                        getTensorType(shape, type.getElementType()),
                        node.getInput(0), *repeats));
  return success();
}

/// Pad: `paddings`/`pads` attributes before opset 11, inputs after (with
/// optional axes from opset 18).
LogicalResult importPad(NodeImporter &node, bool fromInputs) {
  RankedTensorType type = node.getInputType(0);
  int64_t rank = type.getRank();
  Type elementType = type.getElementType();
  std::string mode = node.getStringAttr("mode", "constant");
  if (mode != "constant" && mode != "reflect" && mode != "edge")
    return node.emitUnsupported("pad mode '" + mode + "'");
  SmallVector<int64_t> pads;
  double value = 0.0;
  if (!fromInputs) {
    pads = node.getIntsAttr(node.getOpset() < 2 ? "paddings" : "pads")
               .value_or(SmallVector<int64_t>());
    value = node.getFloatAttr("value", 0.0f);
  } else {
    FailureOr<SmallVector<int64_t>> padsInput = node.getConstantInts(1, "pads");
    if (failed(padsInput))
      return failure();
    pads = *padsInput;
    if (node.hasInput(2)) {
      FailureOr<const HostTensor *> constant =
          node.getRequiredConstant(2, "constant_value");
      if (failed(constant))
        return failure();
      if ((*constant)->getNumElements() > 0)
        value = (*constant)->getDouble(0);
    }
    if (node.hasInput(3)) {
      FailureOr<SmallVector<int64_t>> axes = node.getConstantInts(3, "axes");
      if (failed(axes))
        return failure();
      if (pads.size() != 2 * axes->size())
        return node.emitError() << "pads need two entries per axis";
      SmallVector<int64_t> full(2 * rank, 0);
      for (auto [i, a] : llvm::enumerate(*axes)) {
        FailureOr<int64_t> axis = normalizeAxis(node, a, rank);
        if (failed(axis))
          return failure();
        full[*axis] = pads[i];
        full[*axis + rank] = pads[i + axes->size()];
      }
      pads = full;
    }
  }
  if (static_cast<int64_t>(pads.size()) != 2 * rank)
    return node.emitError() << "pads need " << 2 * rank << " entries";
  SmallVector<int64_t> shape;
  for (int64_t d = 0; d < rank; ++d) {
    int64_t extent = type.getDimSize(d) + pads[d] + pads[d + rank];
    if (extent < 0)
      return node.emitError() << "pads crop dimension " << d
                              << " below zero";
    shape.push_back(extent);
  }
  if (const HostTensor *constant = node.getConstantInput(0);
      constant && mode == "constant" && isFoldableSize(shape)) {
    node.setConstantResult(0, evalPad(*constant, pads, value));
    return success();
  }
  TypedAttr valueAttr =
      mode == "constant" ? getScalarAttr(elementType, value) : TypedAttr();
  node.setResult(0, node.create<lowbit::PadOp>(
                        getTensorType(shape, elementType), node.getInput(0),
                        pads, mode, valueAttr));
  return success();
}

//===----------------------------------------------------------------------===//
// Resize and Upsample
//===----------------------------------------------------------------------===//

/// Builds lowbit.resize from per-dimension scales and/or sizes. `roi`
/// (starts then ends, normalized) is only used, and required, by
/// tf_crop_and_resize.
LogicalResult buildResize(NodeImporter &node, ArrayRef<double> scales,
                          ArrayRef<int64_t> sizes, StringRef mode,
                          StringRef transform, StringRef nearestMode,
                          ArrayRef<double> roi = {},
                          float extrapolationValue = 0.0f) {
  RankedTensorType type = node.getInputType(0);
  int64_t rank = type.getRank();
  bool crop = transform == "tf_crop_and_resize";
  SmallVector<float> roiValues;
  if (crop) {
    if (static_cast<int64_t>(roi.size()) != 2 * rank)
      return node.emitError()
             << "tf_crop_and_resize needs a roi of " << 2 * rank << " entries";
    for (double v : roi)
      roiValues.push_back(static_cast<float>(v));
  }
  SmallVector<int64_t> shape;
  SmallVector<float> resolvedScales;
  if (!sizes.empty()) {
    if (static_cast<int64_t>(sizes.size()) != rank)
      return node.emitError() << "sizes need " << rank << " entries";
    for (int64_t d = 0; d < rank; ++d) {
      shape.push_back(sizes[d]);
      resolvedScales.push_back(type.getDimSize(d)
                                   ? static_cast<float>(sizes[d]) /
                                         type.getDimSize(d)
                                   : 1.0f);
    }
  } else {
    if (static_cast<int64_t>(scales.size()) != rank)
      return node.emitError() << "scales need " << rank << " entries";
    for (int64_t d = 0; d < rank; ++d) {
      float scale = static_cast<float>(scales[d]);
      if (!(scale > 0))
        return node.emitError() << "scales must be positive";
      // Also for tf_crop_and_resize (as ONNX shape inference and its
      // reference do): the roi does not scale the extent.
      shape.push_back(static_cast<int64_t>(
          std::floor(static_cast<double>(type.getDimSize(d)) * scale)));
      resolvedScales.push_back(scale);
    }
  }
  std::string modeName = mode.str();
  // Opset 10 and Upsample say "linear" for bilinear/trilinear too; older
  // Upsample spelled it "bilinear".
  if (modeName == "bilinear" || modeName == "trilinear")
    modeName = "linear";
  if (modeName != "nearest" && modeName != "linear" && modeName != "cubic")
    return node.emitUnsupported("resize mode '" + modeName + "'");
  static constexpr StringLiteral transforms[] = {
      "half_pixel",        "pytorch_half_pixel",   "align_corners",
      "asymmetric",        "half_pixel_symmetric", "tf_half_pixel_for_nn",
      "tf_crop_and_resize"};
  if (!llvm::is_contained(transforms, transform))
    return node.emitUnsupported("coordinate_transformation_mode '" + transform +
                                "'");
  static constexpr StringLiteral nearestModes[] = {
      "round_prefer_floor", "round_prefer_ceil", "floor", "ceil"};
  if (modeName == "nearest" && !llvm::is_contained(nearestModes, nearestMode))
    return node.emitUnsupported("nearest_mode '" + nearestMode + "'");
  node.setResult(0,
                 node.create<lowbit::ResizeOp>(
                     getTensorType(shape, type.getElementType()),
                     node.getInput(0), modeName, transform, nearestMode,
                     APFloat(node.getFloatAttr("cubic_coeff_a", -0.75f)),
                     static_cast<bool>(node.getIntAttr("exclude_outside", 0)),
                     resolvedScales,
                     crop ? node.getBuilder().getDenseF32ArrayAttr(roiValues)
                          : DenseF32ArrayAttr(),
                     APFloat(extrapolationValue)));
  return success();
}

/// A roi/scales/sizes input, absent when omitted or empty.
FailureOr<std::optional<HostTensor>> getOptionalShapeInput(NodeImporter &node,
                                                           unsigned i,
                                                           StringRef what) {
  if (!node.hasInput(i))
    return std::optional<HostTensor>();
  FailureOr<const HostTensor *> constant = node.getRequiredConstant(i, what);
  if (failed(constant))
    return failure();
  if ((*constant)->getNumElements() == 0)
    return std::optional<HostTensor>();
  return std::optional<HostTensor>(**constant);
}

/// Resize-10: X and scales; the coordinate transform is asymmetric.
LogicalResult importResize10(NodeImporter &node) {
  auto scales = getOptionalShapeInput(node, 1, "scales");
  if (failed(scales))
    return failure();
  if (!*scales)
    return node.emitError() << "needs scales";
  return buildResize(node, (*scales)->getDoubles(), {},
                     node.getStringAttr("mode", "nearest"), "asymmetric",
                     "floor");
}

/// Resize-11/13: X, roi, scales, sizes; one of scales and sizes.
LogicalResult importResize11(NodeImporter &node) {
  auto scales = getOptionalShapeInput(node, 2, "scales");
  auto sizes = getOptionalShapeInput(node, 3, "sizes");
  if (failed(scales) || failed(sizes))
    return failure();
  if (!*scales && !*sizes)
    return node.emitError() << "needs scales or sizes";
  SmallVector<double> scaleValues;
  SmallVector<int64_t> sizeValues;
  if (*sizes)
    sizeValues = (*sizes)->getInts();
  else
    scaleValues = (*scales)->getDoubles();
  std::string transform =
      node.getStringAttr("coordinate_transformation_mode", "half_pixel");
  // roi matters (and must be known) only to tf_crop_and_resize.
  SmallVector<double> roiValues;
  if (transform == "tf_crop_and_resize") {
    auto roi = getOptionalShapeInput(node, 1, "roi");
    if (failed(roi))
      return failure();
    if (*roi)
      roiValues = (*roi)->getDoubles();
  }
  return buildResize(node, scaleValues, sizeValues,
                     node.getStringAttr("mode", "nearest"), transform,
                     node.getStringAttr("nearest_mode", "round_prefer_floor"),
                     roiValues, node.getFloatAttr("extrapolation_value", 0.0f));
}

/// Upsample: scales as an attribute (opset 7) or input (opset 9); the
/// output index maps back by division (asymmetric), nearest rounds down.
LogicalResult importUpsample(NodeImporter &node, bool scalesFromInput) {
  SmallVector<double> scales;
  if (scalesFromInput) {
    auto input = getOptionalShapeInput(node, 1, "scales");
    if (failed(input))
      return failure();
    if (!*input)
      return node.emitError() << "needs scales";
    scales = (*input)->getDoubles();
  } else if (auto attr = node.getFloatsAttr("scales")) {
    scales.assign(attr->begin(), attr->end());
  } else {
    // Opset 1 had height_scale/width_scale on 4-D inputs.
    scales = {1.0, 1.0, node.getFloatAttr("height_scale", 1.0f),
              node.getFloatAttr("width_scale", 1.0f)};
  }
  return buildResize(node, scales, {}, node.getStringAttr("mode", "nearest"),
                     "asymmetric", "floor");
}

//===----------------------------------------------------------------------===//
// DepthToSpace / SpaceToDepth
//===----------------------------------------------------------------------===//

/// reshape -> transpose -> reshape.
void buildRearrange(NodeImporter &node, ArrayRef<int64_t> split,
                    ArrayRef<int64_t> perm, ArrayRef<int64_t> result) {
  Value x = createReshape(node, node.getInput(0), split);
  auto type = cast<RankedTensorType>(x.getType());
  SmallVector<int64_t> permuted;
  for (int64_t p : perm)
    permuted.push_back(split[p]);
  Value t = node.create<lowbit::TransposeOp>(
      getTensorType(permuted, type.getElementType()), x, perm);
  node.setResult(0, createReshape(node, t, result));
}

LogicalResult importDepthToSpace(NodeImporter &node) {
  RankedTensorType type = node.getInputType(0);
  int64_t b = node.getIntAttr("blocksize", 0);
  if (type.getRank() != 4 || b < 1 || type.getDimSize(1) % (b * b))
    return node.emitError() << "needs a 4-D input whose channels divide by "
                               "blocksize^2";
  int64_t n = type.getDimSize(0), c = type.getDimSize(1),
          h = type.getDimSize(2), w = type.getDimSize(3);
  SmallVector<int64_t> result = {n, c / (b * b), h * b, w * b};
  if (node.getStringAttr("mode", "DCR") == "CRD")
    buildRearrange(node, {n, c / (b * b), b, b, h, w}, {0, 1, 4, 2, 5, 3},
                   result);
  else
    buildRearrange(node, {n, b, b, c / (b * b), h, w}, {0, 3, 4, 1, 5, 2},
                   result);
  return success();
}

LogicalResult importSpaceToDepth(NodeImporter &node) {
  RankedTensorType type = node.getInputType(0);
  int64_t b = node.getIntAttr("blocksize", 0);
  if (type.getRank() != 4 || b < 1 || type.getDimSize(2) % b ||
      type.getDimSize(3) % b)
    return node.emitError() << "needs a 4-D input whose spatial extents "
                               "divide by blocksize";
  int64_t n = type.getDimSize(0), c = type.getDimSize(1),
          h = type.getDimSize(2), w = type.getDimSize(3);
  buildRearrange(node, {n, c, h / b, b, w / b, b}, {0, 3, 5, 1, 2, 4},
                 {n, c * b * b, h / b, w / b});
  return success();
}

/// Trilu: keeps the upper (j - i >= k) or lower (j - i <= k) triangle of the
/// last two dimensions and zeroes the rest, through a mask known at import
/// time.
LogicalResult importTrilu(NodeImporter &node) {
  RankedTensorType type = node.getInputType(0);
  int64_t rank = type.getRank();
  if (rank < 2)
    return node.emitError() << "input must have rank >= 2";
  int64_t k = 0;
  if (node.hasInput(1)) {
    FailureOr<SmallVector<int64_t>> ks = node.getConstantInts(1, "k");
    if (failed(ks))
      return failure();
    if (ks->size() != 1)
      return node.emitError() << "k must hold one value";
    k = ks->front();
  }
  bool upper = node.getIntAttr("upper", 1);
  int64_t rows = type.getDimSize(rank - 2), cols = type.getDimSize(rank - 1);
  SmallVector<int64_t> keep;
  for (int64_t i = 0; i < rows; ++i)
    for (int64_t j = 0; j < cols; ++j)
      keep.push_back(upper ? j - i >= k : j - i <= k);
  HostTensor mask = HostTensor::fromInts(
      getTensorType({rows, cols}, IntegerType::get(node.getContext(), 1)),
      keep);
  Value maskValue = node.create<lowbit::ConstantOp>(
      mask.toElementsAttr(node.getDisplayName() + "_mask"));
  Value zero = createScalar(node, type.getElementType(), 0.0);
  node.setResult(0, node.create<lowbit::WhereOp>(type, maskValue,
                                                 node.getInput(0), zero));
  return success();
}

/// EyeLike: the (static) input shape makes it a constant.
LogicalResult importEyeLike(NodeImporter &node) {
  RankedTensorType type = node.getInputType(0);
  if (type.getRank() != 2)
    return node.emitError() << "input must be 2-D";
  Type elementType = type.getElementType();
  if (node.hasAttr("dtype")) {
    elementType = convertElementType(
        node.getContext(), static_cast<int32_t>(node.getIntAttr("dtype", 1)));
    if (!elementType)
      return node.emitUnsupported("the requested dtype");
  }
  int64_t rows = type.getDimSize(0), cols = type.getDimSize(1);
  int64_t k = node.getIntAttr("k", 0);
  SmallVector<int64_t> values(rows * cols, 0);
  for (int64_t r = 0; r < rows; ++r)
    if (r + k >= 0 && r + k < cols)
      values[r * cols + r + k] = 1;
  node.setConstantResult(
      0, HostTensor::fromInts(getTensorType({rows, cols}, elementType), values));
  return success();
}

} // namespace

void populateTensorHandlers(OpRegistry &registry) {
  registry.onOp("Constant", 1, importConstant);
  registry.onOp("ConstantOfShape", 9, importConstantOfShape);
  registry.onOp("Shape", 1, importShape);
  registry.onOp("Size", 1, importSize);
  registry.onOp("Range", 11, importRange);
  registry.onOp("Reshape", 1, importReshape);
  registry.onOp("Flatten", 1, importFlatten);
  registry.onOp("Squeeze", 1, [](NodeImporter &node) {
    return importSqueeze(node, /*axesFromInput=*/false);
  });
  registry.onOp("Squeeze", 13, [](NodeImporter &node) {
    return importSqueeze(node, /*axesFromInput=*/true);
  });
  registry.onOp("Unsqueeze", 1, [](NodeImporter &node) {
    return importUnsqueeze(node, /*axesFromInput=*/false);
  });
  registry.onOp("Unsqueeze", 13, [](NodeImporter &node) {
    return importUnsqueeze(node, /*axesFromInput=*/true);
  });
  registry.onOp("Transpose", 1, importTranspose);
  registry.onOp("Concat", 1, importConcat);
  registry.onOp("Split", 1, [](NodeImporter &node) {
    return importSplit(node, /*splitFromInput=*/false);
  });
  registry.onOp("Split", 13, [](NodeImporter &node) {
    return importSplit(node, /*splitFromInput=*/true);
  });
  registry.onOp("Slice", 1, [](NodeImporter &node) {
    return importSlice(node, /*fromInputs=*/false);
  });
  registry.onOp("Slice", 10, [](NodeImporter &node) {
    return importSlice(node, /*fromInputs=*/true);
  });
  registry.onOp("Gather", 1, importGather);
  registry.onOp("GatherElements", 11, importGatherElements);
  registry.onOp("GatherND", 11, importGatherND);
  registry.onOp("Scatter", 9, importScatterElements);
  registry.onOp("ScatterElements", 11, importScatterElements);
  registry.onOp("ScatterND", 11, importScatterND);
  registry.onOp("OneHot", 9, importOneHot);
  registry.onOp("Expand", 8, importExpand);
  registry.onOp("Tile", 6, importTile);
  registry.onOp("Pad", 1, [](NodeImporter &node) {
    return importPad(node, /*fromInputs=*/false);
  });
  registry.onOp("Pad", 11, [](NodeImporter &node) {
    return importPad(node, /*fromInputs=*/true);
  });
  registry.onOp("Resize", 10, importResize10);
  registry.onOp("Resize", 11, importResize11);
  registry.onOp("Upsample", 7, [](NodeImporter &node) {
    return importUpsample(node, /*scalesFromInput=*/false);
  });
  registry.onOp("Upsample", 9, [](NodeImporter &node) {
    return importUpsample(node, /*scalesFromInput=*/true);
  });
  registry.onOp("DepthToSpace", 1, importDepthToSpace);
  registry.onOp("EyeLike", 9, importEyeLike);
  registry.onOp("Trilu", 14, importTrilu);
  registry.onOp("SpaceToDepth", 1, importSpaceToDepth);
}

} // namespace onnx_import
} // namespace lowbit
