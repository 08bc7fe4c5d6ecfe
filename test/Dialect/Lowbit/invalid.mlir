// RUN: quant-opt %s --split-input-file --verify-diagnostics

func.func @broadcast_mismatch(%a: tensor<3xf32>, %b: tensor<4xf32>) {
  // expected-error @+1 {{operands don't have broadcast-compatible shapes}}
  %0 = lowbit.add %a, %b : (tensor<3xf32>, tensor<4xf32>) -> tensor<4xf32>
  return
}

// -----

func.func @element_type_mismatch(%a: tensor<4xf32>, %b: tensor<4xi32>) {
  // expected-error @+1 {{requires the same element type for all operands}}
  %0 = lowbit.add %a, %b : (tensor<4xf32>, tensor<4xi32>) -> tensor<4xf32>
  return
}

// -----

func.func @gelu_mode(%x: tensor<4xf32>) {
  // expected-error @+1 {{approximate must be "none" or "tanh", got "fast"}}
  %0 = lowbit.gelu %x {approximate = "fast"} : tensor<4xf32>
  return
}

// -----

func.func @clip_bound_type(%x: tensor<4xf32>) {
  // expected-error @+1 {{bound type 'f64' does not match element type 'f32'}}
  %0 = lowbit.clip %x {min = 0.0 : f64} : tensor<4xf32>
  return
}

// -----

func.func @matmul_contraction(%a: tensor<4x8xf32>, %b: tensor<9x4xf32>) {
  // expected-error @+1 {{contraction dimensions differ: 8 vs 9}}
  %0 = lowbit.matmul %a, %b : (tensor<4x8xf32>, tensor<9x4xf32>) -> tensor<4x4xf32>
  return
}

// -----

func.func @matmul_result(%a: tensor<4x8xf32>, %b: tensor<8x4xf32>) {
  // expected-error @+1 {{result shape does not match operands}}
  %0 = lowbit.matmul %a, %b : (tensor<4x8xf32>, tensor<8x4xf32>) -> tensor<4x5xf32>
  return
}

// -----

func.func @gemm_rank(%a: tensor<4x8x1xf32>, %b: tensor<8x4xf32>) {
  // expected-error @+1 {{operands and result must be 2-D}}
  %0 = lowbit.gemm %a, %b : (tensor<4x8x1xf32>, tensor<8x4xf32>) -> tensor<4x4xf32>
  return
}

// -----

func.func @gemm_c(%a: tensor<4x8xf32>, %b: tensor<8x4xf32>, %c: tensor<3xf32>) {
  // expected-error @+1 {{C does not broadcast to the result}}
  %0 = lowbit.gemm %a, %b, %c : (tensor<4x8xf32>, tensor<8x4xf32>, tensor<3xf32>) -> tensor<4x4xf32>
  return
}

// -----

func.func @conv_group(%x: tensor<1x6x8x8xf32>, %w: tensor<4x3x3x3xf32>) {
  // expected-error @+1 {{group 4 does not divide the 6 input channels}}
  %0 = lowbit.conv %x, %w {strides = array<i64: 1, 1>, dilations = array<i64: 1, 1>, pads = array<i64: 0, 0, 0, 0>, group = 4 : i64}
      : (tensor<1x6x8x8xf32>, tensor<4x3x3x3xf32>) -> tensor<1x4x6x6xf32>
  return
}

// -----

func.func @conv_channels(%x: tensor<1x6x8x8xf32>, %w: tensor<4x3x3x3xf32>) {
  // expected-error @+1 {{weight has 3 input channels per group, expected 6}}
  %0 = lowbit.conv %x, %w {strides = array<i64: 1, 1>, dilations = array<i64: 1, 1>, pads = array<i64: 0, 0, 0, 0>}
      : (tensor<1x6x8x8xf32>, tensor<4x3x3x3xf32>) -> tensor<1x4x6x6xf32>
  return
}

// -----

func.func @conv_spatial(%x: tensor<1x3x8x8xf32>, %w: tensor<4x3x3x3xf32>) {
  // expected-error @+1 {{spatial dimension 1 of the result should be 6}}
  %0 = lowbit.conv %x, %w {strides = array<i64: 1, 1>, dilations = array<i64: 1, 1>, pads = array<i64: 0, 0, 0, 0>}
      : (tensor<1x3x8x8xf32>, tensor<4x3x3x3xf32>) -> tensor<1x4x6x7xf32>
  return
}

// -----

func.func @conv_pads(%x: tensor<1x3x8x8xf32>, %w: tensor<4x3x3x3xf32>) {
  // expected-error @+1 {{pads need 4 entries}}
  %0 = lowbit.conv %x, %w {strides = array<i64: 1, 1>, dilations = array<i64: 1, 1>, pads = array<i64: 0, 0>}
      : (tensor<1x3x8x8xf32>, tensor<4x3x3x3xf32>) -> tensor<1x4x6x6xf32>
  return
}

// -----

func.func @conv_bias(%x: tensor<1x3x8x8xf32>, %w: tensor<4x3x3x3xf32>, %b: tensor<3xf32>) {
  // expected-error @+1 {{bias must be 1-D with 4 elements}}
  %0 = lowbit.conv %x, %w, %b {strides = array<i64: 1, 1>, dilations = array<i64: 1, 1>, pads = array<i64: 0, 0, 0, 0>}
      : (tensor<1x3x8x8xf32>, tensor<4x3x3x3xf32>, tensor<3xf32>) -> tensor<1x4x6x6xf32>
  return
}

// -----

func.func @conv_transpose_weight(%x: tensor<1x8x4x4xf32>, %w: tensor<4x4x2x2xf32>) {
  // expected-error @+1 {{weight dimension 0 must equal the input channels}}
  %0 = lowbit.conv_transpose %x, %w {strides = array<i64: 2, 2>, dilations = array<i64: 1, 1>, pads = array<i64: 0, 0, 0, 0>}
      : (tensor<1x8x4x4xf32>, tensor<4x4x2x2xf32>) -> tensor<1x4x8x8xf32>
  return
}

// -----

func.func @pool_kernel(%x: tensor<1x3x8x8xf32>) {
  // expected-error @+1 {{kernel_shape needs 2 entries}}
  %0 = lowbit.max_pool %x {kernel_shape = array<i64: 2>, strides = array<i64: 2, 2>, dilations = array<i64: 1, 1>, pads = array<i64: 0, 0, 0, 0>}
      : (tensor<1x3x8x8xf32>) -> tensor<1x3x4x4xf32>
  return
}

// -----

func.func @pool_channels(%x: tensor<1x3x8x8xf32>) {
  // expected-error @+1 {{batch and channel dimensions must be preserved}}
  %0 = lowbit.avg_pool %x {kernel_shape = array<i64: 2, 2>, strides = array<i64: 2, 2>, pads = array<i64: 0, 0, 0, 0>}
      : (tensor<1x3x8x8xf32>) -> tensor<1x4x4x4xf32>
  return
}

// -----

func.func @pool_stride(%x: tensor<1x3x8x8xf32>) {
  // expected-error @+1 {{strides and dilations must be positive}}
  %0 = lowbit.avg_pool %x {kernel_shape = array<i64: 2, 2>, strides = array<i64: 0, 2>, pads = array<i64: 0, 0, 0, 0>}
      : (tensor<1x3x8x8xf32>) -> tensor<1x3x4x4xf32>
  return
}

// -----

func.func @softmax_axis(%x: tensor<2x4xf32>) {
  // expected-error @+1 {{axis 2 is out of range for rank 2}}
  %0 = lowbit.softmax %x {axis = 2 : i64} : tensor<2x4xf32>
  return
}

// -----

func.func @layer_norm_axis(%x: tensor<2x4xf32>, %g: tensor<4xf32>) {
  // expected-error @+1 {{axis -3 is out of range for rank 2}}
  %0 = lowbit.layer_norm %x, %g {axis = -3 : i64, epsilon = 1.0e-5 : f32} : (tensor<2x4xf32>, tensor<4xf32>) -> tensor<2x4xf32>
  return
}

// -----

func.func @batch_norm_params(%x: tensor<1x4x2x2xf32>, %s: tensor<3xf32>) {
  // expected-error @+1 {{parameters must be 1-D with 4 elements}}
  %0 = lowbit.batch_norm %x, %s, %s, %s, %s {epsilon = 1.0e-5 : f32}
      : (tensor<1x4x2x2xf32>, tensor<3xf32>, tensor<3xf32>, tensor<3xf32>, tensor<3xf32>) -> tensor<1x4x2x2xf32>
  return
}

// -----

func.func @reduce_axes_order(%x: tensor<2x3x4xf32>) {
  // expected-error @+1 {{axes must be sorted, unique and in [0, 3)}}
  %0 = lowbit.reduce_sum %x {axes = array<i64: 2, 1>} : (tensor<2x3x4xf32>) -> tensor<2x1x1xf32>
  return
}

// -----

func.func @reduce_result(%x: tensor<2x3x4xf32>) {
  // expected-error @+1 {{result shape does not match the reduction}}
  %0 = lowbit.reduce_mean %x {axes = array<i64: 1>, keepdims = false} : (tensor<2x3x4xf32>) -> tensor<2x1x4xf32>
  return
}

// -----

func.func @arg_max_axis(%x: tensor<2x3xf32>) {
  // expected-error @+1 {{axis 2 is out of range for rank 2}}
  %0 = lowbit.arg_max %x {axis = 2 : i64} : (tensor<2x3xf32>) -> tensor<2x3xi64>
  return
}

// -----

func.func @reshape_count(%x: tensor<2x3xf32>) {
  // expected-error @+1 {{element count changes from 6 to 8}}
  %0 = lowbit.reshape %x : (tensor<2x3xf32>) -> tensor<2x4xf32>
  return
}

// -----

func.func @transpose_perm(%x: tensor<2x3xf32>) {
  // expected-error @+1 {{perm is not a permutation}}
  %0 = lowbit.transpose %x {perm = array<i64: 0, 0>} : (tensor<2x3xf32>) -> tensor<2x2xf32>
  return
}

// -----

func.func @transpose_result(%x: tensor<2x3xf32>) {
  // expected-error @+1 {{result type does not match the permuted input}}
  %0 = lowbit.transpose %x {perm = array<i64: 1, 0>} : (tensor<2x3xf32>) -> tensor<2x3xf32>
  return
}

// -----

func.func @concat_extent(%a: tensor<2x3xf32>, %b: tensor<2x4xf32>) {
  // expected-error @+1 {{result extent along the axis must be 7}}
  %0 = lowbit.concat %a, %b {axis = 1 : i64} : (tensor<2x3xf32>, tensor<2x4xf32>) -> tensor<2x8xf32>
  return
}

// -----

func.func @concat_other_dim(%a: tensor<2x3xf32>, %b: tensor<3x3xf32>) {
  // expected-error @+1 {{input dimension 0 does not match}}
  %0 = lowbit.concat %a, %b {axis = 1 : i64} : (tensor<2x3xf32>, tensor<3x3xf32>) -> tensor<2x6xf32>
  return
}

// -----

func.func @slice_bounds(%x: tensor<8xf32>) {
  // expected-error @+1 {{dimension 0 reads out of bounds}}
  %0 = lowbit.slice %x {starts = array<i64: 4>, steps = array<i64: 2>} : (tensor<8xf32>) -> tensor<3xf32>
  return
}

// -----

func.func @slice_step(%x: tensor<8xf32>) {
  // expected-error @+1 {{step must be non-zero}}
  %0 = lowbit.slice %x {starts = array<i64: 0>, steps = array<i64: 0>} : (tensor<8xf32>) -> tensor<3xf32>
  return
}

// -----

func.func @gather_result(%x: tensor<8x4xf32>, %i: tensor<3xi64>) {
  // expected-error @+1 {{result shape does not match data and indices}}
  %0 = lowbit.gather %x, %i {axis = 0 : i64} : (tensor<8x4xf32>, tensor<3xi64>) -> tensor<3x8xf32>
  return
}

// -----

func.func @expand_shape(%x: tensor<2x4xf32>) {
  // expected-error @+1 {{input does not broadcast to the result shape}}
  %0 = lowbit.expand %x : (tensor<2x4xf32>) -> tensor<3x4xf32>
  return
}

// -----

func.func @tile_result(%x: tensor<2x4xf32>) {
  // expected-error @+1 {{result dimension 1 does not match}}
  %0 = lowbit.tile %x {repeats = array<i64: 1, 2>} : (tensor<2x4xf32>) -> tensor<2x4xf32>
  return
}

// -----

func.func @pad_mode(%x: tensor<2x4xf32>) {
  // expected-error @+1 {{mode must be constant, reflect or edge}}
  %0 = lowbit.pad %x {pads = array<i64: 0, 0, 0, 0>, mode = "wrap"} : (tensor<2x4xf32>) -> tensor<2x4xf32>
  return
}

// -----

func.func @pad_result(%x: tensor<2x4xf32>) {
  // expected-error @+1 {{result dimension 1 does not match pads}}
  %0 = lowbit.pad %x {pads = array<i64: 0, 1, 0, 0>} : (tensor<2x4xf32>) -> tensor<2x4xf32>
  return
}

// -----

func.func @resize_mode(%x: tensor<1x1x2x2xf32>) {
  // expected-error @+1 {{mode must be nearest, linear or cubic}}
  %0 = lowbit.resize %x {mode = "area", scales = array<f32: 1.0, 1.0, 2.0, 2.0>} : (tensor<1x1x2x2xf32>) -> tensor<1x1x4x4xf32>
  return
}

// -----

func.func @resize_scales(%x: tensor<1x1x2x2xf32>) {
  // expected-error @+1 {{scales and result need one entry per dimension}}
  %0 = lowbit.resize %x {scales = array<f32: 2.0, 2.0>} : (tensor<1x1x2x2xf32>) -> tensor<1x1x4x4xf32>
  return
}

// -----

func.func @resize_roi_size(%x: tensor<1x1x2x2xf32>) {
  // expected-error @+1 {{roi needs 2 * rank (8) entries, got 4}}
  %0 = lowbit.resize %x {mode = "linear", coordinate_transformation_mode = "tf_crop_and_resize", roi = array<f32: 0.0, 0.0, 1.0, 1.0>, scales = array<f32: 1.0, 1.0, 2.0, 2.0>} : (tensor<1x1x2x2xf32>) -> tensor<1x1x4x4xf32>
  return
}

// -----

func.func @resize_crop_needs_roi(%x: tensor<1x1x2x2xf32>) {
  // expected-error @+1 {{tf_crop_and_resize needs a roi}}
  %0 = lowbit.resize %x {mode = "linear", coordinate_transformation_mode = "tf_crop_and_resize", scales = array<f32: 1.0, 1.0, 2.0, 2.0>} : (tensor<1x1x2x2xf32>) -> tensor<1x1x4x4xf32>
  return
}

// -----

func.func @quantize_expressed(%x: tensor<4xf16>) {
  // expected-error @+1 {{expressed type 'f32' does not match float type 'f16'}}
  %0 = lowbit.quantize %x : (tensor<4xf16>) -> tensor<4x!quant.uniform<i8:f32, 0.1>>
  return
}

// -----

func.func @quantize_axis(%x: tensor<2x4xf32>) {
  // expected-error @+1 {{quantized dimension 1 has 4 elements but there are 2 scales}}
  %0 = lowbit.quantize %x : (tensor<2x4xf32>) -> tensor<2x4x!quant.uniform<i8:f32:1, {0.1, 0.2}>>
  return
}

// -----

func.func @dequantize_float_input(%x: tensor<4xf32>) {
  // expected-error @+1 {{operand #0 must be ranked tensor of}}
  %0 = lowbit.dequantize %x : (tensor<4xf32>) -> tensor<4xf32>
  return
}

// -----

func.func @requantize_expressed(%x: tensor<4x!quant.uniform<i8:f32, 0.1>>) {
  // expected-error @+1 {{expressed types differ}}
  %0 = lowbit.requantize %x : (tensor<4x!quant.uniform<i8:f32, 0.1>>) -> tensor<4x!quant.uniform<i8:f16, 0.1>>
  return
}

// -----

func.func @max_pool_indices_shape(%x: tensor<1x3x8x8xf32>) {
  // expected-error @+1 {{indices must have the output's shape}}
  %0, %1 = lowbit.max_pool_with_indices %x {kernel_shape = array<i64: 2, 2>, strides = array<i64: 2, 2>, dilations = array<i64: 1, 1>, pads = array<i64: 0, 0, 0, 0>}
      : (tensor<1x3x8x8xf32>) -> (tensor<1x3x4x4xf32>, tensor<1x3x4xi64>)
  return
}

// -----

func.func @gather_elements_rank(%x: tensor<3x4xf32>, %i: tensor<3xi64>) {
  // expected-error @+1 {{indices must have the input's rank}}
  %0 = lowbit.gather_elements %x, %i {axis = 1 : i64} : (tensor<3x4xf32>, tensor<3xi64>) -> tensor<3xf32>
  return
}

// -----

func.func @gather_elements_result(%x: tensor<3x4xf32>, %i: tensor<3x2xi64>) {
  // expected-error @+1 {{result must have the indices' shape}}
  %0 = lowbit.gather_elements %x, %i {axis = 1 : i64} : (tensor<3x4xf32>, tensor<3x2xi64>) -> tensor<3x4xf32>
  return
}

// -----

func.func @gather_nd_depth(%x: tensor<3x4xf32>, %i: tensor<2x3xi64>) {
  // expected-error @+1 {{index tuples of length 3 do not fit the input's rank}}
  %0 = lowbit.gather_nd %x, %i : (tensor<3x4xf32>, tensor<2x3xi64>) -> tensor<2xf32>
  return
}

// -----

func.func @scatter_elements_reduction(%x: tensor<3x4xf32>, %i: tensor<3x2xi64>, %u: tensor<3x2xf32>) {
  // expected-error @+1 {{reduction must be none, add, mul, max or min, got "sub"}}
  %0 = lowbit.scatter_elements %x, %i, %u {axis = 1 : i64, reduction = "sub"} : (tensor<3x4xf32>, tensor<3x2xi64>, tensor<3x2xf32>) -> tensor<3x4xf32>
  return
}

// -----

func.func @scatter_nd_updates(%x: tensor<3x4xf32>, %i: tensor<2x1xi64>, %u: tensor<2x3xf32>) {
  // expected-error @+1 {{updates must have type 'tensor<2x4xf32>'}}
  %0 = lowbit.scatter_nd %x, %i, %u : (tensor<3x4xf32>, tensor<2x1xi64>, tensor<2x3xf32>) -> tensor<3x4xf32>
  return
}

// -----

func.func @cumsum_axis(%x: tensor<3x4xf32>) {
  // expected-error @+1 {{axis 2 is out of range for rank 2}}
  %0 = lowbit.cumsum %x {axis = 2 : i64} : tensor<3x4xf32>
  return
}

// -----

func.func @top_k_too_many(%x: tensor<3x4xf32>) {
  // expected-error @+1 {{k = 5 exceeds the axis extent 4}}
  %0, %1 = lowbit.top_k %x {axis = 1 : i64} : (tensor<3x4xf32>) -> (tensor<3x5xf32>, tensor<3x5xi64>)
  return
}

// -----

func.func @shift_float(%x: tensor<3xf32>) {
  // expected-error @+1 {{needs integer elements, got 'f32'}}
  %0 = lowbit.shift_left %x, %x : (tensor<3xf32>, tensor<3xf32>) -> tensor<3xf32>
  return
}

// -----

func.func @quantized_matmul_float_weights(%a: tensor<2x4xf32>, %w: tensor<4x3xf32>) {
  // expected-error @+1 {{operand #1 must be ranked tensor of}}
  %0 = lowbit.quantized_matmul %a, %w : (tensor<2x4xf32>, tensor<4x3xf32>) -> tensor<2x3xf32>
  return
}

// -----

func.func @quantized_matmul_axis(%a: tensor<2x4xf32>, %w: tensor<4x3x!quant.uniform<i8:f32:0, {0.1, 0.2, 0.3, 0.4}>>) {
  // expected-error @+1 {{weights must be quantized along their output channel dimension 1, not 0}}
  %0 = lowbit.quantized_matmul %a, %w : (tensor<2x4xf32>, tensor<4x3x!quant.uniform<i8:f32:0, {0.1, 0.2, 0.3, 0.4}>>) -> tensor<2x3xf32>
  return
}

// -----

func.func @quantized_matmul_float_bias(%a: tensor<2x4x!quant.uniform<i8:f32, 0.1>>, %w: tensor<4x3x!quant.uniform<i8:f32, 0.2>>, %b: tensor<3xf32>) {
  // expected-error @+1 {{the bias of an integer kernel must be i32}}
  %0 = lowbit.quantized_matmul %a, %w, %b : (tensor<2x4x!quant.uniform<i8:f32, 0.1>>, tensor<4x3x!quant.uniform<i8:f32, 0.2>>, tensor<3xf32>) -> tensor<2x3xf32>
  return
}

// -----

func.func @quantized_matmul_accumulator_activation(%a: tensor<2x4x!quant.uniform<u8:f32, 1.0:3>>, %w: tensor<4x3x!quant.uniform<u8:f32, 1.0:5>>) {
  // expected-error @+1 {{a raw i32 accumulator takes no activation}}
  %0 = lowbit.quantized_matmul %a, %w {activation = #lowbit.activation<relu>} : (tensor<2x4x!quant.uniform<u8:f32, 1.0:3>>, tensor<4x3x!quant.uniform<u8:f32, 1.0:5>>) -> tensor<2x3xi32>
  return
}

// -----

func.func @quantized_matmul_codebook_signed(%a: tensor<2x4xf32>, %w: tensor<4x3x!quant.uniform<i4:f32, 0.2>>) {
  // expected-error @+1 {{codebook weights need unsigned storage}}
  %0 = lowbit.quantized_matmul %a, %w {weight_codebook = #lowbit.codebook<nf4>} : (tensor<2x4xf32>, tensor<4x3x!quant.uniform<i4:f32, 0.2>>) -> tensor<2x3xf32>
  return
}

// -----

func.func @quantized_matmul_dynamic_quantized_lhs(%a: tensor<2x4x!quant.uniform<i8:f32, 0.1>>, %w: tensor<4x3x!quant.uniform<i8:f32, 0.2>>) {
  // expected-error @+1 {{dynamic_activations needs float activations}}
  %0 = lowbit.quantized_matmul %a, %w {dynamic_activations} : (tensor<2x4x!quant.uniform<i8:f32, 0.1>>, tensor<4x3x!quant.uniform<i8:f32, 0.2>>) -> tensor<2x3xf32>
  return
}

// -----

func.func @quantized_matmul_clip_bounds(%a: tensor<2x4xf32>, %w: tensor<4x3x!quant.uniform<i8:f32, 0.2>>) {
  // expected-error @+1 {{clip needs clip_min or clip_max}}
  %0 = lowbit.quantized_matmul %a, %w {activation = #lowbit.activation<clip>} : (tensor<2x4xf32>, tensor<4x3x!quant.uniform<i8:f32, 0.2>>) -> tensor<2x3xf32>
  return
}

// -----

func.func @quantized_conv_result_type(%x: tensor<1x2x4x4x!quant.uniform<i8:f32, 0.1>>, %w: tensor<3x2x1x1x!quant.uniform<i8:f32, 0.2>>) {
  // expected-error @+1 {{result must be quantized, i32 or 'f32'}}
  %0 = lowbit.quantized_conv %x, %w {strides = array<i64: 1, 1>, dilations = array<i64: 1, 1>, pads = array<i64: 0, 0, 0, 0>} : (tensor<1x2x4x4x!quant.uniform<i8:f32, 0.1>>, tensor<3x2x1x1x!quant.uniform<i8:f32, 0.2>>) -> tensor<1x3x4x4xf16>
  return
}
