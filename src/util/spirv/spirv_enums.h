// The SPIR-V numbers reflection needs (from the SPIR-V 1.6 specification). Kept here rather than
// depending on spirv-headers, which this platform does not install; only what is read is listed.
#pragma once

#include <cstdint>

namespace kiln::spv {

constexpr uint32_t kMagic = 0x07230203;
constexpr uint32_t kMaxBound = 0x3FFFFF;   // the universal limit on a module's id bound

enum Op : uint32_t {
  OpName = 5, OpMemberName = 6, OpString = 7, OpLine = 8, OpExtInstImport = 11, OpExtInst = 12,
  OpEntryPoint = 15, OpExecutionMode = 16,
  OpTypeVoid = 19, OpTypeBool = 20, OpTypeInt = 21, OpTypeFloat = 22, OpTypeVector = 23,
  OpTypeMatrix = 24, OpTypeImage = 25, OpTypeSampler = 26, OpTypeSampledImage = 27, OpTypeArray = 28,
  OpTypeRuntimeArray = 29, OpTypeStruct = 30, OpTypeOpaque = 31, OpTypePointer = 32,
  OpTypeFunction = 33, OpTypeForwardPointer = 39,
  OpConstantTrue = 41, OpConstantFalse = 42, OpConstant = 43, OpConstantComposite = 44,
  OpConstantSampler = 45, OpConstantNull = 46, OpSpecConstantTrue = 48, OpSpecConstantFalse = 49,
  OpSpecConstant = 50, OpSpecConstantComposite = 51, OpSpecConstantOp = 52,
  OpFunction = 54, OpFunctionParameter = 55, OpFunctionEnd = 56, OpFunctionCall = 57,
  OpVariable = 59, OpImageTexelPointer = 60, OpLoad = 61, OpStore = 62, OpCopyMemory = 63,
  OpCopyMemorySized = 64, OpAccessChain = 65, OpInBoundsAccessChain = 66, OpPtrAccessChain = 67,
  OpArrayLength = 68, OpInBoundsPtrAccessChain = 70,
  OpDecorate = 71, OpMemberDecorate = 72, OpDecorationGroup = 73, OpGroupDecorate = 74,
  OpGroupMemberDecorate = 75,
  OpVectorShuffle = 79, OpCompositeExtract = 81, OpCompositeInsert = 82, OpCopyObject = 83,
  OpSampledImage = 86, OpImageSampleImplicitLod = 87, OpImageSampleProjDrefExplicitLod = 94,
  OpImageFetch = 95, OpImageGather = 96, OpImageDrefGather = 97, OpImageRead = 98, OpImageWrite = 99,
  OpImage = 100, OpImageQueryFormat = 101, OpImageQuerySamples = 107,
  OpSelect = 169,
  OpAtomicLoad = 227, OpAtomicStore = 228, OpAtomicExchange = 229, OpAtomicXor = 242,
  OpPhi = 245, OpLoopMerge = 246, OpSelectionMerge = 247, OpLabel = 248, OpBranch = 249,
  OpBranchConditional = 250, OpSwitch = 251,
  OpImageSparseSampleImplicitLod = 305, OpImageSparseDrefGather = 315, OpImageSparseTexelsResident = 316,
  OpNoLine = 317, OpAtomicFlagTestAndSet = 318, OpAtomicFlagClear = 319, OpImageSparseRead = 320,
  OpExecutionModeId = 331, OpDecorateId = 332, OpCopyLogical = 400,
  OpTraceRayKHR = 4445, OpTypeRayQueryKHR = 4472, OpRayQueryInitializeKHR = 4473, OpTraceNV = 5337,
  OpTypeAccelerationStructureKHR = 5341, OpAtomicFMinEXT = 5614, OpAtomicFMaxEXT = 5615,
  OpDecorateString = 5632, OpMemberDecorateString = 5633, OpAtomicFAddEXT = 6035,
};

enum ExecutionModel : uint32_t {
  ModelVertex = 0, ModelTessControl = 1, ModelTessEval = 2, ModelGeometry = 3, ModelFragment = 4,
  ModelGLCompute = 5, ModelKernel = 6, ModelTaskNV = 5267, ModelMeshNV = 5268, ModelRayGen = 5313,
  ModelIntersection = 5314, ModelAnyHit = 5315, ModelClosestHit = 5316, ModelMiss = 5317,
  ModelCallable = 5318, ModelTaskEXT = 5364, ModelMeshEXT = 5365,
};

enum ExecutionMode : uint32_t { ModeLocalSize = 17, ModeLocalSizeId = 38 };

enum StorageClass : uint32_t {
  UniformConstant = 0, Input = 1, Uniform = 2, Output = 3, PushConstant = 9, StorageBuffer = 12,
};

enum Decoration : uint32_t {
  DecSpecId = 1, DecBlock = 2, DecBufferBlock = 3, DecRowMajor = 4, DecColMajor = 5, DecArrayStride = 6,
  DecMatrixStride = 7, DecBuiltIn = 11, DecNonWritable = 24, DecNonReadable = 25, DecLocation = 30,
  DecComponent = 31, DecBinding = 33, DecDescriptorSet = 34, DecOffset = 35,
};

enum Dim : uint32_t { Dim1D = 0, Dim2D = 1, Dim3D = 2, DimCube = 3, DimRect = 4, DimBuffer = 5, DimSubpassData = 6 };

constexpr uint32_t kBuiltInWorkgroupSize = 25;

}  // namespace kiln::spv
